"""The RetailCRM settings page laid out like the 1C module's form: one tab per task.

Each tab names the settings fieldsets it shows, the buttons that act on it (the page's own
django-object-actions buttons, or another admin's — always only those the user may press), and the
mapping tables it lists (read from the mapping models, each row linked to its own admin page).
Without JavaScript every tab is shown one after the other; settings-tabs.js turns them into tabs.
"""

from dataclasses import dataclass, field

from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import _boolean_icon
from django.contrib.admin.utils import display_for_field, display_for_value, label_for_field, lookup_field
from django.core.exceptions import ObjectDoesNotExist
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext, gettext_lazy as _

from integration import models as im
from integration.exchange.permissions import RUN_IMPORTS, user_may

ROWS_SHOWN = 100  # a mapping table longer than this is read on its own page


@dataclass(frozen=True)
class Table:
    model: type
    unmapped_book: str | None = None  # references.UNMAPPED key: list the CRM codes without a row
    crm_field: str = ""  # the row's FK to the CRM entry: the "add" link for an unmapped code preselects it
    empty_rows: bool = False  # a button creates empty rows for the unmapped codes (B6/B7)


@dataclass(frozen=True)
class Tab:
    code: str
    title: str
    fieldsets: tuple = ()  # fieldset names of CrmSettingsAdmin.fieldsets
    buttons: tuple = ()  # change_actions of CrmSettingsAdmin, in the order drawn
    tables: tuple = ()
    links: tuple = field(default=())  # (url name, label)


TABS = (
    Tab("main", _("Main"), (_("Connection"), _("History cursor")),
        ("check_connection", "run_import_orders", "run_sync_references", "register_module", "create_custom_field")),
    Tab("constants", _("Constants"), (_("Defaults"),)),
    Tab("statuses", _("Statuses"), (), ("run_sync_references",), (
        Table(im.StatusImportMapping, "statuses", "crm_status"), Table(im.StatusExportMapping))),
    Tab("managers", _("Managers"), (), ("run_sync_references",), (Table(im.ManagerMapping),)),
    Tab("warehouses", _("Warehouses"), (), ("run_sync_references", "run_export_stock", "export_all_stock"), (
        Table(im.WarehouseMapping, "stores", "crm_store"),)),
    Tab("catalog", _("Catalog"), (_("Catalog identifiers"),), ("run_generate_catalog",), (Table(im.ShopOrganization),)),
    Tab("price-types", _("Price types"), (), ("run_sync_references", "run_export_prices", "export_all_prices"), (
        Table(im.PriceTypeMapping, "price_types", "crm_price_type"),)),
    Tab("payments", _("Payments"), (), ("run_sync_references",), (
        Table(im.PaymentTypeMapping, "payment_types", "crm_payment_type", empty_rows=True),)),
    Tab("delivery", _("Delivery"), (), ("run_sync_references",), (
        Table(im.DeliveryTypeMapping, "delivery_types", "crm_delivery_type", empty_rows=True),)),
    Tab("exchange", _("Settings"), (_("Exchange modes"), _("Webhook and trigger"), _("Housekeeping"))),
    Tab("loyalty", _("Loyalty program")),
)


def _url(name, *args, **kwargs) -> str | None:
    try:
        return reverse(name, args=args, kwargs=kwargs)
    except NoReverseMatch:
        return None


def _cell(model_admin, name, obj):
    try:
        field_, attr, value = lookup_field(name, obj, model_admin)
    except ObjectDoesNotExist:
        return "—"
    if getattr(attr, "boolean", False):
        return _boolean_icon(value)
    if field_ is not None:
        return display_for_field(value, field_, "—")
    return display_for_value(value, "—")


def _table(request, table: Table) -> dict | None:
    """A mapping table for the page, or None when the user may not see the model."""
    from integration.retailcrm.references import unmapped_codes

    model_admin = admin.site._registry.get(table.model)
    opts = table.model._meta
    if model_admin is None or not model_admin.has_view_or_change_permission(request):
        return None
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    hidden_because = getattr(model_admin, "shown_when", None)
    if hidden_because and not getattr(im.CrmSettings.get_solo(), hidden_because):
        field_label = im.CrmSettings._meta.get_field(hidden_because).verbose_name
        return {"title": opts.verbose_name_plural, "off": gettext("Switched off: turn on “%(switch)s” on the Settings tab.")
                % {"switch": field_label}}
    columns = [name for name in model_admin.get_list_display(request) if name != "action_checkbox"]
    queryset = model_admin.get_queryset(request)
    total = queryset.count()
    rows = []
    for obj in queryset[:ROWS_SHOWN]:
        rows.append({
            "url": reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]),
            "cells": [_cell(model_admin, name, obj) for name in columns],
        })
    may_add = model_admin.has_add_permission(request)
    unmapped = []
    if table.unmapped_book:
        entry_model = table.model._meta.get_field(table.crm_field).related_model
        entries = entry_model.objects.filter(code__in=unmapped_codes(table.unmapped_book)).order_by("code")
        add_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        unmapped = [{"code": entry.code, "name": entry.name,
                     "add_url": f"{add_url}?{table.crm_field}={entry.pk}" if may_add else None} for entry in entries]
    create_rows_url = None
    if table.empty_rows and unmapped and user_may(request.user, f"{opts.app_label}.add_{opts.model_name}"):
        create_rows_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_actions", kwargs={"tool": "create_unmapped_rows"})
    return {
        "title": opts.verbose_name_plural,
        "headers": [label_for_field(name, table.model, model_admin) for name in columns],
        "rows": rows, "total": total, "more": total > len(rows), "changelist_url": changelist,
        "add_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_add") if may_add else None,
        "unmapped": unmapped, "create_rows_url": create_rows_url, "form_id": f"create-rows-{opts.model_name}",
    }


def _loyalty(request) -> dict | None:
    from loyalty.models import LoyaltySettings

    loyalty_admin = admin.site._registry.get(LoyaltySettings)
    if loyalty_admin is None or not loyalty_admin.has_view_or_change_permission(request):
        return None
    row = LoyaltySettings.get_solo()
    refresh = None
    if user_may(request.user, RUN_IMPORTS):
        refresh = _url("admin:loyalty_loyaltysettings_actions", pk=row.pk, tool="refresh_programs")
    return {"program": row.program, "url": reverse("admin:loyalty_loyaltysettings_change"), "refresh_url": refresh}


def settings_tabs(request, adminform, objectactions, action_url) -> list[dict]:
    """The tabs of the page for this user: their fieldsets, permitted buttons and tables."""
    fieldsets = {str(fieldset.name): fieldset for fieldset in adminform}
    tools = {tool["name"]: tool for tool in objectactions}  # already only what the user may press
    tabs = []
    for tab in TABS:
        tabs.append({
            "code": tab.code, "title": tab.title,
            "fieldsets": [fieldsets[str(name)] for name in tab.fieldsets if str(name) in fieldsets],
            "buttons": [{**tools[name], "form_id": f"tool-{name}", "url": action_url(name)}
                        for name in tab.buttons if name in tools],
            "tables": [shown for table in tab.tables if (shown := _table(request, table)) is not None],
            "loyalty": _loyalty(request) if tab.code == "loyalty" else None,
        })
    return tabs
