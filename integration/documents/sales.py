"""Sales (реализация, E4): a shipment made from an order; posting it moves the goods out of its warehouse (002)."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from integration.documents.models.orders import Order, Sale, SaleLine
from integration.documents.stock import move


@dataclass(frozen=True)
class SaleDefaults:
    """A2 (or the shop's B8 row): what a sale made from an order gets when the order does not say."""

    organization_id: int | None = None
    warehouse_id: int | None = None
    prices_include_vat: bool = True
    priority: str = ""
    payment_deferral_days: int = 0


def make_sale(order: Order, defaults: SaleDefaults) -> Sale:
    """An unposted sale of every line of ``order`` (post it with integration.documents.posting.post)."""
    now = timezone.now()
    sale = Sale.objects.create(
        order=order, number=f"S-{order.number}"[:50], date=now, total=order.total, posted=False,
        warehouse_id=order.warehouse_id or defaults.warehouse_id,
        organization_id=order.organization_id or defaults.organization_id,
        prices_include_vat=defaults.prices_include_vat, priority=defaults.priority,
        payment_due=(timezone.localdate(now) + timedelta(days=defaults.payment_deferral_days)),
    )
    SaleLine.objects.bulk_create([
        SaleLine(sale=sale, order_line=line, product_id=line.product_id, characteristic_id=line.characteristic_id,
                 quantity=line.quantity, price=line.price, amount=line.amount, vat_rate=line.vat_rate)
        for line in order.lines.all()
    ])
    return sale


def move_stock(sale: Sale) -> None:
    """Posting: the goods of the sale leave its warehouse (the delivery service line moves nothing)."""
    lines = sale.lines.exclude(order_line__is_delivery=True)
    move("sale", sale.pk, [(sale.warehouse_id, line.product_id, line.characteristic_id, -line.quantity)
                           for line in lines])
