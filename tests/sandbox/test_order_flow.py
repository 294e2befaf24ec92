"""Shapes of the real feeds (manager, phones, payments) and what the order flow needs, as RetailCRM does it."""

import json

import requests

from sandbox.retailcrm.testing import SandboxServer

from .conftest import Api


def form(**fields):
    return {k: json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v for k, v in fields.items()}


def feed(api, path, since, key=None):
    return api.get(path, key=key, params={"filter[sinceId]": since, "limit": 100}).json()["history"]


def new_order(api, **fields):
    order = {"items": [{"offer": {"externalId": "DEMO-0003"}, "quantity": 3}], "customer": {"id": 101}, **fields}
    answer = api.post("orders/create", data=form(site="main-shop", order=order))
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_manager_values_are_id_objects_in_both_feeds(sandbox, api):
    orders_start, customers_start = sandbox.state.history[-1]["id"], sandbox.state.customer_history[-1]["id"]
    api.post("orders/1001/edit", data=form(by="id", order={"managerId": 14}))
    api.post("customers/101/edit", data=form(by="id", customer={"managerId": 14}))
    manager = next(e for e in feed(api, "orders/history", orders_start) if e["field"] == "manager")
    assert manager["newValue"] == {"id": 14} and manager["oldValue"] in (None, {"id": 11}, {"id": 12}, {"id": 13})
    entry = next(e for e in feed(api, "customers/history", customers_start) if e["field"] == "manager")
    assert entry["newValue"] == {"id": 14}


def test_customer_phones_get_one_entry_per_number(sandbox, api):
    start = sandbox.state.customer_history[-1]["id"]
    old = sandbox.state.customers[102]["phones"][0]["number"]
    api.post("customers/102/edit", data=form(by="id", customer={
        "phones": [{"number": old}, {"number": "+79000000002"}, {"number": "+79000000003"}]}))
    api.post("customers/102/edit", data=form(by="id", customer={"phones": [{"number": "+79000000003"}]}))
    phones = [(e["oldValue"], e["newValue"]) for e in feed(api, "customers/history", start) if e["field"] == "phones"]
    assert phones == [(None, "+79000000002"), (None, "+79000000003"), (old, None), ("+79000000002", None)]


def test_payments_are_a_list_on_creation_and_keyed_by_id_afterwards(sandbox, api):
    start = sandbox.state.history[-1]["id"]
    created = new_order(api, payments=[{"type": "cash", "externalId": "P-LIST-1", "amount": 10}])
    payment_id = created["order"]["payments"][0]["id"]
    assert created["order"]["payments"] == [{"id": payment_id, "externalId": "P-LIST-1", "type": "cash",
                                             "status": "not-paid", "amount": 10.0}]
    creation = feed(api, "orders/history", start)[0]
    assert creation["created"] is True and creation["order"]["payments"] == created["order"]["payments"]
    fetched = api.get(f"orders/{created['id']}", params={"by": "id"}).json()["order"]
    assert fetched["payments"] == {str(payment_id): created["order"]["payments"][0]}


def test_boolean_custom_field_filter_takes_1_and_0(sandbox, api):
    wrapped = {o["id"] for o in sandbox.state.orders.values() if o["customFields"].get("gift_wrap") is True}
    assert wrapped
    found = api.get("orders", params={"filter[customFields][gift_wrap]": 1, "limit": 100}).json()
    assert {o["id"] for o in found["orders"]} == wrapped
    api.post("orders/1001/edit", data=form(by="id", order={"customFields": {"gift_wrap": False}}))
    unwrapped = api.get("orders", params={"filter[customFields][gift_wrap]": 0, "limit": 100}).json()["orders"]
    assert [o["id"] for o in unwrapped] == [1001]
    api.post("orders/1002/edit", data=form(by="id", order={"customFields": {"courier_note": "Этаж 3"}}))
    noted = api.get("orders", params={"filter[customFields][courier_note]": "Этаж 3"}).json()["orders"]
    assert [o["id"] for o in noted] == [1002]


def test_demo_references_have_the_return_statuses():
    with SandboxServer(seed="empty", rps=1000) as crm:
        api = Api(crm.api_url, crm.api_key)
        statuses = api.get("reference/statuses").json()["statuses"]
        assert statuses["return"]["group"] == "cancel" and statuses["partially-returned"]["group"] == "complete"
        groups = api.get("reference/status-groups").json()["statusGroups"]
        assert {"cancel", "cancel-other", "return"} == set(groups["cancel"]["statuses"])
        assert {"complete", "partially-returned"} == set(groups["complete"]["statuses"])
        items = api.get("reference/product-statuses").json()["productStatuses"]
        assert items["returned"]["cancelStatus"] is True and items["returned"]["orderStatusByProductStatus"] == "return"
        assert items["chastichnyi-vozvrat"]["cancelStatus"] is False
        assert {"code", "name", "ordering", "active", "createdAt", "cancelStatus"} <= set(items["returned"])


def test_an_export_edits_an_order_by_id_with_site_and_sees_its_own_changes():
    with SandboxServer(rps=1000, extra_keys={"other-key": {}}) as crm:
        api = Api(crm.api_url, crm.api_key)
        created = new_order(api)
        line = created["order"]["items"][0]
        start = crm.state.history[-1]["id"]
        answer = api.post(f"orders/{created['id']}/edit", data=form(by="id", site="main-shop", order={
            "status": "complete", "managerId": 13, "shipmentStore": "north", "shipped": True,
            "items": [{"id": line["id"], "quantity": 2, "discountManualAmount": 5, "discountManualPercent": 10,
                       "status": "shipped"}],
            "delivery": {"code": "self-delivery", "cost": 0},
            "customFields": {"courier_note": "позвонить"}}))
        assert answer.status_code == 200, answer.text
        order = answer.json()["order"]
        assert (order["status"], order["managerId"], order["shipmentStore"], order["shipped"]) == (
            "complete", 13, "north", True)
        item = order["items"][0]
        assert (item["quantity"], item["discountManualAmount"], item["discountManualPercent"], item["status"]) == (
            2, 5, 10, "shipped")
        assert order["delivery"]["code"] == "self-delivery" and order["customFields"]["courier_note"] == "позвонить"
        mine = feed(api, "orders/history", start)
        theirs = feed(api, "orders/history", start, key="other-key")
        fields = {e["field"] for e in mine}
        assert {"status", "manager", "shipment_store", "shipped", "order_product.quantity",
                "order_product.discount_manual_amount", "order_product.discount_manual_percent",
                "order_product.status", "delivery_type", "custom_courier_note"} <= fields
        assert all(e["source"] == "api" and e["apiKey"] == {"current": True} for e in mine)
        assert all(e["apiKey"] == {"current": False} for e in theirs)
        # The same edit for another shop's key scope: by id with the wrong site is not found.
        wrong = api.post(f"orders/{created['id']}/edit", data=form(by="id", site="second-shop", order={"shipped": False}))
        assert wrong.status_code == 404


def test_payments_are_created_edited_and_deleted_with_external_ids(sandbox, api):
    created = new_order(api)
    start = sandbox.state.history[-1]["id"]
    made = api.post("orders/payments/create", data=form(site="main-shop", payment={
        "order": {"id": created["id"]}, "type": "bank-card", "amount": 100, "externalId": "ERP-PAY-7"}))
    assert made.status_code == 201 and made.json() == {"success": True, "id": made.json()["id"]}
    payment_id = made.json()["id"]
    edited = api.post("orders/payments/ERP-PAY-7/edit", data=form(site="main-shop", payment={
        "status": "paid", "paidAt": "2025-05-01 12:00:00"}))
    assert edited.json() == {"success": True, "id": payment_id}
    payments = api.get(f"orders/{created['id']}", params={"by": "id"}).json()["order"]["payments"]
    assert payments[str(payment_id)]["status"] == "paid" and payments[str(payment_id)]["externalId"] == "ERP-PAY-7"
    assert api.post(f"orders/payments/{payment_id}/delete").json() == {"success": True}
    assert api.post(f"orders/payments/{payment_id}/delete").status_code == 404
    entries = [e for e in feed(api, "orders/history", start) if e["field"].startswith("payments")]
    assert [(e["field"], e["oldValue"] is None, e["newValue"] is None) for e in entries] == [
        ("payments", True, False), ("payments.status", False, False), ("payments.paid_at", True, False),
        ("payments", False, True)]
    assert all(e["payment"]["id"] == payment_id and e["apiKey"] == {"current": True} for e in entries)
    assert entries[0]["payment"]["externalId"] == "ERP-PAY-7"


def test_a_manager_returns_part_of_a_line_then_the_rest(sandbox, api):
    created = new_order(api)
    line = created["order"]["items"][0]
    start = sandbox.state.history[-1]["id"]
    url = f"{sandbox.url}/sandbox/orders/{created['id']}/item-statuses"
    too_many = requests.post(url, json={"userId": 12, "items": [{"id": line["id"], "status": "returned",
                                                                 "quantity": 4}]}, timeout=5)
    assert too_many.status_code == 400 and "quantity" in too_many.text
    answer = requests.post(url, json={"userId": 12, "items": [
        {"id": line["id"], "status": "chastichnyi-vozvrat", "quantity": 1}]}, timeout=5)
    assert answer.status_code == 200, answer.text
    kept, split = answer.json()["order"]["items"]
    assert (kept["id"], kept["quantity"], kept["status"]) == (line["id"], 2, line["status"])
    assert (split["quantity"], split["status"], split["offer"]["id"], split["initialPrice"]) == (
        1, "chastichnyi-vozvrat", line["offer"]["id"], line["initialPrice"])
    entries = feed(api, "orders/history", start)
    assert [e["field"] for e in entries] == ["order_product.quantity", "order_product"]
    assert all(e["source"] == "user" and e["user"] == {"id": 12} for e in entries)
    # Every line returned: the item-status rule moves the order to "return".
    answer = requests.post(url, json={"userId": 12, "items": [{"id": kept["id"], "status": "returned"},
                                                              {"id": split["id"], "status": "returned"}]}, timeout=5)
    assert answer.json()["order"]["status"] == "return"
    last = feed(api, "orders/history", entries[-1]["id"])
    assert {e["field"] for e in last} == {"order_product.status", "status"}
