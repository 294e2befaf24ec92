"""Sales both ways: E4 (an order imported in a B1 status flagged "create sale" gets a posted sale) and F3
(posting a sale made here sends the shipped status of B2 and ``shipped``)."""

from django.utils.translation import gettext_noop

from integration.documents.models.orders import Order, Sale
from integration.documents.posting import post
from integration.documents.sales import make_sale
from integration.exchange.locks import entity_lock
from integration.exchange.messages import for_text, of_exception, stored
from integration.exchange.models import ExchangeEvent
from integration.retailcrm.models.mappings import StatusExportMapping
from integration.retailcrm.orders.defaults import cached_shop_documents

Result = ExchangeEvent.Result
SHIPPED_STATE = "for-shipment"  # 001 §7: "К отгрузке и все строки отгружены" → for-shipment


# ----- E4: import ---------------------------------------------------------------------------


def wants_sale(mapping, refs) -> bool:
    return bool(refs.settings.create_sales and mapping is not None and mapping.create_sale)


def create_sales(orders: list[Order], refs) -> list[Sale]:
    """A posted sale for each order that has none yet and whose shop allows sales (B8)."""
    have = set(Sale.objects.filter(order__in=[o for o in orders if o.pk]).values_list("order_id", flat=True))
    made = []
    for order in orders:
        if order.pk in have:
            continue
        shop = cached_shop_documents(refs, order.crm_site)
        if not shop.create_sales:
            continue
        sale = make_sale(order, shop.sale)
        post(sale, source="import")  # created "проведенной": stock leaves the warehouse now
        made.append(sale)
    return made


# ----- F3: export ---------------------------------------------------------------------------


def shipped_status() -> str:
    row = StatusExportMapping.objects.filter(local_state__code=SHIPPED_STATE).select_related("crm_status").first()
    return row.crm_status.code if row else ""


def export_sales(client, ctx) -> None:
    pending = list(Sale.objects.filter(export_pending=True).select_related("order").order_by("id"))
    ctx.progress(total=len(pending))
    status = shipped_status() if pending else ""
    for sale in pending:
        with entity_lock("order", sale.order.crm_id or f"local-{sale.order_id}"):
            result, message = export_one(client, sale, status)
        ctx.count(f"sales_{result}")
        ctx.event(entity="sale", result=result, direction=ExchangeEvent.Direction.EXPORT,
                  crm_id=sale.order.crm_id or "", local_ref=sale.number, message=message)
        ctx.progress(add=1)


def _done(sale: Sale, message, **fields) -> None:
    Sale.objects.filter(pk=sale.pk).update(export_pending=False, export_message=for_text(message), **fields)


def export_one(client, sale: Sale, status: str):
    order = sale.order
    if not sale.posted:
        _done(sale, "")
        return Result.UNCHANGED, ""
    if order.source != Order.Source.CRM or not order.crm_id:
        message = stored(gettext_noop("The sale is not sent to RetailCRM: its order %(number)s was created here, "
                                      "and orders created here are not exported."), number=order.number)
        _done(sale, message)
        return Result.SKIPPED, message
    body = {"id": order.crm_id, "shipped": True}
    if status:
        body["status"] = status
    try:
        client.order_edit(body, by="id", site=order.crm_site or None)
    except Exception as exc:  # an edit is idempotent: it is simply sent again on the next run
        message = of_exception(exc)
        Sale.objects.filter(pk=sale.pk).update(export_message=for_text(message))
        return Result.FAILED, message
    if status:
        message = stored(gettext_noop("Sent to RetailCRM: status %(status)s, shipped."), status=status)
    else:
        message = stored(gettext_noop("Sent to RetailCRM: shipped. No status was sent: “B2 · statuses for export” "
                                      "has no row for the state “For shipment”."))
    _done(sale, message, exported=True)
    return Result.UPDATED, message
