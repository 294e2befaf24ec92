from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoyaltyConfig(AppConfig):
    name = "loyalty"
    verbose_name = _("Loyalty")

    # found by integration.exchange.jobs.registry.discover()
    job_modules = ("loyalty.retailcrm.jobs", "loyalty.bonusplus.jobs")

    def ready(self):
        from loyalty.bonusplus import hooks, secrets

        hooks.connect()
        secrets.connect()
