"""Generating one ICML file: stream it into a temporary file beside the target, then rename.

The CRM (or our feed URL) may read the file at any moment, so it is replaced atomically with
``os.replace``: readers see the previous complete file or the new complete one, never a
half-written one, and a failed run leaves the previous file untouched.
"""

import os
import tempfile
import time
import tracemalloc
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from catalog.icml import source
from catalog.icml.paths import UnsafeCatalogPath, catalog_dir, resolve_path  # noqa: F401 (re-exported)
from catalog.icml.spec import CatalogSpec
from catalog.icml.writer import write_icml


@dataclass
class GenerationReport:
    path: Path
    shop: str
    offers: int
    products: int
    services: int
    categories: int
    without_price: int
    bytes: int
    seconds: float
    peak_mb: float | None = None


@contextmanager
def peak_memory():
    """Yields a dict whose ``peak_mb`` is set on exit: the highest traced allocation growth inside the block."""
    result = {"peak_mb": None}
    started_here = not tracemalloc.is_tracing()
    if started_here:
        tracemalloc.start()
    baseline, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    try:
        yield result
    finally:
        _, peak = tracemalloc.get_traced_memory()
        result["peak_mb"] = round(max(peak - baseline, 0) / 2**20, 2)
        if started_here:
            tracemalloc.stop()


def generate(spec: CatalogSpec) -> GenerationReport:
    """Write the ICML of ``spec`` to ``spec.path`` atomically; returns counts, size and duration."""
    started = time.perf_counter()
    target = Path(spec.path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp", delete=False)
    try:
        with handle:
            categories = source.categories(spec)
            counts = write_icml(
                handle, shop_name=spec.shop_name, company=spec.company, categories=categories,
                offers=source.offers(spec, {c.id for c in categories}), generated=timezone.localtime(),
            )
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, 0o644)  # mkstemp makes it 0600; a web server in front may serve it
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return GenerationReport(
        path=target, shop=spec.shop, offers=counts.offers, products=counts.products, services=counts.services,
        categories=counts.categories, without_price=counts.without_price, bytes=target.stat().st_size,
        seconds=round(time.perf_counter() - started, 3),
    )
