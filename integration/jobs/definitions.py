"""Every job kind of the product. Each is a thin wrapper: options in, service call, counts out."""

from django.utils.translation import gettext_lazy as _

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
