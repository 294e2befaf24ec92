"""The real history page and real orders, replayed over HTTP, through our client and importer unchanged.

The replay server (tests/replay_crm.py) answers with RetailCRM responses recorded from real
accounts. The reference books come from one account, the orders from others (shops BitrixMod,
moysklad, presta, aliexpress): the operator setup below adds those shops and types as an operator of
such an account would have them (loaded references, B1/B3/B4/B7 mappings, the catalog), then every
field the importer maps is checked against the recorded source.
"""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from catalog.models import Characteristic, Product, Warehouse
from integration import models as im
from integration.retailcrm.client.quirks import normalize_payments
from integration.exchange.jobs import run_inline
from integration.exchange.messages import render
from integration.models import ExchangeEvent, JobRun
from integration.retailcrm.orders.address import address_text
from tests.replay_crm import API_KEY, ReplayCrm, recorded, recorded_orders

pytestmark = pytest.mark.django_db

STATES = {"new": "pending-approval", "assembling": "to-fulfil", "delivering": "for-shipment"}
MAPPED_DELIVERIES = {"russian-post": (im.DeliveryMethod.CARRIER, "Почта России"), "courier": (im.DeliveryMethod.COURIER, "")}
MANAGER_EMAILS = {19: "manager19@example.com", 23: "manager23@example.com"}
REAL_ORDER_IDS = (6722, 7141, 7146)  # orders/get, orders (list), orders/create answers


def money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def complete_statuses() -> set[str]:
    book = recorded("ReferencesTest.testPaymentStatuses")["paymentStatuses"]
    return {code for code, entry in book.items() if entry.get("paymentComplete")}


def has_every_offer(order: dict) -> bool:
    return all(isinstance(item.get("offer"), dict) and item["offer"].get("externalId") for item in order["items"])


@pytest.fixture
def replay(db):
    with ReplayCrm() as crm:
        row = im.CrmSettings.get_solo()
        row.crm_url, row.api_key, row.site_code, row.connection_ok = crm.url, API_KEY, "test", True
        row.save()
        yield crm


def _operator_setup(orders: dict[int, dict]) -> None:
    """What the operator of the recorded accounts has: their shops and types, the mappings, the catalog."""
    for order in orders.values():
        im.CrmSite.objects.get_or_create(code=order["site"], defaults={"name": order["site"]})
        code = (order.get("delivery") or {}).get("code")
        if code:
            im.CrmDeliveryType.objects.get_or_create(code=code, defaults={"name": code})
        for payment in normalize_payments(order.get("payments")):
            im.CrmPaymentType.objects.get_or_create(code=payment["type"], defaults={"name": payment["type"]})
        for item in order["items"]:
            offer = item.get("offer") or {}
            if offer.get("externalId"):
                code, _sep, variant = offer["externalId"].partition("#")
                product, _created = Product.objects.get_or_create(code=code, defaults={"name": offer["name"][:255]})
                if variant:
                    Characteristic.objects.get_or_create(product=product, name=variant)
    for code, (method, carrier) in MAPPED_DELIVERIES.items():
        im.DeliveryTypeMapping.objects.create(crm_delivery_type=im.CrmDeliveryType.objects.get(code=code),
                                              method=method, carrier=carrier)
    for code, state in STATES.items():
        im.StatusImportMapping.objects.create(crm_status=im.CrmStatus.objects.get(code=code),
                                              local_state=im.OrderState.objects.get(code=state))
    warehouse = Warehouse.objects.create(code="main12", name="Main 12")
    im.WarehouseMapping.objects.create(crm_store=im.CrmStore.objects.get(code="main12"), warehouse=warehouse)
    for crm_id, email in MANAGER_EMAILS.items():
        crm_user = im.CrmUser.objects.create(crm_id=crm_id, email=email)
        local = get_user_model().objects.create_user(username=f"manager{crm_id}", email=email)
        im.ManagerMapping.objects.create(crm_user=crm_user, local_user=local)


def _phones_by_customer(orders) -> dict[int, set[str]]:
    """A customer's phones across the recorded orders: the latest order's contact data wins locally."""
    phones: dict[int, set[str]] = {}
    for order in orders:
        found = phones.setdefault(order["customer"]["id"], set())
        found |= {p["number"] for p in order["customer"].get("phones") or []}
        if order.get("phone"):
            found.add(order["phone"])
    return phones


def _check_order(source: dict, complete: set[str], phones: dict[int, set[str]]) -> None:
    order = im.Order.objects.get(crm_id=source["id"])
    # header
    assert order.crm_number == source["number"]
    assert order.crm_external_id == (source.get("externalId") or "")
    assert order.crm_site == source["site"]
    assert order.crm_status == source["status"]
    assert order.state.code == STATES[source["status"]]
    assert order.total == money(source["totalSumm"])
    manager = source.get("managerId")
    assert (order.manager.email if order.manager else None) == MANAGER_EMAILS.get(manager)
    assert (order.warehouse.code if order.warehouse else None) == (
        "main12" if source.get("shipmentStore") == "main12" else None)
    # customer
    customer = source["customer"]
    assert order.customer.crm_id == customer["id"]
    assert order.customer.external_id == (customer.get("externalId") or None)
    assert order.customer.phone in phones[customer["id"]] | {""}
    assert order.customer.phone or not phones[customer["id"]]
    # items: quantities, prices, discounts, sums; the lines add up to the CRM's summ
    lines = {line.crm_item_id: line for line in order.lines.filter(is_delivery=False).select_related("product", "characteristic")}
    assert set(lines) == {item["id"] for item in source["items"]}
    discount_total = Decimal("0")
    for item in source["items"]:
        line = lines[item["id"]]
        code, _sep, variant = item["offer"]["externalId"].partition("#")
        assert line.product.code == code
        assert (line.characteristic.name if line.characteristic else "") == variant
        assert line.quantity == Decimal(str(item["quantity"]))
        assert line.price == money(item["initialPrice"])
        assert line.discount_per_unit == money(item["discountTotal"])
        assert line.amount == sum((money(p["price"]) * p["quantity"] for p in item["prices"]), Decimal("0"))
        assert line.bonuses_charged == money(item.get("bonusesChargeTotal"))
        assert line.vat_rate == (item.get("vatRate") or "")
        assert line.crm_status == item["status"]
        discount_total += money(item["discountTotal"]) * Decimal(str(item["quantity"]))
    assert sum((line.amount for line in lines.values()), Decimal("0")) == money(source["summ"])
    assert order.discount_total == discount_total
    # delivery: the CRM's code and cost whatever B7 says, the address as text AND by its parts
    delivery = source["delivery"]
    code = delivery.get("code") or ""
    assert order.delivery_crm_code == code
    assert order.delivery_cost == money(delivery["cost"])
    assert order.delivery_net_cost == money(delivery["netCost"])
    address = delivery.get("address") or {}
    assert order.delivery_address_parts == {k: v for k, v in address.items() if v is not None}
    assert order.delivery_address == (address.get("text") or address_text(address))
    if address.get("text"):
        assert order.delivery_address == address["text"].strip()
    method, carrier = MAPPED_DELIVERIES.get(code, (im.DeliveryMethod.PICKUP, ""))
    assert (order.delivery_method, order.delivery_carrier) == (method, carrier)
    assert order.delivery_defaulted == (bool(code) and code not in MAPPED_DELIVERIES)
    # payments: paid per the payment-status reference, never per paidAt
    payments = {payment.crm_id: payment for payment in order.payments.all()}
    source_payments = normalize_payments(source.get("payments"))
    assert set(payments) == {p["id"] for p in source_payments}
    for payment in source_payments:
        local = payments[payment["id"]]
        assert local.crm_type == payment["type"]
        assert local.crm_status == (payment.get("status") or "")
        assert local.amount == money(payment["amount"])
        assert local.paid is (payment.get("status") in complete)
        assert (local.paid_at is not None) is bool(payment.get("paidAt"))
        if payment.get("paidAt") and payment.get("status") not in complete:
            assert local.paid is False  # a paidAt does not make a payment paid


def test_the_real_history_page_and_real_orders_import_with_every_field_as_sent(replay):
    references = run_inline("sync-references")
    assert references.status in (JobRun.Status.SUCCEEDED, JobRun.Status.WARNINGS), (render(references.error), references.messages)
    complete = complete_statuses()
    assert complete == {"paid", "fiskalizirovan"}
    assert set(im.CrmPaymentStatus.objects.filter(payment_complete=True).values_list("code", flat=True)) == complete
    for model, name, key in ((im.CrmPaymentStatus, "PaymentStatuses", "paymentStatuses"), (im.CrmSite, "Sites", "sites"),
                             (im.CrmStatus, "Statuses", "statuses"), (im.CrmStatusGroup, "StatusGroups", "statusGroups"),
                             (im.CrmStore, "Stores", "stores"), (im.CrmPriceType, "PriceTypes", "priceTypes"),
                             (im.CrmPaymentType, "PaymentTypes", "paymentTypes"),
                             (im.CrmDeliveryType, "DeliveryTypes", "deliveryTypes"),
                             (im.CrmOrderType, "OrderTypes", "orderTypes"), (im.CrmOrderMethod, "OrderMethods", "orderMethods")):
        book = recorded(f"ReferencesTest.test{name}")[key]
        codes = {entry["code"] for entry in (book.values() if isinstance(book, dict) else book)}
        assert set(model.objects.values_list("code", flat=True)) == codes, name
    assert set(im.CrmUser.objects.values_list("crm_id", flat=True)) == {u["id"] for u in recorded("UsersTest.testList")["users"]}
    orders = recorded_orders()
    _operator_setup(orders)

    run = run_inline("import-orders", options={"since": "2018-01-01"})
    assert run.status == JobRun.Status.WARNINGS, (render(run.error), run.messages)  # self-delivery is not in B7
    for crm_id in REAL_ORDER_IDS:
        single = run_inline("import-order", options={"id": crm_id})
        assert single.status in (JobRun.Status.SUCCEEDED, JobRun.Status.WARNINGS), (render(single.error), single.messages)
    assert not [r for r in replay.requests if r[0] != "GET"]  # an import only reads

    history_ids = {entry["order"]["id"] for entry in recorded("OrdersTest.testHistory")["history"]}
    assert history_ids <= set(orders)
    imported = [order for order in orders.values() if has_every_offer(order)]
    parked = [order for order in orders.values() if not has_every_offer(order) and order["id"] in history_ids]
    assert len(imported) >= 8 and len(parked) >= 10  # the recordings hold both kinds
    assert im.Order.objects.count() == len(imported)
    phones = _phones_by_customer(imported)
    for source in imported:
        _check_order(source, complete, phones)

    # An item without an offer parks its order with a message naming the item, never "None".
    for source in parked:
        event = ExchangeEvent.objects.get(entity="order", crm_id=str(source["id"]), result=ExchangeEvent.Result.PARKED)
        for item in source["items"]:
            if not item.get("offer"):
                assert f"item {item['id']}" in render(event.message)
        assert "None" not in render(event.message)
    # An order written with the default delivery method says so in its event.
    defaulted = [o for o in imported if (o.get("delivery") or {}).get("code") == "self-delivery"]
    assert defaulted
    for source in defaulted:
        event = ExchangeEvent.objects.filter(entity="order", crm_id=str(source["id"])).exclude(
            result=ExchangeEvent.Result.PARKED).latest("id")
        assert "self-delivery" in render(event.message) and "B7" in render(event.message)
    assert im.Order.objects.filter(delivery_defaulted=True).count() == len(defaulted)


def test_a_replayed_order_imported_again_is_unchanged(replay):
    run_inline("sync-references")
    _operator_setup(recorded_orders())
    first = run_inline("import-order", options={"id": 7146})
    assert first.status == JobRun.Status.SUCCEEDED, (render(first.error), first.messages)
    again = run_inline("import-order", options={"id": 7146})
    event = ExchangeEvent.objects.filter(run=again, entity="order").get()
    assert event.result == ExchangeEvent.Result.UNCHANGED
