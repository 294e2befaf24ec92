from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationConfig(AppConfig):
    name = "integration"
    verbose_name = _("RetailCRM exchange")

    def ready(self):
        from integration import secrets
        from integration.jobs import definitions  # noqa: F401  registers the job kinds
        from integration.jobs import export_definitions  # noqa: F401  D1/D2 stock and price export
        from integration.jobs import catalog_definitions  # noqa: F401  C2 catalog generation
        from integration.jobs import housekeeping_definitions  # noqa: F401  I5 clean-up of old logs

        secrets.connect_signals()
        secrets.install_log_record_factory()
