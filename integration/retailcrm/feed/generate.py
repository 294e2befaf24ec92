"""Generate every configured ICML file (what the job and the buttons run)."""

from catalog.icml.service import GenerationReport, generate, peak_memory
from integration.retailcrm.feed.targets import catalog_specs


def generate_configured(shop: str | None = None) -> list[GenerationReport]:
    reports = []
    for spec in catalog_specs(shop):
        with peak_memory() as memory:
            report = generate(spec)
        report.peak_mb = memory["peak_mb"]
        reports.append(report)
    return reports
