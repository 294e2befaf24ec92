"""Stock movements of posted documents (seed 002: an order does not move stock, a shipment does).

Each posting records what it moved (``StockMovement``), so unposting — or posting again after a
change — undoes exactly what was done, whatever happened to the stock in between.
"""

from decimal import Decimal

from django.db.models import F

from catalog.models import Product, StockBalance
from integration.documents.models.orders import StockMovement


def move(document: str, document_id: int, moves) -> None:
    """Replace the movements of ``document``/``document_id`` with ``moves``:
    (warehouse_id, product_id, characteristic_id, signed quantity). Goods only: services have no stock."""
    revert(document, document_id)
    goods = set(Product.objects.filter(pk__in={m[1] for m in moves}, kind=Product.Kind.GOODS).values_list("pk", flat=True))
    rows = []
    for warehouse_id, product_id, characteristic_id, quantity in moves:
        if product_id not in goods or not warehouse_id or not quantity:
            continue
        _add(warehouse_id, product_id, characteristic_id, Decimal(quantity))
        rows.append(StockMovement(document=document, document_id=document_id, warehouse_id=warehouse_id,
                                  product_id=product_id, characteristic_id=characteristic_id, quantity=quantity))
    StockMovement.objects.bulk_create(rows)


def revert(document: str, document_id: int) -> None:
    movements = list(StockMovement.objects.filter(document=document, document_id=document_id))
    for row in movements:
        _add(row.warehouse_id, row.product_id, row.characteristic_id, -row.quantity)
    StockMovement.objects.filter(pk__in=[row.pk for row in movements]).delete()


def _add(warehouse_id, product_id, characteristic_id, delta: Decimal) -> None:
    rows = StockBalance.objects.filter(warehouse_id=warehouse_id, product_id=product_id,
                                       characteristic_id=characteristic_id)
    if not rows.update(quantity=F("quantity") + delta):
        StockBalance.objects.create(warehouse_id=warehouse_id, product_id=product_id,
                                    characteristic_id=characteristic_id, quantity=delta)
