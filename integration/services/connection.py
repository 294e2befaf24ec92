"""A1 "Check connection": ask the CRM who we are and remember the answer on the settings row."""

from django.utils import timezone
from django.utils.translation import gettext as _

from integration.models import CrmSettings


def check_and_store(crm_settings: CrmSettings | None = None):
    """Run the check, store ok/message on the settings singleton and return the report."""
    crm_settings = crm_settings or CrmSettings.get_solo()
    if not crm_settings.is_configured:
        report = None
        ok, message = False, _("Enter the RetailCRM address and API key first.")
    else:
        from integration.crm.connection import check_connection
        from integration.crm.factory import client_from_settings

        client = client_from_settings(crm_settings)
        try:
            report = check_connection(client, site=crm_settings.site_code or None)
        finally:
            client.close()
        ok, message = report.ok, report.message
    CrmSettings.objects.filter(pk=crm_settings.pk).update(
        connection_ok=ok, connection_message=message, connection_checked_at=timezone.now()
    )
    crm_settings.connection_ok, crm_settings.connection_message = ok, message
    return ok, message, report
