"""Every job kind of the product. Each is a thin wrapper: options in, service call, counts out."""

from django.utils.translation import gettext as __, gettext_lazy as _

from integration.jobs.registry import job_kind


@job_kind("check-connection", label=_("Check connection"), requires_connection=False, timeout=120)
def check_connection_job(ctx):
    from integration.services.connection import check_and_store

    ok, message, report = check_and_store()
    ctx.message(message, warning=not ok)
    if report is not None:
        ctx.set_count("missing_scopes", len(report.missing_scopes or []))
        ctx.set_count("shops", len(report.sites or []))
    if not ok:
        raise RuntimeError(message)


@job_kind("sync-references", label=_("Load references from RetailCRM"), timeout=600)
def sync_references_job(ctx):
    from integration.crm.factory import client_from_settings
    from integration.services.references import sync_references

    client = client_from_settings()
    try:
        report = sync_references(client)
    finally:
        client.close()
    for name, total in report.counts.items():
        ctx.set_count(name, total)
    for book, codes in report.removed.items():
        ctx.message(__("Removed in RetailCRM (%(book)s): %(codes)s") % {"book": book, "codes": ", ".join(codes)}, warning=True)
    for book, codes in report.unmapped.items():
        ctx.message(__("Not mapped yet (%(book)s): %(codes)s") % {"book": book, "codes": ", ".join(codes)})
