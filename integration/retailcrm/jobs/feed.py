"""C2: the generate-catalog job kind (ICML files for RetailCRM, written locally, no CRM call)."""

from django.utils.translation import gettext_lazy as _, gettext_noop

from integration.exchange.jobs.registry import job_kind
from integration.exchange.messages import stored
from integration.exchange.permissions import RUN_EXPORTS


@job_kind("generate-catalog", label=_("Generate catalog"), permission=RUN_EXPORTS, queue="catalog", precondition=None, timeout=3 * 3600)
def generate_catalog_job(ctx):
    """Every configured file, or with a scope (``exchange generate-catalog --shop CODE``) only that shop's.

    Files are replaced atomically, so even two runs for the same file leave one complete file."""
    from integration.retailcrm.feed.generate import generate_configured

    shop = ctx.scope or None
    reports = generate_configured(shop=shop)
    if not reports:
        raise LookupError(stored(gettext_noop(
            "No catalog to generate: with multiple organizations on, tick “export catalog” for a shop "
            "in “B8 · multiple organizations”.")) if shop is None else
                          stored(gettext_noop("No catalog is configured for the shop %(shop)s.")) % {"shop": shop})
    for report in reports:
        for name in ("offers", "products", "services", "categories"):
            ctx.count(name, getattr(report, name))
        ctx.set_count("peak_kb", max(ctx.run.counts.get("peak_kb", 0), round((report.peak_mb or 0) * 1024)))
        ctx.message(stored(gettext_noop(
            "Catalog %(path)s: %(offers)d offers of %(products)d products (%(services)d services), "
            "%(categories)d categories, %(size)s KB in %(seconds)s s, peak memory %(peak)s MB.")) % {
            "path": report.path, "offers": report.offers, "products": report.products, "services": report.services,
            "categories": report.categories, "size": round(report.bytes / 1024), "seconds": report.seconds,
            "peak": report.peak_mb})
        if report.without_price:
            ctx.message(stored(gettext_noop(
                "%(n)d offers have no sale price (check the sale price type in the settings).")) % {
                "n": report.without_price}, warning=True)
