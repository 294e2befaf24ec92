"""The orders change feed: who changed what, seen from the reading key, paged by sinceId."""

import json

import pytest
import requests

from sandbox.retailcrm.testing import SandboxServer


@pytest.fixture
def two_keys():
    with SandboxServer(rps=1000, extra_keys={"other-key": {}}) as server:
        yield server


def feed(server, key, **params):
    params.setdefault("limit", 100)
    answer = requests.get(f"{server.api_url}/orders/history", headers={"X-API-KEY": key}, params=params, timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()


def since(server, key, since_id):
    return feed(server, key, **{"filter[sinceId]": since_id})["history"]


def test_api_changes_are_current_only_for_the_writing_key(two_keys):
    start = two_keys.state.history[-1]["id"]
    created = requests.post(f"{two_keys.api_url}/orders/create", headers={"X-API-KEY": "sandbox-key"}, timeout=5,
                            data={"site": "main-shop", "order": json.dumps({
                                "externalId": "ERP-H1", "items": [{"offer": {"externalId": "DEMO-0003"}}]})})
    order_id = created.json()["id"]
    mine = since(two_keys, "sandbox-key", start)
    theirs = since(two_keys, "other-key", start)
    assert [e["id"] for e in mine] == [e["id"] for e in theirs]
    creation = mine[0]
    assert creation["created"] is True and creation["source"] == "api"
    assert creation["field"] == "status" and creation["newValue"] == {"code": "new"}
    assert creation["order"]["id"] == order_id and creation["order"]["externalId"] == "ERP-H1"
    assert "payments" not in creation["order"] and creation["order"]["items"]  # the real feed omits none
    assert creation["apiKey"] == {"current": True}
    assert theirs[0]["apiKey"] == {"current": False}
    assert "user" not in creation


def test_operator_changes_are_user_changes(two_keys):
    start = two_keys.state.history[-1]["id"]
    answer = requests.post(f"{two_keys.url}/sandbox/orders/1001/edit", timeout=5,
                           json={"status": "complete", "managerId": 13, "userId": 13,
                                 "delivery": {"code": "self-delivery"}, "customFields": {"courier_note": "call"}})
    assert answer.status_code == 200, answer.text
    entries = since(two_keys, "sandbox-key", start)
    by_field = {e["field"]: e for e in entries}
    assert by_field["status"]["oldValue"] == {"code": "cancel-other"}
    assert by_field["status"]["newValue"] == {"code": "complete"}
    assert by_field["manager"]["newValue"] == {"id": 13}
    assert by_field["delivery_type"]["newValue"] == {"code": "self-delivery"}
    assert by_field["custom_courier_note"]["newValue"] == "call"
    for entry in entries:
        assert entry["source"] == "user" and entry["user"] == {"id": 13} and "apiKey" not in entry
        assert entry["order"]["id"] == 1001 and entry["order"]["site"] == "main-shop"
        assert "created" not in entry


def test_items_and_payments_entries(sandbox, api):
    start = sandbox.state.history[-1]["id"]
    order = api.get("orders/1001", params={"by": "id"}).json()["order"]
    kept = order["items"][0]
    api.post("orders/1001/edit", data={"by": "id", "order": json.dumps({
        "items": [{"id": kept["id"], "quantity": kept["quantity"] + 1},
                  {"offer": {"externalId": "DEMO-0005"}, "quantity": 1}],
        "payments": [{"type": "e-money", "amount": 10, "status": "paid"}],
    })})
    entries = api.get("orders/history", params={"filter[sinceId]": start, "limit": 100}).json()["history"]
    fields = [e["field"] for e in entries]
    assert "order_product.quantity" in fields and "payments" in fields
    added = [e for e in entries if e["field"] == "order_product" and e["oldValue"] is None]
    assert len(added) == 1 and added[0]["newValue"]["offer"]["externalId"] == "DEMO-0005"
    assert added[0]["item"]["id"] == added[0]["newValue"]["id"]
    removed = [e for e in entries if e["field"] == "order_product" and e["newValue"] is None]
    assert len(removed) == len(order["items"]) - 1
    payment = next(e for e in entries if e["field"] == "payments")
    assert payment["payment"]["type"] == "e-money" and payment["newValue"]["type"] == "e-money"
    quantity = next(e for e in entries if e["field"] == "order_product.quantity")
    assert (quantity["oldValue"], quantity["newValue"]) == (kept["quantity"], kept["quantity"] + 1)
    assert quantity["item"]["id"] == kept["id"]

    payment_id = payment["payment"]["id"]
    api.post(f"orders/payments/{payment_id}/edit", data={"by": "id", "payment": json.dumps({"status": "not-paid"})})
    last = api.get("orders/history", params={"filter[orderId]": 1001, "limit": 100}).json()["history"][-1]
    assert last["field"] == "payments.status" and last["newValue"] == {"code": "not-paid"}
    assert last["payment"]["id"] == payment_id


def test_since_id_paging_is_ascending_and_counts_the_rest(sandbox, api):
    last = sandbox.state.history[-1]["id"]
    cursor, seen = last - 45, []
    while True:
        page = api.get("orders/history", params={"filter[sinceId]": cursor, "limit": 20}).json()
        assert page["pagination"]["totalCount"] == last - cursor and "generatedAt" in page
        if not page["history"]:
            break
        ids = [e["id"] for e in page["history"]]
        assert ids == sorted(ids) and ids[0] == cursor + 1
        seen += ids
        cursor = ids[-1]
    assert seen == list(range(last - 44, last + 1))


def test_date_and_order_filters(api, sandbox):
    day = api.get("orders/history", params={"filter[startDate]": "2025-03-10 00:00:00",
                                            "filter[endDate]": "2025-03-10 23:59:59", "limit": 100}).json()
    assert day["history"] and all(e["createdAt"].startswith("2025-03-10") for e in day["history"])
    one = api.get("orders/history", params={"filter[orderId]": 1005, "limit": 100}).json()["history"]
    assert one[0]["created"] is True and {e["order"]["id"] for e in one} == {1005}
    assert api.get("orders/history", params={"filter[sinceId]": "x"}).status_code == 400


def test_operator_create_and_delete(sandbox, api):
    start = sandbox.state.history[-1]["id"]
    made = requests.post(f"{sandbox.url}/sandbox/orders", timeout=5, json={
        "site": "second-shop", "userId": 14, "items": [{"offer": {"externalId": "DEMO-0010"}, "quantity": 2}],
        "firstName": "Walk-in"})
    assert made.status_code == 201
    order_id = made.json()["id"]
    assert sandbox.state.orders[order_id]["site"] == "second-shop"  # second-shop shares the main catalog
    assert requests.post(f"{sandbox.url}/sandbox/orders/{order_id}/delete", json={}, timeout=5).status_code == 200
    entries = api.get("orders/history", params={"filter[sinceId]": start}).json()["history"]
    assert entries[0]["created"] is True and entries[0]["source"] == "user" and entries[0]["user"] == {"id": 14}
    assert entries[-1]["deleted"] is True and entries[-1]["order"]["id"] == order_id
    assert api.get(f"orders/{order_id}", params={"by": "id"}).status_code == 404


def test_seeded_feed_mixes_shop_api_and_manager_changes(sandbox, api):
    sources = {(e["source"], bool(e.get("apiKey", {}).get("current"))) for e in
               api.get("orders/history", params={"limit": 100}).json()["history"]}
    assert ("api", False) in sources and ("user", False) in sources  # the shop's key is not ours
