from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from integration.models import Customer, Order, OrderLine, Payment, Return, ReturnLine, Sale


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "company", "phone", "email", "crm_id", "crm_corporate_id", "external_id", "updated_at")
    list_filter = ("kind", "gender")
    list_select_related = ("company",)
    raw_id_fields = ("company",)
    search_fields = ("last_name", "first_name", "company_name", "phone", "email", "=crm_id", "external_id")
    show_full_result_count = False


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    raw_id_fields = ("product", "characteristic")
    fields = (
        "product", "characteristic", "is_delivery", "quantity", "price", "discount_per_unit", "amount",
        "bonuses_charged", "bonuses_credited", "vat_rate", "crm_status", "crm_item_id",
    )


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    fields = ("crm_type", "crm_status", "document_kind", "terminal", "amount", "paid", "paid_at", "crm_id")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = (
        "number", "date", "customer", "state", "crm_status", "crm_number", "crm_site", "total", "closed", "cancelled",
    )
    list_filter = ("state", "closed", "cancelled", "delivery_defaulted", "source", "crm_site")
    list_select_related = ("customer", "state")
    search_fields = ("number", "crm_number", "=crm_id", "customer__last_name", "customer__phone")
    date_hierarchy = "date"
    raw_id_fields = ("customer", "manager")
    inlines = (OrderLineInline, PaymentInline)
    readonly_fields = ("address_by_parts",)
    fieldsets = (
        (None, {"fields": (
            "number", "date", "source", "state", "closed", "cancelled", "customer", "organization", "warehouse",
            "manager", "total", "discount_total", "bonuses_charged", "bonuses_credited", "comment",
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

    @admin.display(description=_("delivery address by parts"))
    def address_by_parts(self, obj):
        from integration.services.orders.address import labelled_parts

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


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ("order", "crm_type", "crm_status", "document_kind", "amount", "paid", "paid_at", "crm_id")
    list_filter = ("paid", "document_kind")
    list_select_related = ("order",)
    search_fields = ("order__number", "=crm_id")
    raw_id_fields = ("order",)


@admin.register(Sale)
class SaleAdmin(admin.ModelAdmin):
    list_display = ("number", "date", "order", "total", "posted", "exported")
    list_filter = ("posted", "exported")
    list_select_related = ("order",)
    search_fields = ("number", "order__number")
    raw_id_fields = ("order",)


class ReturnLineInline(admin.TabularInline):
    model = ReturnLine
    extra = 0
    raw_id_fields = ("order_line",)


@admin.register(Return)
class ReturnAdmin(admin.ModelAdmin):
    list_display = ("number", "date", "order", "crm_status", "total", "exported")
    list_filter = ("crm_status", "exported")
    list_select_related = ("order",)
    search_fields = ("number", "order__number")
    raw_id_fields = ("order",)
    inlines = (ReturnLineInline,)

