from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from integration.admin.base import ReadOnlyAdmin
from integration.exchange.permissions import CHANGE_SETTINGS, user_may
from integration.exchange.secrets import redact
from integration.models import (
    CrmDeliveryType,
    CrmOrderMethod,
    CrmOrderType,
    CrmPaymentStatus,
    CrmPaymentType,
    CrmPriceType,
    CrmSite,
    CrmStatus,
    CrmStatusGroup,
    CrmStore,
    CrmUser,
)


class DictionaryAdmin(ReadOnlyAdmin):
    list_display = ("name", "code", "active", "removed_in_crm", "synced_at")
    list_filter = ("active", "removed_in_crm")
    search_fields = ("name", "code")


for model in (CrmStatusGroup, CrmStore, CrmPriceType, CrmPaymentType, CrmDeliveryType, CrmOrderType, CrmOrderMethod):
    admin.site.register(model, DictionaryAdmin)


@admin.register(CrmSite)
class CrmSiteAdmin(DictionaryAdmin):
    """The shop's catalog URL in RetailCRM carries our feed secret when it is our feed: whole only for
    those who may change the settings (they paste it into RetailCRM), masked for everyone else."""

    readonly_fields = ("masked_yml_url",)

    def get_fields(self, request, obj=None):
        fields = [name for name in super().get_fields(request, obj) if name != "masked_yml_url"]
        if user_may(request.user, CHANGE_SETTINGS):
            return fields
        return ["masked_yml_url" if name == "yml_url" else name for name in fields]

    @admin.display(description=_("catalog URL in CRM"))
    def masked_yml_url(self, obj):
        return redact(obj.yml_url)


@admin.register(CrmPaymentStatus)
class CrmPaymentStatusAdmin(DictionaryAdmin):
    list_display = ("name", "code", "payment_complete", "active", "removed_in_crm", "synced_at")
    list_filter = ("payment_complete", "active", "removed_in_crm")


@admin.register(CrmStatus)
class CrmStatusAdmin(DictionaryAdmin):
    list_display = ("name", "code", "group", "active", "removed_in_crm", "synced_at")
    list_filter = ("group", "active", "removed_in_crm")
    list_select_related = ("group",)


@admin.register(CrmUser)
class CrmUserAdmin(ReadOnlyAdmin):
    list_display = ("crm_id", "first_name", "last_name", "email", "active", "removed_in_crm", "synced_at")
    list_filter = ("active", "is_manager", "removed_in_crm")
    search_fields = ("first_name", "last_name", "email", "=crm_id")

    @admin.display(description=_("name"))
    def full_name(self, obj):
        return f"{obj.first_name} {obj.last_name}".strip()
