"""Returns both ways (001 "Работа с возвратами").

E6: an order reaching ``return`` / ``partially-returned`` in the CRM gets a posted return made from its
sale, only once it is closed here: items in status ``returned`` come back whole, items in
``chastichnyi-vozvrat`` by the sold quantity minus the quantity the CRM says is left with the
customer. An open order is parked with the manual's reason and tried again on every run.
F4: posting a return made here sends ``return`` (everything came back) or ``partially-returned``, the
item statuses and the quantity left with the customer (sold − returned).
"""

from decimal import Decimal

from django.utils.translation import gettext_noop

from integration.documents import returns as local
from integration.documents.models.orders import Order, Return, Sale
from integration.documents.posting import post
from integration.exchange.locks import entity_lock
from integration.exchange.messages import for_text, of_exception, stored
from integration.exchange.models import ExchangeEvent
from integration.retailcrm.orders.rules import OrderParked

Result = ExchangeEvent.Result
RETURN_STATUSES = (local.FULL, local.PARTIAL)
ITEM_RETURNED = "returned"
ITEM_PARTIAL = "chastichnyi-vozvrat"


# ----- E6: import ---------------------------------------------------------------------------


def is_return(data: dict, refs) -> bool:
    return bool(refs.settings.create_returns and data.get("status") in RETURN_STATUSES)


def plan_crm_return(order: Order, data: dict):
    """(sale, quantities by order line) still to return for the CRM ``data``; (None, message) when nothing can be.

    Raises OrderParked while the order is open here (the manual: no return until it is closed)."""
    if not order.closed:
        raise OrderParked(stored(gettext_noop(
            "Order %(number)s is in status %(status)s in RetailCRM but is not closed here: close the order first. "
            "The return is made on the next import after it is closed."), number=order.number, status=data.get("status")))
    sale = Sale.objects.filter(order=order, posted=True).first()
    if sale is None:
        return None, stored(gettext_noop("Order %(number)s has no posted sale here: no return is made from it."),
                            number=order.number)
    sold, back = local.sold(sale), local.returned(order)
    lines = dict(order.lines.exclude(crm_item_id=None).values_list("crm_item_id", "pk"))
    wanted = {}
    for item in data.get("items") or []:
        line_id = lines.get(item.get("id")) if isinstance(item, dict) else None
        if line_id not in sold:
            continue
        if item.get("status") == ITEM_RETURNED:
            target = sold[line_id]
        elif item.get("status") == ITEM_PARTIAL:
            left = Decimal(str(item.get("quantity") or 0))  # the quantity still with the customer
            target = max(sold[line_id] - left, Decimal(0))
        else:
            continue
        more = target - back.get(line_id, Decimal(0))
        if more > 0:
            wanted[line_id] = more
    if not wanted:
        return None, ""
    return sale, wanted


def make_crm_return(sale: Sale, quantities: dict, status: str) -> Return:
    document = local.make_return(sale, quantities, crm_status=status)
    post(document, source="import")  # "проведенным": the goods are back in the warehouse
    return document


# ----- F4: export ---------------------------------------------------------------------------


def export_returns(client, ctx) -> None:
    pending = list(Return.objects.filter(export_pending=True).select_related("order", "sale").order_by("id"))
    ctx.progress(total=len(pending))
    for document in pending:
        with entity_lock("order", document.order.crm_id or f"local-{document.order_id}"):
            result, message = export_one(client, document)
        ctx.count(f"returns_{result}")
        ctx.event(entity="return", result=result, direction=ExchangeEvent.Direction.EXPORT,
                  crm_id=document.order.crm_id or "", local_ref=document.number, message=message)
        ctx.progress(add=1)


def _done(document: Return, message, **fields) -> None:
    Return.objects.filter(pk=document.pk).update(export_pending=False, export_message=for_text(message), **fields)


def crm_items(document: Return, current_items) -> tuple[str, list[dict]]:
    """The order status and every item of the CRM order, ours with their return status and remaining quantity."""
    order = document.order
    sold, back = local.sold(document.sale), local.returned(order)
    by_item = {line.crm_item_id: line.pk for line in order.lines.exclude(crm_item_id=None)}
    items = []
    for item in current_items:
        entry = {"id": item["id"]}
        line_id = by_item.get(item["id"])
        returned = back.get(line_id, Decimal(0))
        if line_id in sold and returned > 0:
            if returned >= sold[line_id]:
                entry["status"] = ITEM_RETURNED
            else:
                entry.update(status=ITEM_PARTIAL, quantity=float(sold[line_id] - returned))
        items.append(entry)  # every item is listed: an edit's items replace the order's
    return local.status_after(document.sale), items


def export_one(client, document: Return):
    order = document.order
    if not document.posted:
        _done(document, "")
        return Result.UNCHANGED, ""
    if order.source != Order.Source.CRM or not order.crm_id:
        message = stored(gettext_noop("The return is not sent to RetailCRM: its order %(number)s was created here, "
                                      "and orders created here are not exported."), number=order.number)
        _done(document, message)
        return Result.SKIPPED, message
    try:
        current = client.order(order.crm_id, by="id")
        status, items = crm_items(document, current.get("items") or [])
        client.order_edit({"id": order.crm_id, "status": status, "items": items}, by="id", site=order.crm_site or None)
    except Exception as exc:  # the edit sets absolute values: sending it again is harmless
        message = of_exception(exc)
        Return.objects.filter(pk=document.pk).update(export_message=for_text(message))
        return Result.FAILED, message
    message = stored(gettext_noop("Sent to RetailCRM: status %(status)s."), status=status)
    _done(document, message, exported=True, crm_status=status)
    return Result.UPDATED, message
