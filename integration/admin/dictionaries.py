from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from integration.admin.base import ReadOnlyAdmin
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


for model in (CrmSite, CrmStatusGroup, CrmStore, CrmPriceType, CrmPaymentType, CrmDeliveryType, CrmOrderType, CrmOrderMethod):
    admin.site.register(model, DictionaryAdmin)


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
