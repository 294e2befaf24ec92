"""The row writers of integration/exchange/rows.py against the real database: what they write
reads back through the ORM exactly as save()/bulk_create/update would have written it."""

from decimal import Decimal

import pytest
from django.utils import timezone

from integration import models as im
from integration.exchange.rows import insert_objects, insert_rows, update_row

pytestmark = pytest.mark.django_db


def test_insert_objects_gives_keys_and_writes_every_field_as_the_orm_reads_it():
    orders = [im.Order(number=f"R-{n}", source=im.Order.Source.CRM, crm_id=9000 + n, delivery_cost=Decimal("12.50"),
                       crm_seen={"local": {"items": {"1": ["2", "99.5"]}}, "marker": True}) for n in range(3)]
    insert_objects(im.Order, orders)
    assert all(order.pk for order in orders) and len({order.pk for order in orders}) == 3
    lines = [im.OrderLine(order=order, product=_product(), quantity=Decimal("1.5"), price=Decimal("10"))
             for order in orders]
    insert_objects(im.OrderLine, lines)
    stored = im.Order.objects.get(pk=orders[1].pk)
    assert stored.number == "R-1" and stored.crm_id == 9001 and stored.delivery_cost == Decimal("12.50")
    assert stored.crm_seen == {"local": {"items": {"1": ["2", "99.5"]}}, "marker": True}
    assert stored.created_at is not None and stored.updated_at is not None  # auto_now_add / auto_now filled
    assert list(stored.lines.values_list("pk", "quantity")) == [(lines[1].pk, Decimal("1.5"))]


def test_update_row_changes_only_the_row_and_only_while_the_condition_holds():
    first, second = (im.Order.objects.create(number=f"U-{n}", source=im.Order.Source.CRM, export_pending=True)
                     for n in range(2))
    stale = first.updated_at - timezone.timedelta(seconds=5)
    assert update_row(im.Order, first.pk, {"export_pending": False}, where={"updated_at": stale}) == 0
    assert update_row(im.Order, first.pk, {"export_pending": False, "crm_seen": {"at": 1.5}},
                      where={"updated_at": first.updated_at}) == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.export_pending is False and first.crm_seen == {"at": 1.5} and second.export_pending is True


def test_insert_rows_fills_what_is_not_given_from_the_defaults():
    run = im.JobRun.objects.create(kind="import-orders")
    insert_rows(im.ExchangeEvent, [{"run_id": run.pk, "entity": "order", "result": "created", "direction": "import",
                                    "crm_id": "7", "message": "ok"}])
    event = im.ExchangeEvent.objects.get(run=run)
    assert (event.system, event.retry_count, event.resolved, event.crm_id) == ("retailcrm", 0, False, "7")
    assert event.created_at is not None


def _product():
    from catalog.models import Product

    return Product.objects.first() or Product.objects.create(code="ROW-1", name="Row test product")
