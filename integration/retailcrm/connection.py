"""A1 "Check connection": ask the CRM who we are and remember the answer on the settings row.

Only what a person must fix blocks the exchange (a wrong key, missing scopes, an invisible shop,
a wrong address): ``connection_ok`` is false and jobs are refused. A check that could not finish
for a passing reason (429/503, a server error, a timeout, the network) blocks nothing: it is
stored as a warning (``connection_warning``) and the jobs run, their clients retrying with backoff.
"""

from django.utils import timezone
from django.utils.translation import gettext_noop

from integration.exchange.messages import for_text, stored
from integration.models import CrmSettings


def require_connection(kind):
    """A job kind's precondition (``job_kind(precondition=require_connection)``): refused until
    "Check connection" has passed (A1)."""
    if not CrmSettings.get_solo().connection_ok:
        return stored(
            gettext_noop("“%(job)s” is not available until the connection to RetailCRM has been checked successfully. "
                         "Open RetailCRM settings and press “Check connection”."), job=kind.label,
        )
    return None


def switch_source(kind):
    """The runner's view of the RetailCRM exchange modes (A3): the CrmSettings switch ``kind`` names."""
    try:
        field = CrmSettings._meta.get_field(kind.switch)
    except Exception:  # FieldDoesNotExist: another adapter's switch
        return None
    refusal = stored(
        gettext_noop("“%(job)s” is refused: “%(switch)s” is switched off in RetailCRM settings (Exchange modes)."),
        job=kind.label, switch=field.verbose_name,
    )
    return bool(getattr(CrmSettings.get_solo(), kind.switch)), refusal


def check_and_store(crm_settings: CrmSettings | None = None):
    """Run the check, store ok/warning/message on the settings singleton; return (ok, message, report).

    ``ok`` says whether jobs may run; ``report.transient`` whether the check itself was incomplete.
    """
    crm_settings = crm_settings or CrmSettings.get_solo()
    warning = False
    if not crm_settings.is_configured:
        report = None
        ok, message = False, stored(gettext_noop("Enter the RetailCRM address and API key first."))
    else:
        from integration.retailcrm.client.connection import check_connection
        from integration.retailcrm.client.factory import client_from_settings

        client = client_from_settings(crm_settings)
        try:
            report = check_connection(client, site=crm_settings.site_code or None)
        finally:
            client.close()
        ok, message = report.ok, report.message
        if report.transient:
            ok = warning = True
            message = stored(gettext_noop(
                "The check could not finish: %(error)s. This usually passes by itself, so the exchange "
                "keeps running and retries on its own; press “Check connection” again later to confirm "
                "the key and its permissions.")) % {"error": report.message}
    CrmSettings.objects.filter(pk=crm_settings.pk).update(
        connection_ok=ok, connection_warning=warning, connection_message=for_text(message),
        connection_checked_at=timezone.now(),
    )
    crm_settings.connection_ok, crm_settings.connection_warning = ok, warning
    crm_settings.connection_message = for_text(message)
    return ok, message, report
