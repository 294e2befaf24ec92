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
        "integration.retailcrm.jobs.order_export",
        "integration.exchange.jobs.housekeeping",
    )

    def ready(self):
        from integration.exchange import secrets
        from integration.exchange.jobs.registry import discover
        from integration.retailcrm.orders import export_posting

        secrets.connect_signals()
        secrets.install_log_record_factory()
        discover()
        export_posting.connect()  # F1/F5: postings of CRM-born orders become exports
