"""Returns from the customer (E6/F4, 001 "Работа с возвратами"): made from the order's sale; posting one
brings the goods back to the sale's warehouse."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from integration.documents.models.orders import Order, Return, ReturnLine, Sale
from integration.documents.stock import move

FULL = "return"  # every sold line came back
PARTIAL = "partially-returned"


def sold(sale: Sale) -> dict[int, Decimal]:
    """Quantity sold per order line (the delivery service line is never returned)."""
    out: dict[int, Decimal] = {}
    for line in sale.lines.exclude(order_line=None).exclude(order_line__is_delivery=True):
        out[line.order_line_id] = out.get(line.order_line_id, Decimal(0)) + line.quantity
    return out


def returned(order: Order, *, exclude: Return | None = None) -> dict[int, Decimal]:
    """Quantity already returned per order line, by the posted returns of ``order``."""
    rows = ReturnLine.objects.filter(document__order=order, document__posted=True)
    if exclude is not None and exclude.pk:
        rows = rows.exclude(document=exclude)
    return {row["order_line"]: row["total"] for row in rows.values("order_line").annotate(total=Sum("quantity"))}


def make_return(sale: Sale, quantities: dict[int, Decimal], *, crm_status: str = "") -> Return:
    """An unposted return of ``quantities`` (order line id → quantity) of ``sale``; zero quantities are left out."""
    order = sale.order
    lines = {line.order_line_id: line for line in sale.lines.exclude(order_line=None)}
    count = Return.objects.filter(order=order).count() + 1
    document = Return.objects.create(order=order, sale=sale, number=f"R-{order.number}-{count}"[:50], posted=False,
                                     crm_status=crm_status, warehouse_id=sale.warehouse_id)
    rows, total = [], Decimal(0)
    for order_line_id, quantity in quantities.items():
        if quantity <= 0 or order_line_id not in lines:
            continue
        sale_line = lines[order_line_id]
        price = (sale_line.amount / sale_line.quantity) if sale_line.quantity else sale_line.price
        amount = (price * quantity).quantize(Decimal("0.01"))
        rows.append(ReturnLine(document=document, order_line_id=order_line_id, quantity=quantity, amount=amount))
        total += amount
    ReturnLine.objects.bulk_create(rows)
    document.total = total
    document.save(update_fields=["total"])
    return document


def status_after(sale: Sale) -> str:
    """``return`` when every sold line has fully come back (posted returns), else ``partially-returned``."""
    back = returned(sale.order)
    return FULL if all(back.get(line, 0) >= quantity for line, quantity in sold(sale).items()) else PARTIAL


def check_returnable(document: Return) -> None:
    """A return needs its sale, and never brings back more than was sold and not yet returned."""
    if document.sale_id is None:
        raise ValidationError({"sale": _("A return is made from the order's sale: choose the sale.")})
    if not document.order.closed:
        raise ValidationError({"order": _("The order is open: close the order first, then make the return.")})
    left = sold(document.sale)
    for order_line_id, quantity in returned(document.order, exclude=document).items():
        left[order_line_id] = left.get(order_line_id, Decimal(0)) - quantity
    for line in document.lines.select_related("order_line__product"):
        if line.quantity > left.get(line.order_line_id, Decimal(0)):
            raise ValidationError(_("%(product)s: at most %(left)s can be returned.") % {
                "product": line.order_line.product, "left": left.get(line.order_line_id, Decimal(0)).normalize()})


def move_stock(document: Return) -> None:
    move("return", document.pk, [(document.warehouse_id, line.order_line.product_id, line.order_line.characteristic_id,
                                  line.quantity) for line in document.lines.select_related("order_line")])
