from django import forms
from django.contrib import admin
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django_object_actions import DjangoObjectActions

from integration.admin.base import PlainReferences
from integration.admin.buttons import CONSOLE_CSS, PermittedActions, PermittedButtons
from integration.admin.order_posting import OrderPostingMixin
from integration.admin.document_posting import make_return_drafts, posting_actions
from integration.exchange.messages import render
from integration.models import CrmSite, Customer, Order, OrderLine, Payment, Return, ReturnLine, Sale, SaleLine

# Long texts as a few lines, not a 2,565-pixel-wide page.
COMPACT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 60})}}


class CrmShopFilter(admin.SimpleListFilter):
    """The CRM shops from the dictionary (a few rows), not SELECT DISTINCT over every order."""

    title = _("CRM shop")
    parameter_name = "crm_site"

    def lookups(self, request, model_admin):
        return [(site.code, site.name or site.code) for site in CrmSite.objects.order_by("code")]

    def queryset(self, request, queryset):
        return queryset.filter(crm_site=self.value()) if self.value() else queryset


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "company", "phone", "email", "crm_id", "crm_corporate_id", "external_id", "updated_at")
    list_filter = ("kind", "gender")
    list_select_related = ("company",)
    raw_id_fields = ("company",)
    search_fields = ("last_name", "first_name", "company_name", "phone", "email", "=crm_id", "external_id")
    show_full_result_count = False


class OrderLineInline(PlainReferences, admin.TabularInline):
    model = OrderLine
    extra = 0
    classes = ("compact-inline",)
    raw_id_fields = ("product", "characteristic")
    fields = (
        "product", "characteristic", "is_delivery", "quantity", "price", "discount_per_unit", "amount",
        "bonuses_charged", "bonuses_credited", "vat_rate", "crm_status", "crm_item_id",
    )
    readonly_fields = ("crm_status", "crm_item_id")  # what the CRM said; text is narrower than an input


class PaymentInline(PlainReferences, admin.TabularInline):
    model = Payment
    extra = 0
    classes = ("compact-inline",)
    fields = ("crm_type", "crm_status", "document_kind", "terminal", "amount", "paid", "paid_at", "crm_id")


@admin.register(Order)
class OrderAdmin(PlainReferences, OrderPostingMixin, PermittedActions, PermittedButtons, DjangoObjectActions,
                 admin.ModelAdmin):
    # Eight narrow columns: Total/Closed/Cancelled stay in sight at 1,400 px (the CRM number and
    # shop are on the order's page and in the search and filters).
    list_display = ("number", "date_shown", "customer", "state", "crm_status", "total", "closed", "cancelled")
    # No date hierarchy and no per-value filters: each is a scan of every order on every page view.
    list_filter = ("state", "posted", "closed", "cancelled", "delivery_defaulted", "source", CrmShopFilter,
                   ("date", admin.DateFieldListFilter))
    list_select_related = ("customer", "state")
    search_fields = ("number", "crm_number", "=crm_id", "customer__last_name", "customer__phone")
    raw_id_fields = ("customer", "manager")
    formfield_overrides = COMPACT_TEXT
    inlines = (OrderLineInline, PaymentInline)
    readonly_fields = ("address_by_parts", "posted")  # posted changes only by "Post" / "Unpost"
    fieldsets = (
        (None, {"fields": (
            "number", "date", "source", "state", "posted", "closed", "cancelled", "customer", "organization", "warehouse",
            "currency", "priority", "taxation", "prices_include_vat", "manager", "total", "discount_total", "bonuses_charged", "bonuses_credited", "comment",
        )}),
        (_("Delivery"), {"fields": (
            "delivery_crm_code", "delivery_method", "delivery_defaulted", "delivery_carrier", "delivery_cost",
            "delivery_net_cost", "delivery_address", "address_by_parts",
        )}),
        (_("RetailCRM"), {"fields": (
            "crm_id", "crm_number", "crm_external_id", "crm_site", "crm_status", "deleted_in_crm",
        )}),
    )
    # COUNT(*) over 100,000 orders on every page view buys the operator nothing.
    show_full_result_count = False

    class Media:
        css = CONSOLE_CSS

    @admin.display(description=_("date"), ordering="date")
    def date_shown(self, obj):
        """"01.12.2026 20:57" rather than "Dec. 1, 2026, 8:57 p.m.": a narrow column."""
        return date_format(timezone.localtime(obj.date), "SHORT_DATETIME_FORMAT") if obj.date else "—"

    @admin.display(description=_("delivery address by parts"))
    def address_by_parts(self, obj):
        from integration.retailcrm.orders.address import labelled_parts

        parts = labelled_parts(obj.delivery_address_parts)
        if not parts:
            return "—"
        return format_html_join("", "<div><strong>{}:</strong> {}</div>", parts)


@admin.register(OrderLine)
class OrderLineAdmin(admin.ModelAdmin):
    list_display = ("order", "product", "characteristic", "quantity", "price", "amount", "bonuses_charged", "bonuses_credited")
    list_select_related = ("order", "product", "characteristic__product")
    search_fields = ("order__number", "product__name")
    raw_id_fields = ("order", "product", "characteristic")
    show_full_result_count = False


class ExportShown:
    @admin.display(description=_("export"))
    def export_shown(self, obj):
        return render(obj.export_message) or "—"


@admin.register(Payment)
class PaymentAdmin(PlainReferences, ExportShown, PermittedActions, admin.ModelAdmin):
    list_display = ("order", "crm_type", "crm_status", "document_kind", "amount", "paid", "paid_at", "posted", "crm_id",
                    "export_shown")
    list_filter = ("posted", "paid", "document_kind")
    list_select_related = ("order",)
    search_fields = ("order__number", "=crm_id")
    raw_id_fields = ("order",)
    readonly_fields = ("posted", "external_id", "export_pending", "export_shown")
    actions = ("post_selected", "unpost_selected")
    post_selected, unpost_selected = posting_actions("integration.change_payment")


class SaleLineInline(PlainReferences, admin.TabularInline):
    model = SaleLine
    extra = 0
    raw_id_fields = ("order_line", "product", "characteristic")


@admin.register(Sale)
class SaleAdmin(PlainReferences, ExportShown, PermittedActions, admin.ModelAdmin):
    list_display = ("number", "date", "order", "warehouse", "total", "posted", "exported", "export_shown")
    list_filter = ("posted", "exported")
    list_select_related = ("order", "warehouse")
    search_fields = ("number", "order__number")
    raw_id_fields = ("order",)
    readonly_fields = ("posted", "exported", "export_pending", "export_shown")
    inlines = (SaleLineInline,)
    actions = ("post_selected", "unpost_selected", make_return_drafts)
    post_selected, unpost_selected = posting_actions("integration.change_sale")


class ReturnLineInline(PlainReferences, admin.TabularInline):
    model = ReturnLine
    extra = 0
    raw_id_fields = ("order_line",)


@admin.register(Return)
class ReturnAdmin(PlainReferences, ExportShown, PermittedActions, admin.ModelAdmin):
    list_display = ("number", "date", "order", "sale", "crm_status", "total", "posted", "exported", "export_shown")
    list_filter = ("posted", "crm_status", "exported")
    list_select_related = ("order", "sale")
    search_fields = ("number", "order__number")
    raw_id_fields = ("order", "sale")
    readonly_fields = ("posted", "exported", "export_pending", "export_shown")
    inlines = (ReturnLineInline,)
    actions = ("post_selected", "unpost_selected")
    post_selected, unpost_selected = posting_actions("integration.change_return")

