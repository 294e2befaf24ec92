"""Issue 15 items 5–7 in the sandbox: orders of corporate customers, item bonuses, payment statuses with
``paymentComplete`` like a real account, and delivery addresses by parts (some without ``text``)."""

import json

import requests

from tests.replay_crm import recorded


def _operator(sandbox, path, body):
    return requests.post(f"{sandbox.url}/sandbox/{path}", json=body, timeout=10)


def _corporate(sandbox):
    response = _operator(sandbox, "customers-corporate", {
        "nickName": "Romashka", "companies": [{"name": "ООО «Ромашка»", "contragent": {"INN": "7701234567"}}],
        "contacts": [{"firstName": "Иван", "phones": [{"number": "+79990001122"}]}, {"firstName": "Ольга"}]})
    assert response.status_code == 201, response.text
    return response.json()


def _types(value):
    if isinstance(value, dict):
        return {key: _types(item) for key, item in value.items()}
    return type(value).__name__


def test_payment_statuses_have_several_complete_ones_shaped_like_the_real_reference(api):
    statuses = api.get("reference/payment-statuses").json()["paymentStatuses"]
    assert {code for code, entry in statuses.items() if entry["paymentComplete"]} == {"paid", "fiskalizirovan"}
    real = recorded("ReferencesTest.testPaymentStatuses")["paymentStatuses"]
    for code in ("paid", "fiskalizirovan", "not-paid", "payment-start"):
        assert _types(statuses[code]) == _types(real[code]), code


def test_an_order_of_a_corporate_customer_carries_the_company_and_its_contact(sandbox, api):
    corporate = _corporate(sandbox)
    olga = corporate["contactIds"][1]
    company = corporate["companies"][0]["id"]
    order = {"customer": {"id": corporate["id"], "type": "customer_corporate"}, "contact": {"id": olga},
             "company": {"id": company}, "items": [{"productName": "Стол", "initialPrice": 1000}]}
    created = api.post("orders/create", data={"site": "main-shop", "order": json.dumps(order)})
    assert created.status_code == 201, created.text
    got = api.get(f"orders/{created.json()['id']}", params={"by": "id"}).json()["order"]
    assert got["customer"]["type"] == "customer_corporate" and got["customer"]["id"] == corporate["id"]
    assert got["contact"]["type"] == "customer" and got["contact"]["id"] == olga
    assert got["company"]["id"] == company and got["company"]["contragent"]["INN"] == "7701234567"
    feed = api.get("orders/history", params={"filter[sinceId]": sandbox.state.history[-2]["id"]}).json()["history"]
    entry = next(e for e in feed if e.get("created") and e["order"]["id"] == got["id"])
    assert entry["order"]["customer"]["type"] == "customer_corporate" and entry["order"]["contact"]["id"] == olga

    # The operator endpoint defaults to the main contact and company.
    placed = _operator(sandbox, f"customers-corporate/{corporate['id']}/orders", {"items": [{"productName": "Стул"}]})
    assert placed.status_code == 201, placed.text
    assert placed.json()["order"]["contact"]["id"] == corporate["contactIds"][0]
    assert placed.json()["order"]["company"]["id"] == company


def test_a_corporate_order_is_refused_for_an_unknown_company_or_a_stranger_as_contact(sandbox, api):
    corporate = _corporate(sandbox)
    stranger = next(iter(sandbox.state.customers))
    for extra, field in (({"contact": {"id": stranger}}, "contact"), ({"company": {"id": 999999}}, "company")):
        order = {"customer": {"id": corporate["id"], "type": "customer_corporate"}, **extra,
                 "items": [{"productName": "Стол"}]}
        answer = api.post("orders/create", data={"site": "main-shop", "order": json.dumps(order)})
        assert answer.status_code == 400 and field in answer.json()["errors"], answer.text
    unknown = {"customer": {"id": 999999, "type": "customer_corporate"}, "items": [{"productName": "Стол"}]}
    assert api.post("orders/create", data={"site": "main-shop", "order": json.dumps(unknown)}).status_code == 400


def test_items_get_bonuses_from_the_operator_and_the_order_sums_them(sandbox, api):
    order = next(iter(sandbox.state.orders.values()))
    items = [item["id"] for item in order["items"]]
    answer = _operator(sandbox, f"orders/{order['id']}/bonuses",
                       {"items": [{"id": items[0], "bonusesChargeTotal": 30, "bonusesCreditTotal": 4.5}]})
    assert answer.status_code == 200, answer.text
    got = api.get(f"orders/{order['id']}", params={"by": "id"}).json()["order"]
    first = next(item for item in got["items"] if item["id"] == items[0])
    assert (first["bonusesChargeTotal"], first["bonusesCreditTotal"]) == (30, 4.5)
    assert all("bonusesChargeTotal" in item and "bonusesCreditTotal" in item for item in got["items"])
    assert (got["bonusesChargeTotal"], got["bonusesCreditTotal"]) == (30, 4.5)
    bad = _operator(sandbox, f"orders/{order['id']}/bonuses", {"items": [{"id": 0, "bonusesChargeTotal": 1}]})
    assert bad.status_code == 400
    negative = _operator(sandbox, f"orders/{order['id']}/bonuses", {"items": [{"id": items[0], "bonusesChargeTotal": -1}]})
    assert negative.status_code == 400


def test_demo_delivery_addresses_come_by_parts_some_without_text(sandbox):
    addresses = [o["delivery"]["address"] for o in sandbox.state.orders.values() if (o.get("delivery") or {}).get("address")]
    assert addresses
    assert all({"index", "city", "street", "building"} <= set(a) for a in addresses)
    without_text = [a for a in addresses if "text" not in a]
    assert without_text and len(without_text) < len(addresses)
