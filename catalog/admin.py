from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django_object_actions import DjangoObjectActions

from catalog.models import (
    Characteristic,
    Organization,
    Price,
    PriceType,
    Product,
    ProductGroup,
    StockBalance,
    Unit,
    Warehouse,
)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "symbol")
    search_fields = ("name", "code")


@admin.register(ProductGroup)
class ProductGroupAdmin(admin.ModelAdmin):
    list_display = ("indented_name", "code", "parent", "product_count", "updated_at")
    list_select_related = ("parent",)
    search_fields = ("name", "code")
    raw_id_fields = ("parent",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_product_count=Count("products"))

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, obj):
        return "— " * obj.depth + obj.name

    @admin.display(description=_("products"), ordering="_product_count")
    def product_count(self, obj):
        return obj._product_count


class CharacteristicInline(admin.TabularInline):
    model = Characteristic
    extra = 0
    fields = ("name", "guid", "barcode", "active")


class PriceInline(admin.TabularInline):
    model = Price
    extra = 0
    raw_id_fields = ("characteristic",)


class StockInline(admin.TabularInline):
    model = StockBalance
    extra = 0
    raw_id_fields = ("characteristic",)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "article", "kind", "group", "unit", "vat_rate", "active", "updated_at")
    list_filter = ("kind", "active", "vat_rate", "unit")
    list_select_related = ("group", "unit")
    search_fields = ("name", "code", "article", "barcode", "=guid")
    raw_id_fields = ("group",)
    inlines = (CharacteristicInline, PriceInline, StockInline)
    show_full_result_count = False  # no COUNT(*) over 100,000 products per page view
    fieldsets = (
        (None, {"fields": ("name", "full_name", "kind", "group", "unit", "active")}),
        (_("Identifiers"), {"fields": ("guid", "code", "article", "barcode")}),
        (_("Details"), {"fields": ("vat_rate", "vendor", "picture_url", "weight", "length", "width", "height")}),
    )


@admin.register(Characteristic)
class CharacteristicAdmin(admin.ModelAdmin):
    list_display = ("name", "product", "guid", "barcode", "active")
    list_select_related = ("product",)
    search_fields = ("name", "product__name", "=guid")
    raw_id_fields = ("product",)
    show_full_result_count = False


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "guid")
    search_fields = ("name", "code")


@admin.register(PriceType)
class PriceTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "currency")
    search_fields = ("name", "code")


def _export_button(kind_name: str):
    """The RetailCRM export of this data (D1/D2), next to the data itself."""
    from integration.admin.buttons import job_button

    return job_button(kind_name)


@admin.register(Price)
class PriceAdmin(DjangoObjectActions, admin.ModelAdmin):
    changelist_actions = ("run_export_prices",)
    run_export_prices = _export_button("export-prices")
    list_display = ("product", "characteristic", "price_type", "price", "updated_at")
    list_filter = ("price_type",)
    list_select_related = ("product", "characteristic__product", "price_type")
    search_fields = ("product__name", "product__code")
    raw_id_fields = ("product", "characteristic")
    show_full_result_count = False


@admin.register(StockBalance)
class StockBalanceAdmin(DjangoObjectActions, admin.ModelAdmin):
    changelist_actions = ("run_export_stock",)
    run_export_stock = _export_button("export-stock")
    list_display = ("product", "characteristic", "warehouse", "quantity", "updated_at")
    list_filter = ("warehouse",)
    list_select_related = ("product", "characteristic__product", "warehouse")
    search_fields = ("product__name", "product__code")
    raw_id_fields = ("product", "characteristic")
    show_full_result_count = False


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "inn", "currency", "taxation", "vat_included")
    search_fields = ("name", "inn")
