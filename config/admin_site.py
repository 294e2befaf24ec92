"""The back office's admin site: its index groups the pages by the operator's task, not by app.

Django lists models alphabetically per app, so "RetailCRM settings" came 29th of 34 entries. Here
the index (and the sidebar) show Exchange — settings and dashboard first — then Mappings,
Documents, Catalog, the CRM references and the Log; a model no group names keeps its app's group
at the end, so nothing registered is ever hidden. An app's own page (/admin/<app>/) is Django's.
"""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

DASHBOARD = "integration.dashboard"  # not a model: the exchange dashboard view of the job-run admin

GROUPS = (
    ("exchange", _("Exchange"), (
        "integration.CrmSettings", DASHBOARD, "integration.JobRun", "integration.JobSchedule",
        "integration.WebhookRequest", "integration.SkippedOrder", "integration.RetryEntry", "loyalty.LoyaltySettings", "django_rq.Dashboard",
    )),
    ("mappings", _("Mappings"), (
        "integration.StatusImportMapping", "integration.StatusExportMapping", "integration.ManagerMapping",
        "integration.WarehouseMapping", "integration.PriceTypeMapping", "integration.PaymentTypeMapping",
        "integration.DeliveryTypeMapping", "integration.ShopOrganization", "integration.OrderState",
    )),
    ("documents", _("Documents"), (
        "integration.Customer", "integration.Order", "integration.OrderLine", "integration.Payment",
        "integration.Sale", "integration.Return", "loyalty.Participation", "loyalty.RegistrationCandidate",
        "loyalty.LoyaltyProgram",
    )),
    ("catalog", _("Catalog"), (
        "catalog.Product", "catalog.Characteristic", "catalog.ProductGroup", "catalog.Price", "catalog.StockBalance",
        "catalog.PriceType", "catalog.Warehouse", "catalog.Organization", "catalog.Unit",
    )),
    ("references", _("RetailCRM references"), (
        "integration.CrmSite", "integration.CrmStatus", "integration.CrmStatusGroup", "integration.CrmUser",
        "integration.CrmStore", "integration.CrmPriceType", "integration.CrmPaymentType",
        "integration.CrmPaymentStatus", "integration.CrmDeliveryType", "integration.CrmOrderType",
        "integration.CrmOrderMethod",
    )),
    ("log", _("Log"), ("integration.ExchangeEvent", "integration.RejectedWebhookWindow")),
)


class BackOfficeAdminSite(AdminSite):
    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        if app_label is not None:
            return apps  # an app's own page lists that app's models, as Django does
        entries = {}
        for app in apps:
            for model in app["models"]:
                entries[f"{app['app_label']}.{model['object_name']}"] = model
        dashboard = self._dashboard_entry(request)
        if dashboard is not None:
            entries[DASHBOARD] = dashboard
        index = reverse("admin:index", current_app=self.name)
        grouped, placed = [], set()
        for code, name, labels in GROUPS:
            models = [entries[label] for label in labels if label in entries]
            placed.update(labels)
            if models:
                grouped.append({
                    "name": name, "app_label": f"group-{code}", "app_url": f"{index}#group-{code}",
                    "has_module_perms": True, "models": models,
                })
        for app in apps:  # whatever no group names, under its own app (users and groups, new models)
            rest = [model for model in app["models"] if f"{app['app_label']}.{model['object_name']}" not in placed]
            if rest:
                grouped.append({**app, "models": rest})
        return grouped

    def _dashboard_entry(self, request):
        if not request.user.has_perm("integration.view_jobrun"):
            return None
        try:
            url = reverse("admin:integration_jobrun_dashboard", current_app=self.name)
        except NoReverseMatch:
            return None
        return {"name": _("Exchange dashboard"), "object_name": "ExchangeDashboard", "admin_url": url,
                "add_url": None, "view_only": True, "perms": {"view": True}, "model": None}


class BackOfficeAdminConfig(AdminConfig):
    default_site = "config.admin_site.BackOfficeAdminSite"
