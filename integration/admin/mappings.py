from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy as _
from django_object_actions import DjangoObjectActions, action
from simple_history.admin import SimpleHistoryAdmin

from integration.admin.buttons import PermittedButtons, enqueue_from_admin, job_button, requires
from integration.retailcrm.features import hidden_fields, visible
from integration.exchange.permissions import RUN_IMPORTS, user_may

from integration.models import (
    DeliveryTypeMapping,
    CrmSettings,
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


class MappingAdmin(PermittedButtons, DjangoObjectActions, SimpleHistoryAdmin):
    """A mapping page: "Load from RetailCRM", the unmapped CRM entries, and flags for vanished ones."""

    change_list_template = "admin/integration/mapping_change_list.html"
    changelist_actions = ("run_sync_references",)
    run_sync_references = job_button("sync-references")
    unmapped_book: str | None = None
    crm_field: str = ""
    shown_when: str | None = None  # a CrmSettings flag that must be on for the page to be listed

    def get_model_perms(self, request):
        if not hasattr(request, "_crm_settings"):  # one query per page, not one per mapping admin
            request._crm_settings = CrmSettings.get_solo()
        if self.shown_when and not getattr(request._crm_settings, self.shown_when):
            return {}  # hidden from the admin index until the mode is switched on
        return super().get_model_perms(request)

    def get_exclude(self, request, obj=None):
        # Switches whose feature is not built yet (integration/retailcrm/features.py) stay off the form.
        return (*(super().get_exclude(request, obj) or ()), *hidden_fields(self.model))

    def changelist_view(self, request, extra_context=None):
        from integration.retailcrm.references import unmapped_codes

        extra_context = extra_context or {}
        if self.unmapped_book:
            extra_context["unmapped"] = unmapped_codes(self.unmapped_book)
        if self.crm_field:
            extra_context["removed_count"] = self.model.objects.filter(**{f"{self.crm_field}__removed_in_crm": True}).count()
        return super().changelist_view(request, extra_context)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # B6/B7: offer only the CRM types the shops in use can see.
        if db_field.name in ("crm_payment_type", "crm_delivery_type"):
            from integration.retailcrm.references import available_to_shops, shops_in_use

            model = db_field.related_model
            allowed = [entry.pk for entry in available_to_shops(model.objects.filter(removed_in_crm=False), shops_in_use())]
            kwargs["queryset"] = model.objects.filter(pk__in=allowed)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        # A mapping row points at an order state, a warehouse or a CRM entry; the ✎/+/✖ beside it would
        # edit or delete that entry itself (deleting an order state from a mapping row), not the row.
        widget = getattr(formfield, "widget", None)
        if widget is not None and hasattr(widget, "can_delete_related"):
            widget.can_add_related = widget.can_change_related = widget.can_delete_related = False
            widget.can_view_related = False
        return formfield

    @admin.display(description=_("removed in CRM"), boolean=True)
    def crm_entry_removed(self, obj):
        return getattr(obj, self.crm_field).removed_in_crm


@admin.register(StatusImportMapping)
class StatusImportMappingAdmin(MappingAdmin):
    crm_field = "crm_status"
    unmapped_book = "statuses"
    list_display = visible(StatusImportMapping, ("crm_status", "local_state", "cancel_order", "create_sale", "crm_entry_removed"))
    list_editable = visible(StatusImportMapping, ("local_state", "cancel_order", "create_sale"))
    list_select_related = ("crm_status", "local_state")
    list_filter = visible(StatusImportMapping, ("cancel_order", "create_sale", "local_state"))
    search_fields = ("crm_status__name", "crm_status__code")
    autocomplete_fields = ("crm_status",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._offer_waiting_orders(request, obj.crm_status.code)

    def _offer_waiting_orders(self, request, status: str) -> None:
        """Orders skipped in a status B1 now lists are imported by the next run; queue that run now."""
        from integration.retailcrm.orders.waiting import waiting_count

        waiting = waiting_count([status])
        if not waiting or getattr(request, "_waiting_import_queued", False):
            return
        request._waiting_import_queued = True  # one run for a whole list of edited rows
        if not user_may(request.user, RUN_IMPORTS):  # may edit the table, not start imports: the schedule will
            self.message_user(request, gettext(
                "Orders waiting in status %(status)s: %(count)d. The next scheduled “Import orders” run loads them."
            ) % {"count": waiting, "status": status})
            return
        self.message_user(request, gettext(
            "Orders waiting in status %(status)s: %(count)d. The next “Import orders” run loads them; it is queued now."
        ) % {"count": waiting, "status": status})
        enqueue_from_admin(request, "import-orders")


@admin.register(StatusExportMapping)
class StatusExportMappingAdmin(MappingAdmin):
    crm_field = "crm_status"
    list_display = ("rule", "local_state", "crm_status", "crm_entry_removed")
    fields = ("rule", "local_state", "crm_status")
    list_select_related = ("crm_status", "local_state")
    autocomplete_fields = ("crm_status",)


@admin.register(ManagerMapping)
class ManagerMappingAdmin(MappingAdmin):
    crm_field = "crm_user"
    list_display = ("crm_user", "local_user", "manual_id", "matched_automatically", "crm_entry_removed")

    def save_model(self, request, obj, form, change):
        if "local_user" in form.changed_data:
            obj.matched_automatically = False  # the operator's choice is final
        super().save_model(request, obj, form, change)
    list_select_related = ("crm_user", "local_user")
    search_fields = ("crm_user__email", "crm_user__last_name", "manual_id")
    autocomplete_fields = ("crm_user",)


@admin.register(WarehouseMapping)
class WarehouseMappingAdmin(MappingAdmin):
    crm_field = "crm_store"
    unmapped_book = "stores"
    list_display = ("crm_store", "warehouse", "export_stock", "crm_entry_removed")
    list_editable = ("export_stock",)
    list_select_related = ("crm_store", "warehouse")


@admin.register(PriceTypeMapping)
class PriceTypeMappingAdmin(MappingAdmin):
    crm_field = "crm_price_type"
    unmapped_book = "price_types"
    shown_when = "use_price_types"
    list_display = ("crm_price_type", "price_type", "crm_entry_removed")
    list_select_related = ("crm_price_type", "price_type")


def unmapped_rows_button(model):
    """B6/B7 start empty: a button that makes a row for every unmapped CRM code, for the operator to
    fill; it needs the permission to add rows of ``model``."""
    opts = model._meta

    @action(label=_("Create rows for the unmapped codes"),
            description=_("Adds an empty row for every active RetailCRM entry that has none; fill them in afterwards"))
    @requires(f"{opts.app_label}.add_{opts.model_name}")
    def create_unmapped_rows(self, request, obj=None):
        from integration.retailcrm.references import create_unmapped_rows

        created = create_unmapped_rows(self.unmapped_book)
        if created:
            messages.success(request, gettext("Rows created for the unmapped codes: %(count)d. Fill them in.") % {"count": created})
        else:
            messages.info(request, gettext("Every RetailCRM entry already has a row."))
        back = request.POST.get("next") or ""
        if not (back.startswith(reverse("admin:index")) and not back.startswith("//")):
            back = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        return HttpResponseRedirect(back)

    return create_unmapped_rows


@admin.register(PaymentTypeMapping)
class PaymentTypeMappingAdmin(MappingAdmin):
    changelist_actions = ("run_sync_references", "create_unmapped_rows")
    create_unmapped_rows = unmapped_rows_button(PaymentTypeMapping)
    crm_field = "crm_payment_type"
    unmapped_book = "payment_types"
    list_display = visible(PaymentTypeMapping, ("crm_payment_type", "document_kind", "terminal", "use_for_export", "crm_entry_removed"))
    list_select_related = ("crm_payment_type",)
    list_filter = visible(PaymentTypeMapping, ("document_kind", "use_for_export"))


@admin.register(DeliveryTypeMapping)
class DeliveryTypeMappingAdmin(MappingAdmin):
    changelist_actions = ("run_sync_references", "create_unmapped_rows")
    create_unmapped_rows = unmapped_rows_button(DeliveryTypeMapping)
    crm_field = "crm_delivery_type"
    unmapped_book = "delivery_types"
    list_display = ("crm_delivery_type", "method", "carrier", "crm_entry_removed")
    list_select_related = ("crm_delivery_type",)
    list_filter = ("method",)


@admin.register(ShopOrganization)
class ShopOrganizationAdmin(MappingAdmin):
    crm_field = "crm_site"
    shown_when = "multiple_organizations"
    list_display = ("crm_site", "organization", "default_warehouse", "export_stock", "export_prices", "export_catalog", "crm_entry_removed")
    list_select_related = ("crm_site", "organization", "default_warehouse")
    filter_horizontal = ("warehouses", "catalog_groups")
