"""What the CRM sends is kept and read as the CRM means it (issue 12 items 4–5), against the sandbox:
corporate orders, item bonuses (G5), payment completeness from the payment-status reference, the
order discount counted once, the delivery address by its parts and an unmapped delivery type."""

from decimal import Decimal

import requests
from django.urls import reverse

from integration import models as im
from integration.exchange.jobs import run_inline
from integration.exchange.messages import render
from integration.models import ExchangeEvent, JobRun
from integration.exchange.dashboard import attention

ITEMS = [{"offer": {"externalId": "DEMO-0001"}, "quantity": 2}, {"offer": {"externalId": "DEMO-0025#S"}, "quantity": 1}]


def _post(crm, path, body, status=201):
    response = requests.post(f"{crm.url}/sandbox/{path}", json=body, timeout=5)
    assert response.status_code == status, response.text
    return response.json()


def _order_in_crm(crm, **fields):
    body = {"site": "main-shop", "status": "new", "firstName": "Ivan", "lastName": "Petrov", "phone": "+79001234567",
            "items": ITEMS, "delivery": {"code": "courier", "cost": 300}, **fields}
    return _post(crm, "orders", body)["order"]


def _import(crm_id, expect=JobRun.Status.SUCCEEDED):
    run = run_inline("import-order", options={"id": crm_id})
    assert run.status == expect, (render(run.error), run.messages)
    return im.Order.objects.get(crm_id=crm_id)


def _corporate(crm, contacts):
    return _post(crm, "customers-corporate", {
        "nickName": "Romashka", "externalId": "corp-1",
        "companies": [{"name": "ООО «Ромашка»", "contragent": {"contragentType": "legal-entity", "INN": "7701234567"}}],
        "contacts": contacts,
    })


IVAN = {"firstName": "Иван", "lastName": "Петров", "email": "ivan@romashka.ru", "phones": [{"number": "+79990001122"}]}
OLGA = {"firstName": "Ольга", "lastName": "Сидорова", "email": "olga@romashka.ru", "phones": [{"number": "+79990003344"}]}


def test_a_company_order_belongs_to_the_company_and_its_contact_stays_a_person(crm, map_statuses):
    map_statuses(new="pending-approval")
    row = im.CrmSettings.get_solo()
    row.corporate_customers = True
    row.save()
    corporate = _corporate(crm, [IVAN, OLGA])
    ivan_id, olga_id = corporate["contactIds"]
    # Ivan already bought for himself: his person record shares the phone and e-mail the company's order carries.
    person = im.Customer.objects.create(first_name="Иван", last_name="Петров", phone="+79990001122",
                                        email="ivan@romashka.ru", crm_id=ivan_id)
    first = _post(crm, f"customers-corporate/{corporate['id']}/orders",
                  {"status": "new", "items": ITEMS, "contactId": ivan_id, "phone": "+79990001122",
                   "email": "ivan@romashka.ru"})["order"]
    assert first["customer"]["type"] == "customer_corporate" and first["contact"]["id"] == ivan_id
    order = _import(first["id"])

    company = order.customer
    assert company.kind == im.Customer.Kind.COMPANY
    assert company.crm_corporate_id == corporate["id"] and company.crm_id is None
    assert company.company_name == "ООО «Ромашка»" and company.inn == "7701234567"
    person.refresh_from_db()
    assert person.kind == im.Customer.Kind.PERSON and person.company_name == ""  # never turned into the company
    assert person.company == company and order.contact == person

    second = _post(crm, f"customers-corporate/{corporate['id']}/orders",
                   {"status": "new", "items": ITEMS, "contactId": olga_id})["order"]
    other = _import(second["id"])
    assert other.customer == company  # matched by the corporate id only
    olga = other.contact
    assert olga.crm_id == olga_id and olga.kind == im.Customer.Kind.PERSON and olga.company == company
    assert (olga.first_name, olga.phone) == ("Ольга", "+79990003344")
    assert im.Customer.objects.filter(kind=im.Customer.Kind.COMPANY).count() == 1
    assert set(company.contacts.values_list("pk", flat=True)) == {person.pk, olga.pk}


def test_without_corporate_mode_a_company_order_belongs_to_its_contact(crm, map_statuses):
    map_statuses(new="pending-approval")
    corporate = _corporate(crm, [IVAN])
    created = _post(crm, f"customers-corporate/{corporate['id']}/orders", {"status": "new", "items": ITEMS})["order"]
    order = _import(created["id"])
    assert order.customer.kind == im.Customer.Kind.PERSON
    assert order.customer.crm_id == corporate["contactIds"][0] and order.customer.crm_corporate_id is None
    assert not im.Customer.objects.filter(kind=im.Customer.Kind.COMPANY).exists()


def test_item_bonuses_are_imported_per_line_and_in_total(crm, map_statuses):
    map_statuses(new="pending-approval")
    created = _order_in_crm(crm)
    first, second = (item["id"] for item in created["items"])
    given = _post(crm, f"orders/{created['id']}/bonuses", {"items": [
        {"id": first, "bonusesChargeTotal": 50, "bonusesCreditTotal": 7.5},
        {"id": second, "bonusesChargeTotal": 0, "bonusesCreditTotal": 12.25}]}, status=200)["order"]
    assert (given["bonusesChargeTotal"], given["bonusesCreditTotal"]) == (50, 19.75)
    order = _import(created["id"])
    lines = {line.crm_item_id: line for line in order.lines.all()}
    assert (lines[first].bonuses_charged, lines[first].bonuses_credited) == (Decimal("50.00"), Decimal("7.50"))
    assert (lines[second].bonuses_charged, lines[second].bonuses_credited) == (Decimal("0.00"), Decimal("12.25"))
    assert (order.bonuses_charged, order.bonuses_credited) == (Decimal("50.00"), Decimal("19.75"))


def test_a_payment_is_paid_when_the_payment_status_reference_says_complete(crm, map_statuses):
    map_statuses(new="pending-approval")
    assert set(im.CrmPaymentStatus.objects.filter(payment_complete=True).values_list("code", flat=True)) == {
        "paid", "fiskalizirovan"}
    created = _order_in_crm(crm, payments=[
        {"type": "cash", "status": "fiskalizirovan", "amount": 100, "paidAt": "2025-03-01 10:00:00"},
        {"type": "bank-card", "status": "not-paid", "amount": 50, "paidAt": "2025-03-01 11:00:00"},
        {"type": "e-money", "status": "paid", "amount": 20, "paidAt": "2025-03-01 12:00:00"},
        {"type": "cash", "status": "payment-start", "amount": 10}])
    order = _import(created["id"])
    paid = {p.crm_status: (p.paid, p.paid_at is not None) for p in order.payments.all()}
    assert paid == {"fiskalizirovan": (True, True), "not-paid": (False, True), "paid": (True, True),
                    "payment-start": (False, False)}

    # The account changes its reference: "fiskalizirovan" no longer completes a payment.
    _post(crm, "references/payment-statuses/fiskalizirovan", {"paymentComplete": False}, status=200)
    assert run_inline("sync-references").status in (JobRun.Status.SUCCEEDED, JobRun.Status.WARNINGS)
    _post(crm, f"orders/{created['id']}/edit", {"managerComment": "re-read"}, status=200)
    order = _import(created["id"])
    assert order.payments.get(crm_status="fiskalizirovan").paid is False


def test_the_order_discount_is_counted_once(crm, map_statuses):
    map_statuses(new="pending-approval")
    created = _order_in_crm(crm, discountManualAmount=100)
    discounts = sum(Decimal(str(i["discountTotal"])) * Decimal(str(i["quantity"])) for i in created["items"])
    discounts = discounts.quantize(Decimal("0.01"))
    # The CRM spreads it over the items (per-unit discounts, rounded to the kopeck): 100, not 200.
    assert Decimal("99.99") <= discounts <= Decimal("100.02")
    order = _import(created["id"])
    assert order.discount_total == discounts
    goods = order.lines.filter(is_delivery=False)
    assert sum(line.amount for line in goods) == Decimal(str(created["summ"])).quantize(Decimal("0.01"))
    assert order.total == Decimal(str(created["totalSumm"])).quantize(Decimal("0.01"))


def test_an_address_by_parts_and_an_unmapped_delivery_type_are_kept_and_reported(crm, map_statuses, admin_client):
    map_statuses(new="pending-approval")
    im.DeliveryTypeMapping.objects.filter(crm_delivery_type__code="russian-post").delete()
    parts = {"index": "344001", "countryIso": "RU", "region": "Ростовская область", "city": "г. Ростов-на-Дону",
             "street": "ул. Пушкинская", "building": "10", "flat": "5", "floor": "2", "notes": "код 12"}
    created = _order_in_crm(crm, delivery={"code": "russian-post", "cost": 350, "netCost": 280, "address": parts})
    assert "text" not in created["delivery"]["address"]
    order = _import(created["id"], expect=JobRun.Status.WARNINGS)
    assert order.delivery_address_parts == parts
    assert order.delivery_address == "344001, Ростовская область, г. Ростов-на-Дону, ул. Пушкинская, 10, 5, 2, код 12"
    assert (order.delivery_crm_code, order.delivery_cost, order.delivery_net_cost) == (
        "russian-post", Decimal("350.00"), Decimal("280.00"))
    assert order.delivery_method == im.DeliveryMethod.PICKUP and order.delivery_defaulted
    event = ExchangeEvent.objects.filter(entity="order", crm_id=str(created["id"])).latest("id")
    assert event.result == ExchangeEvent.Result.CREATED
    assert "russian-post" in render(event.message) and "B7" in render(event.message)
    assert attention().count("default-delivery-orders") == 1
    page = admin_client.get(reverse("admin:integration_order_change", args=[order.pk])).content.decode()
    for shown in ("<strong>Postcode:</strong> 344001", "<strong>Floor:</strong> 2", "<strong>Notes:</strong> код 12",
                  "russian-post", "280.00"):
        assert shown in page, shown
    dashboard = admin_client.get(reverse("admin:integration_jobrun_dashboard")).content.decode()
    assert 'data-kind="default-delivery-orders" data-count="1"' in dashboard

    mapped = _order_in_crm(crm)  # courier is mapped: no default, no warning
    assert _import(mapped["id"]).delivery_defaulted is False
    assert attention().count("default-delivery-orders") == 1


def test_an_item_without_an_offer_parks_the_order_naming_the_item(crm, map_statuses):
    map_statuses(new="pending-approval")
    created = _order_in_crm(crm, items=[{"productName": "Подарочная упаковка", "initialPrice": 50}, *ITEMS])
    item_id = created["items"][0]["id"]
    run = run_inline("import-order", options={"id": created["id"]})
    event = ExchangeEvent.objects.get(run=run, entity="order")
    assert event.result == ExchangeEvent.Result.PARKED
    assert f"item {item_id} “Подарочная упаковка”" in render(event.message) and "None" not in render(event.message)
    assert not im.Order.objects.filter(crm_id=created["id"]).exists()
