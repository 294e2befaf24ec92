from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from integration.models import (
    DeliveryTypeMapping,
    ManagerMapping,
    OrderState,
    PaymentTypeMapping,
    PriceTypeMapping,
    ShopOrganization,
    StatusExportMapping,
    StatusImportMapping,
    WarehouseMapping,
)


@admin.register(OrderState)
class OrderStateAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "code", "is_closed", "ordering")
    list_editable = ("ordering",)
    search_fields = ("code", "name")


@admin.register(StatusImportMapping)
class StatusImportMappingAdmin(SimpleHistoryAdmin):
    list_display = ("crm_status", "local_state", "cancel_order", "create_sale")
    list_editable = ("local_state", "cancel_order", "create_sale")
    list_select_related = ("crm_status", "local_state")
    list_filter = ("cancel_order", "create_sale", "local_state")
    search_fields = ("crm_status__name", "crm_status__code")
    autocomplete_fields = ("crm_status",)


@admin.register(StatusExportMapping)
class StatusExportMappingAdmin(SimpleHistoryAdmin):
    list_display = ("local_state", "crm_status")
    list_select_related = ("crm_status", "local_state")
    autocomplete_fields = ("crm_status",)


@admin.register(ManagerMapping)
class ManagerMappingAdmin(SimpleHistoryAdmin):
    list_display = ("crm_user", "local_user", "manual_id", "matched_automatically")
    list_select_related = ("crm_user", "local_user")
    search_fields = ("crm_user__email", "crm_user__last_name", "manual_id")
    autocomplete_fields = ("crm_user",)


@admin.register(WarehouseMapping)
class WarehouseMappingAdmin(SimpleHistoryAdmin):
    list_display = ("crm_store", "warehouse", "export_stock")
    list_editable = ("export_stock",)
    list_select_related = ("crm_store", "warehouse")


@admin.register(PriceTypeMapping)
class PriceTypeMappingAdmin(SimpleHistoryAdmin):
    list_display = ("crm_price_type", "price_type")
    list_select_related = ("crm_price_type", "price_type")


@admin.register(PaymentTypeMapping)
class PaymentTypeMappingAdmin(SimpleHistoryAdmin):
    list_display = ("crm_payment_type", "document_kind", "terminal", "use_for_export")
    list_select_related = ("crm_payment_type",)
    list_filter = ("document_kind", "use_for_export")


@admin.register(DeliveryTypeMapping)
class DeliveryTypeMappingAdmin(SimpleHistoryAdmin):
    list_display = ("crm_delivery_type", "method", "carrier")
    list_select_related = ("crm_delivery_type",)
    list_filter = ("method",)


@admin.register(ShopOrganization)
class ShopOrganizationAdmin(SimpleHistoryAdmin):
    list_display = ("crm_site", "organization", "default_warehouse", "export_stock", "export_prices", "export_catalog")
    list_select_related = ("crm_site", "organization", "default_warehouse")
    filter_horizontal = ("warehouses", "catalog_groups")
