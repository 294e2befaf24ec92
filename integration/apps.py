from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationConfig(AppConfig):
    name = "integration"
    verbose_name = _("RetailCRM exchange")
    # Found by integration.exchange.jobs.registry.discover() once the models are loaded.
    job_modules = (
        "integration.retailcrm.jobs.crm",
        "integration.retailcrm.jobs.store",
        "integration.retailcrm.jobs.feed",
        "integration.retailcrm.jobs.documents",
        "integration.retailcrm.jobs.order_export",
        "integration.exchange.jobs.housekeeping",
    )

    def ready(self):
        from integration.exchange import secrets
        from integration.exchange.jobs.registry import discover
        from integration.retailcrm import wiring
        from integration.retailcrm.orders import export_posting, outbox

        secrets.install_log_record_factory()
        wiring.connect()  # the RetailCRM adapter's switches, secrets, clean-ups and dashboard lines
        discover()
        outbox.connect()  # F2–F4: posted payment documents, sales and returns queue their export
        export_posting.connect()  # F1/F5: postings of CRM-born orders become exports
