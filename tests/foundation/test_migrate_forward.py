"""An existing database moves forward with every row kept.

The database is put back to the schema every shop ran before the restructure (integration
0013), filled through that schema's historical models, then migrated to the newest state; the
rows are read back through today's models.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE_RESTRUCTURE = [("integration", "0013_logs_ui"), ("catalog", "0002_logsui_list_order"), ("loyalty", "0001_loyalty_program")]

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def _fill(old):
    Unit, Product, Warehouse, Organization = (old.get_model("catalog", n) for n in ("Unit", "Product", "Warehouse", "Organization"))
    unit = Unit.objects.create(code="pc", name="шт")
    product = Product.objects.create(code="P-1", name="Батон нарезной", unit=unit, vat_rate="10")
    warehouse = Warehouse.objects.create(code="main", name="Основной склад")
    organization = Organization.objects.create(name="ООО Пекарня", inn="7700000000")

    OrderState = old.get_model("integration", "OrderState")
    state = OrderState.objects.create(code="in-work", name="В работе")
    CrmSite = old.get_model("integration", "CrmSite")
    site = CrmSite.objects.create(code="shop-2", name="Второй магазин")
    CrmStatus = old.get_model("integration", "CrmStatus")
    status = CrmStatus.objects.create(code="new", name="Новый")
    old.get_model("integration", "StatusImportMapping").objects.create(crm_status=status, local_state=state)
    old.get_model("integration", "ShopOrganization").objects.create(
        crm_site=site, organization=organization, default_warehouse=warehouse, currency="RUB")

    customer = old.get_model("integration", "Customer").objects.create(first_name="Анна", phone="79001234567", crm_id=77)
    Order = old.get_model("integration", "Order")
    order = Order.objects.create(
        number="1203A", crm_id=1203, crm_site="shop-2", crm_status="new", state=state, customer=customer,
        organization=organization, warehouse=warehouse, total=Decimal("350.00"), delivery_address="Москва, ул. Ленина, 1",
    )
    line = old.get_model("integration", "OrderLine").objects.create(
        order=order, crm_item_id=555, product=product, quantity=Decimal("2"), price=Decimal("175.00"), amount=Decimal("350.00"))
    old.get_model("integration", "Payment").objects.create(order=order, crm_id=901, crm_type="cash", amount=Decimal("350.00"), paid=True)
    old.get_model("integration", "Sale").objects.create(order=order, number="S-1", total=Decimal("350.00"))
    run = old.get_model("integration", "JobRun").objects.create(kind="import-orders", status="success")
    old.get_model("integration", "ExchangeEvent").objects.create(
        run=run, direction="import", entity="order", crm_id="1203", local_ref="1203A", result="created")
    old.get_model("integration", "ExchangeEvent").objects.create(  # parked before the retry queue existed
        run=run, direction="import", entity="order", crm_id="1205", local_ref="1205A", result="parked", retry_count=2,
        message='{"id": "Unknown offers: %(offers)s.", "params": {"offers": "X-1"}}')
    old.get_model("integration", "SkippedOrder").objects.create(crm_id=1204, crm_site="shop-2", crm_status="draft", reason="status")
    return {"order": order.pk, "line": line.pk}


def test_database_of_the_old_schema_keeps_every_row_after_migrating_forward():
    latest = _latest()
    try:
        ids = _fill(_migrate(BEFORE_RESTRUCTURE))
        _migrate(latest)
    finally:
        _migrate(latest)  # leave the test database as the rest of the suite expects it

    from integration import models as im

    order = im.Order.objects.select_related("state", "customer", "organization", "warehouse").get(pk=ids["order"])
    assert (order.number, order.crm_id, order.crm_site, order.total) == ("1203A", 1203, "shop-2", Decimal("350.00"))
    assert (order.state.code, order.customer.phone, order.organization.inn, order.warehouse.code) == (
        "in-work", "79001234567", "7700000000", "main")
    assert order.delivery_address == "Москва, ул. Ленина, 1"
    assert order.posted, "orders already imported from the CRM count as posted"
    line = im.OrderLine.objects.get(pk=ids["line"])
    assert (line.order_id, line.crm_item_id, line.quantity, line.product.name) == (order.pk, 555, Decimal("2.000"), "Батон нарезной")
    payment = order.payments.get()
    assert (payment.crm_id, payment.amount, payment.paid) == (901, Decimal("350.00"), True)
    assert order.sale.number == "S-1"
    event = im.ExchangeEvent.objects.get(crm_id="1203")
    assert (event.run.kind, event.local_ref, event.system) == ("import-orders", "1203A", "retailcrm")
    parked = im.RetryEntry.objects.get(system="retailcrm", entity="order")
    assert (parked.remote_id, parked.local_ref, parked.attempts) == ("1205", "1205A", 3), "a parked order must stay owed"
    assert im.SkippedOrder.objects.get(crm_id=1204).crm_status == "draft"
    assert im.StatusImportMapping.objects.get().local_state == order.state
    shop = im.ShopOrganization.objects.get()
    assert (shop.crm_site.code, shop.organization.name, shop.default_warehouse.code) == ("shop-2", "ООО Пекарня", "main")
