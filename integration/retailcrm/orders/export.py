"""F1/F5: sending a posted (or unposted) CRM-born order's changes through ``orders/{id}/edit``.

Only the fields changed since the CRM last saw the order are sent (``export_state``); an order
with nothing changed costs no request. The status comes from B2 (an unposted order gets its
"unposting" row, a closed order with every line cancelled its "closed with all lines cancelled"
row), the manager from B3 read backwards, the shipment store from B4, the delivery type from B7
read backwards. Every edit flips our custom field (B10), so the trigger's
``hasChangedField`` clause skips our own edits, and the history import skips them too.

Each order is exported under its entity lock (an import of the same order waits), and what the
CRM answered is stored in the same transaction that clears the order's pending mark — one per
group of twenty orders, committed before their locks go: a worker killed in between sends the
same values again, which changes nothing more in the CRM (new lines carry our ``externalIds``
and are matched, not added twice).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from decimal import Decimal

import django_rq
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext_noop

from catalog.offers import offer_id
from integration import models as im
from integration.exchange.locks import entity_locks
from integration.exchange.messages import joined, of_exception, stored
from integration.exchange.rows import update_row
from integration.retailcrm.client.errors import CrmError
from integration.retailcrm.crm_setup import ECHO_FIELD_CODE
from integration.retailcrm.orders.export_state import changed_fields, crm_view, line_key, local_view, marker_of, number

LINE_CODE = "backoffice"  # our externalIds code on the lines we add, so a resent line is matched, not added
FIELD_NAMES = {
    "status": gettext_noop("status"), "manager": gettext_noop("manager"), "warehouse": gettext_noop("shipment store"),
    "delivery": gettext_noop("delivery"), "items": gettext_noop("items"),
}
Rule = im.StatusExportMapping.Rule


class ExportRefs:
    """B2, B3, B4, B7 read backwards, once per run."""

    def __init__(self):
        self.settings = im.CrmSettings.get_solo()
        rows = list(im.StatusExportMapping.objects.select_related("crm_status"))
        self.by_state = {row.local_state_id: row.crm_status.code for row in rows if row.rule == Rule.STATE}
        self.by_rule = {row.rule: row.crm_status.code for row in rows if row.rule != Rule.STATE}
        self.managers = {}
        for mapping in im.ManagerMapping.objects.select_related("crm_user").order_by("pk"):
            if mapping.local_user_id is not None:
                self.managers.setdefault(mapping.local_user_id, mapping.crm_user.crm_id)
        self.stores = {}
        for mapping in im.WarehouseMapping.objects.select_related("crm_store").order_by("pk"):
            self.stores.setdefault(mapping.warehouse_id, mapping.crm_store.code)
        self.deliveries, self.delivery_of = {}, {}
        for mapping in im.DeliveryTypeMapping.objects.select_related("crm_delivery_type").order_by("pk"):
            self.deliveries.setdefault((mapping.method, mapping.carrier), mapping.crm_delivery_type.code)
            self.deliveries.setdefault((mapping.method, None), mapping.crm_delivery_type.code)
            self.delivery_of[mapping.crm_delivery_type.code] = (mapping.method, mapping.carrier)


@dataclass
class Outcome:
    result: str  # an ExchangeEvent.Result
    sent: list[str] = field(default_factory=list)
    notes: list = field(default_factory=list)  # stored messages: what could not be sent and why
    answer: dict | None = None  # the CRM's order after the edit


def exportable(order) -> bool:
    """Orders born here are never exported (000 §8, 001 §7); neither is one the CRM deleted."""
    return order.source == im.Order.Source.CRM and order.crm_id is not None and not order.deleted_in_crm


def status_code(order, refs: ExportRefs):
    """B2's status for the order and, for a message, what the row is for (translated when shown)."""
    if not order.posted:
        return refs.by_rule.get(Rule.UNPOSTING), stored(gettext_noop("unposting"))
    if order.closed and order.cancelled:
        return refs.by_rule.get(Rule.ALL_CANCELLED), stored(gettext_noop("closed with all lines cancelled"))
    # Seeded state names are msgids with a Russian translation (OrderState.__str__); edited ones pass through.
    return refs.by_state.get(order.state_id), stored(order.state.name) if order.state_id else ""


def build_payload(order, lines, changed: list[str], refs: ExportRefs) -> tuple[dict, list[str], list]:
    """The edit for the ``changed`` fields: (payload, fields sent, notes on fields that could not be)."""
    payload, sent, notes = {}, [], []
    if not order.posted:
        changed = [name for name in changed if name == "status"]  # F5: an unposted order sends its cancel only
    if "status" in changed:
        code, subject = status_code(order, refs)
        if code:
            payload["status"] = code
            sent.append("status")
        else:
            notes.append(stored(gettext_noop(
                "The status is not sent: “B2 · statuses for export” has no row for “%(state)s”.")) % {"state": subject})
    if "manager" in changed:
        if order.manager_id is None:
            payload["managerId"] = None
            sent.append("manager")
        elif order.manager_id in refs.managers:
            payload["managerId"] = refs.managers[order.manager_id]
            sent.append("manager")
        else:
            notes.append(stored(gettext_noop(
                "The manager is not sent: %(user)s has no row in “B3 · managers”.")) % {"user": str(order.manager)})
    if "warehouse" in changed and order.warehouse_id is not None:
        if order.warehouse_id in refs.stores:
            payload["shipmentStore"] = refs.stores[order.warehouse_id]
            sent.append("warehouse")
        else:
            notes.append(stored(gettext_noop(
                "The shipment store is not sent: warehouse %(warehouse)s has no row in “B4 · warehouses”.")) % {
                "warehouse": str(order.warehouse)})
    if "delivery" in changed:
        delivery = {"cost": float(order.delivery_cost)}
        code = _delivery_code(order, refs)
        if code:
            delivery["code"] = code
        elif order.delivery_method:
            notes.append(stored(gettext_noop(
                "The delivery type is not sent: no row of “B7 · delivery types” has the method %(method)s.")) % {
                "method": im.DeliveryMethod(order.delivery_method).label})
        payload["delivery"] = delivery
        sent.append("delivery")
    if "items" in changed:
        payload["items"] = [_item(line, refs) for line in lines if not line.is_delivery]
        # The per-unit discounts carry the order's discount already (the import reads discountTotal).
        payload["discountManualAmount"] = 0
        payload["discountManualPercent"] = 0
        sent.append("items")
    return payload, sent, notes


def _delivery_code(order, refs: ExportRefs) -> str:
    current = order.delivery_crm_code
    if current and refs.delivery_of.get(current) == (order.delivery_method, order.delivery_carrier):
        return current  # the type the CRM has still means what we have: keep it
    return refs.deliveries.get((order.delivery_method, order.delivery_carrier)) \
        or refs.deliveries.get((order.delivery_method, None)) or ""


def _item(line, refs: ExportRefs) -> dict:
    quantity = line.quantity or Decimal("1")
    # 000 §7: the manual discount sent is the line's whole per-unit discount minus the bonuses charged.
    discount = max(line.discount_per_unit - line.bonuses_charged / quantity, Decimal("0"))
    item = {"quantity": float(line.quantity), "initialPrice": float(line.price),
            "discountManualAmount": float(discount.quantize(Decimal("0.01"))), "discountManualPercent": 0}
    if line.crm_item_id:
        item["id"] = line.crm_item_id
    else:
        settings = refs.settings
        item["offer"] = {settings.offer_id_field: offer_id(line.product, line.characteristic, settings.product_id_source)}
        item["externalIds"] = [{"code": LINE_CODE, "value": f"line-{line.pk}"}]
    return item


def export_order(client, order, refs: ExportRefs, lines=None, writes: list | None = None) -> Outcome:
    """Send what changed of ``order`` (call under its entity lock); raises CrmError when the CRM refuses.

    ``writes``: where to put the write-back instead of running it now (the caller runs the list in
    one transaction before it lets the lock go)."""
    lines = list(order.lines.select_related("product", "characteristic")) if lines is None else lines
    changed = changed_fields(order, lines)
    if not changed:
        _settle(order, None, [], lines, writes=writes)
        return Outcome(im.ExchangeEvent.Result.UNCHANGED)
    payload, sent, notes = build_payload(order, lines, changed, refs)
    if not payload:
        _settle(order, None, [], lines, writes=writes)
        return Outcome(im.ExchangeEvent.Result.UNCHANGED, notes=notes)
    marker = not bool((order.crm_seen or {}).get("marker"))
    payload.update({"id": order.crm_id, "customFields": {ECHO_FIELD_CODE: marker}})
    answer = client.order_edit(payload, by="id", site=order.crm_site or None).get("order")
    _settle(order, answer if isinstance(answer, dict) else None, sent, lines, marker=marker, writes=writes)
    return Outcome(im.ExchangeEvent.Result.UPDATED, sent, notes, answer if isinstance(answer, dict) else None)


def _settle(order, answer: dict | None, sent: list[str], lines, *, marker=None, writes: list | None = None) -> None:
    """Store what the CRM now has and clear the pending mark — unless the order was posted again meanwhile."""
    linked = _link_new_lines(lines, answer) if answer is not None else []
    seen = dict(order.crm_seen or {})
    local = local_view(order, lines)
    old_local = seen.get("local") or {}
    seen["local"] = {name: local[name] if name in sent or name not in old_local else old_local[name]
                     for name in local}
    if answer is not None:
        seen["crm"], seen["marker"], seen["at"] = crm_view(answer), marker_of(answer), time.time()
    elif marker is not None:
        seen["marker"] = marker
    values = {"crm_seen": seen}
    if answer is not None and answer.get("status"):
        values["crm_status"] = answer["status"]
    order.crm_seen = seen
    updated_at = order.updated_at

    def write():
        for line_pk, crm_item_id in linked:
            update_row(im.OrderLine, line_pk, {"crm_item_id": crm_item_id})
        # Posted again while we sent: the newer change stays due (its own run sends it).
        if not update_row(im.Order, order.pk, {**values, "export_pending": False}, where={"updated_at": updated_at}):
            update_row(im.Order, order.pk, values)

    if writes is not None:
        writes.append(write)
    else:
        with transaction.atomic():
            write()


def _link_new_lines(lines, answer: dict) -> list[tuple[int, int]]:
    """Lines we added get the CRM item ids the answer gave them (found by our externalIds);
    the (line, item id) pairs to store."""
    if all(line.crm_item_id for line in lines):
        return []
    ids = {}
    for item in answer.get("items") or []:
        for external in item.get("externalIds") or []:
            if isinstance(external, dict) and external.get("code") == LINE_CODE:
                ids[str(external.get("value"))] = item.get("id")
    linked = []
    for line in lines:
        crm_item_id = ids.get(f"line-{line.pk}")
        if not line.crm_item_id and crm_item_id:
            line.crm_item_id = crm_item_id
            linked.append((line.pk, crm_item_id))
    return linked


def field_names(fields):
    """The fields' names, each translated when the message is shown."""
    return joined([stored(FIELD_NAMES[name]) for name in fields], ", ")


def sent_message(outcome: Outcome):
    if not outcome.sent and outcome.notes:
        return joined(outcome.notes)  # changed here, but nothing of it could be sent: say why
    fields = field_names(outcome.sent)
    message = stored(gettext_noop("Sent to RetailCRM: %(fields)s.")) % {"fields": fields} if outcome.sent \
        else stored(gettext_noop("Nothing changed since RetailCRM last saw the order: nothing sent."))
    return joined([message, *outcome.notes]) if outcome.notes else message


BATCH = 100


def pending_orders(exclude: set[int], limit: int = BATCH) -> list[int]:
    return list(im.Order.objects.filter(export_pending=True, source=im.Order.Source.CRM, crm_id__isnull=False)
                .exclude(pk__in=exclude).order_by("pk").values_list("pk", flat=True)[:limit])


# What an export reads of an order and its lines; an order has forty fields, so the rest is not
# loaded (reading one of them would cost a query per order, never a wrong value).
EXPORT_FIELDS = ("number", "source", "crm_id", "crm_site", "state", "closed", "cancelled", "deleted_in_crm",
                 "warehouse", "manager", "delivery_method", "delivery_carrier", "delivery_cost", "delivery_crm_code",
                 "posted", "crm_seen", "export_pending", "updated_at")
LINE_FIELDS = ("order", "crm_item_id", "product", "characteristic", "is_delivery", "quantity", "price",
               "discount_per_unit", "bonuses_charged")


def _load(pks) -> list:
    # Products are read only for lines the CRM has not seen yet (their offer id), managers and
    # warehouses only for a note on a missing mapping: both rare, so neither is joined here.
    lines = im.OrderLine.objects.only(*LINE_FIELDS).order_by("pk")
    return list(im.Order.objects.select_related("state").only(*EXPORT_FIELDS)
                .filter(pk__in=pks).prefetch_related(Prefetch("lines", queryset=lines)).order_by("pk"))


LOCK_GROUP = 20  # orders locked in one Redis round trip: an import of one of them waits for at most these


def export_pending(client, ctx) -> None:
    """The job: every order with a change to export, each under its lock; a refused one stays due.

    Orders are read a hundred at a time and locked twenty at a time (one Redis round trip); under
    the locks one query checks that nobody changed them since (a changed one is read again), so an
    import that got there first is never undone."""
    refs, done = ExportRefs(), set()
    connection = django_rq.get_connection("orders")
    ctx.progress(total=im.Order.objects.filter(export_pending=True).count())
    while batch := pending_orders(done):
        done.update(batch)
        events = []
        loaded = _load(batch)
        for start in range(0, len(loaded), LOCK_GROUP):
            group = loaded[start:start + LOCK_GROUP]
            with entity_locks("order", [order.crm_id for order in group], connection=connection):
                due = dict(im.Order.objects.filter(pk__in=[order.pk for order in group], export_pending=True)
                           .values_list("pk", "updated_at"))
                writes = []
                try:
                    for order in group:
                        event = _export_one(client, ctx, order, refs, due, writes)
                        if event:
                            events.append(event)
                finally:
                    _write_back(writes)
        ctx.events(events)
        ctx.progress(add=len(batch))


def _write_back(writes: list) -> None:
    """The group's write-backs in one transaction, before its locks go (an import then sees them).

    One commit per group, not per order: a worker killed before it sends a few orders of the group
    again, which changes nothing more in the CRM (the same values, the same echo marker)."""
    if writes:
        with transaction.atomic():
            for write in writes:
                write()


def _export_one(client, ctx, order, refs: ExportRefs, due: dict, writes: list | None = None) -> dict | None:
    """Export ``order`` (its lock held); ``due``: the pending orders' ``updated_at`` read under the lock."""
    lines = list(order.lines.all())
    if due.get(order.pk) != order.updated_at:
        order = _load([order.pk])[0] if order.pk in due else None
        if order is None:
            return None  # an import that met the pending change sent it first
        lines = list(order.lines.all())
    if not exportable(order):
        im.Order.objects.filter(pk=order.pk).update(export_pending=False)
        return None
    try:
        outcome = export_order(client, order, refs, lines, writes)
    except CrmError as exc:
        ctx.count("orders_failed")
        ctx.warnings += 1
        return {"entity": "order", "direction": im.ExchangeEvent.Direction.EXPORT, "crm_id": order.crm_id,
                "local_ref": order.number, "result": im.ExchangeEvent.Result.FAILED, "message": stored(gettext_noop(
                    "RetailCRM refused the change; it stays due and is sent by the next export: %(error)s")) % {
                    "error": of_exception(exc)}}
    ctx.count(f"orders_{outcome.result}")
    if outcome.notes:
        ctx.warnings += 1
    return {"entity": "order", "direction": im.ExchangeEvent.Direction.EXPORT, "crm_id": order.crm_id,
            "local_ref": order.number, "result": outcome.result, "message": sent_message(outcome)}


__all__ = ["ExportRefs", "Outcome", "export_order", "export_pending", "exportable", "line_key", "number"]
