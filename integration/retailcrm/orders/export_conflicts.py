"""Conflicts between the export of an order's posted change and an import of the same order.

The import calls :func:`before_import` holding the orders' entity locks, before it applies the
CRM data it fetched. A posted local change not yet exported is sent first, and the CRM's answer
(its state with our change in it) is what the import then applies: a field we changed keeps our
value, a field only the CRM changed is applied. Data fetched before one of our exports landed is
fetched again. The exchange log says, per order, which side won for which field and why.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_noop

from integration import models as im
from integration.exchange.messages import joined, of_exception, stored
from integration.retailcrm.client.errors import CrmError
from integration.retailcrm.orders.export import ExportRefs, export_order, exportable, field_names
from integration.retailcrm.orders.export_state import crm_changed_fields


def _names(fields):
    return field_names(fields)


def before_import(client, ctx, ids: list[int], current: dict[int, dict], fetched_at: float | None = None) -> None:
    """Send the due local changes of ``ids`` first and refresh ``current`` where it is older than our export."""
    if not ids:
        return
    due = Q(export_pending=True)
    if fetched_at is not None:
        due |= Q(crm_seen__at__gte=fetched_at)
    orders = list(im.Order.objects.select_related("state", "manager", "warehouse").filter(due, crm_id__in=ids))
    if not orders:
        return
    refs, stale = None, []
    for order in orders:
        if not order.export_pending:
            stale.append(order.crm_id)
            continue
        if not (exportable(order) and refs_settings_export_on()):
            im.Order.objects.filter(pk=order.pk).update(export_pending=False)  # export is off: the CRM state wins
            continue
        refs = refs or ExportRefs()
        _send_first(client, ctx, order, current, refs)
    if stale:
        current.update({int(data["id"]): data for data in client.orders_by_ids(stale)})


def refs_settings_export_on() -> bool:
    return bool(im.CrmSettings.get_solo().export_order_changes)


def _send_first(client, ctx, order, current: dict[int, dict], refs: ExportRefs) -> None:
    fetched = current.get(order.crm_id)
    crm_changed = crm_changed_fields(order, fetched) if fetched is not None else []
    try:
        outcome = export_order(client, order, refs)
    except CrmError as exc:
        ctx.event(entity="order", direction=im.ExchangeEvent.Direction.EXPORT, crm_id=order.crm_id,
                  local_ref=order.number, result=im.ExchangeEvent.Result.FAILED, message=stored(gettext_noop(
                      "The local change posted and not yet exported could not be sent, so RetailCRM's state is not "
                      "applied over it; the order is tried again: %(error)s")) % {"error": of_exception(exc)})
        return
    if outcome.answer is not None:
        current[order.crm_id] = outcome.answer
    parts = []
    both = [name for name in outcome.sent if name in crm_changed]
    ours = [name for name in outcome.sent if name not in crm_changed]
    theirs = [name for name in crm_changed if name not in outcome.sent]
    if both:
        parts.append(stored(gettext_noop(
            "Changed on both sides: %(fields)s. The local change wins: it was posted before RetailCRM's change was "
            "loaded, so it was sent first.")) % {"fields": _names(both)})
    if ours:
        parts.append(stored(gettext_noop(
            "The local change to %(fields)s was posted and not yet exported: sent before RetailCRM's state was "
            "applied again.")) % {"fields": _names(ours)})
    if theirs:
        parts.append(stored(gettext_noop(
            "RetailCRM's change to %(fields)s is applied: it was not changed here.")) % {"fields": _names(theirs)})
    parts.extend(outcome.notes)
    ctx.count("orders_sent_before_import")
    ctx.event(entity="order", direction=im.ExchangeEvent.Direction.EXPORT, crm_id=order.crm_id, local_ref=order.number,
              result=outcome.result, message=joined(parts) if parts else "")
