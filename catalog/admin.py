from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils.translation import gettext, gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ImportForm

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
from catalog.resources import (
    CharacteristicResource,
    PriceResource,
    ProductGroupResource,
    ProductResource,
    StockBalanceResource,
)
from catalog.spreadsheets import CatalogFileRefused, CheckedCSV, CheckedXLSX, check_upload_size, escaped_dataset


class CatalogImportForm(ImportForm):
    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            check_upload_size(upload.size)  # refused before anything is read into memory
        except CatalogFileRefused as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload


class CatalogImportExportMixin(ImportExportMixin):
    """CSV/XLSX import and export buttons on a catalog changelist (C1), with the limits and the
    formula escaping of catalog/spreadsheets.py."""

    formats = (CSV, XLSX)
    import_formats = (CheckedCSV, CheckedXLSX)  # same order as ``formats``: the form's choice is an index
    export_formats = (CSV, XLSX)
    import_form_class = CatalogImportForm

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, CatalogFileRefused):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def get_data_for_export(self, request, queryset, **kwargs):
        return escaped_dataset(super().get_data_for_export(request, queryset, **kwargs))

    def has_import_permission(self, request):
        # An import both adds and changes rows: it needs both permissions (the setting asks for "add").
        return super().has_import_permission(request) and self.has_change_permission(request)

    def process_result(self, result, request):
        """The confirm step re-reads the file; if a row fails now, show why instead of "finished"."""
        if not (result.has_errors() or result.has_validation_errors()):
            return super().process_result(result, request)
        messages.error(request, gettext("Nothing was imported: correct the rows below and upload the file again."))
        form = self.get_import_form_class(request)(self.get_import_formats(), self.get_import_resource_classes(request))
        context = {
            **self.admin_site.each_context(request),
            **self.get_import_context_data(),
            "title": gettext("Import"),
            "form": form,
            "opts": self.model._meta,
            "media": self.media + form.media,
            "result": result,
            "import_error_display": self.import_error_display,
        }
        return TemplateResponse(request, [self.import_template_name], context)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "symbol")
    search_fields = ("name", "code")


@admin.register(ProductGroup)
class ProductGroupAdmin(CatalogImportExportMixin, admin.ModelAdmin):
    resource_classes = [ProductGroupResource]
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


class VatRateFilter(admin.SimpleListFilter):
    """The rates the CRM knows, not SELECT DISTINCT over 100,000 products on every page view."""

    title = _("VAT rate")
    parameter_name = "vat_rate"
    RATES = ("none", "0", "5", "7", "10", "20", "22")

    def lookups(self, request, model_admin):
        return [(rate, rate) for rate in self.RATES]

    def queryset(self, request, queryset):
        return queryset.filter(vat_rate=self.value()) if self.value() else queryset


@admin.register(Product)
class ProductAdmin(CatalogImportExportMixin, admin.ModelAdmin):
    resource_classes = [ProductResource]
    list_display = ("name", "code", "article", "kind", "group", "unit", "vat_rate", "active", "updated_at")
    list_filter = ("kind", "active", VatRateFilter, "unit")
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
class CharacteristicAdmin(CatalogImportExportMixin, admin.ModelAdmin):
    resource_classes = [CharacteristicResource]
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


@admin.register(Price)
class PriceAdmin(CatalogImportExportMixin, admin.ModelAdmin):
    resource_classes = [PriceResource]
    list_display = ("product", "characteristic", "price_type", "price", "updated_at")
    list_filter = ("price_type",)
    list_select_related = ("product", "characteristic__product", "price_type")
    search_fields = ("product__name", "product__code")
    raw_id_fields = ("product", "characteristic")
    show_full_result_count = False


@admin.register(StockBalance)
class StockBalanceAdmin(CatalogImportExportMixin, admin.ModelAdmin):
    resource_classes = [StockBalanceResource]
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
