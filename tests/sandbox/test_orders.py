"""Orders: list, filters, pagination, create/get/edit, payments, fix-external-ids."""

import json


def create(api, order, site="main-shop"):
    return api.post("orders/create", data={"site": site, "order": json.dumps(order)})


def test_pagination_object_and_pages(api):
    first = api.get("orders", params={"limit": 50}).json()
    assert first["pagination"] == {"limit": 50, "totalCount": 200, "currentPage": 1, "totalPageCount": 4}
    last = api.get("orders", params={"limit": 50, "page": 4}).json()
    assert len(last["orders"]) == 50 and last["pagination"]["currentPage"] == 4
    pages = [api.get("orders", params={"limit": 50, "page": page}).json()["orders"] for page in (1, 2, 3, 4)]
    ids = [o["id"] for page in pages for o in page]
    assert len(set(ids)) == 200
    beyond = api.get("orders", params={"limit": 50, "page": 5}).json()
    assert beyond["orders"] == []
    assert api.get("orders", params={"page": 0}).status_code == 400


def test_list_filters(api, sandbox):
    by_ids = api.get("orders", params={"filter[ids][]": [1001, 1002]}).json()["orders"]
    assert sorted(o["id"] for o in by_ids) == [1001, 1002]
    by_ext = api.get("orders", params={"filter[externalIds][]": ["MS-10001"]}).json()["orders"]
    assert [o["externalId"] for o in by_ext] == ["MS-10001"]
    completes = api.get("orders", params={"filter[extendedStatus][]": "complete", "limit": 100}).json()
    assert completes["orders"] and {o["status"] for o in completes["orders"]} == {"complete"}
    group = api.get("orders", params={"filter[extendedStatus][]": "delivery", "limit": 100}).json()["orders"]
    assert {o["status"] for o in group} == {"delivering"}  # a group code stands for its statuses
    second = api.get("orders", params={"filter[sites][]": "second-shop", "limit": 100}).json()
    expected = sum(1 for o in sandbox.state.orders.values() if o["site"] == "second-shop")
    assert second["pagination"]["totalCount"] == expected and {o["site"] for o in second["orders"]} == {"second-shop"}
    php_style = api.get("orders", params={"filter[ids][0]": 1001, "filter[ids][1]": 1003}).json()["orders"]
    assert sorted(o["id"] for o in php_style) == [1001, 1003]


def test_order_shape_payments_object_and_omitted_nulls(api):
    order = api.get("orders/1001", params={"by": "id"}).json()["order"]
    assert isinstance(order["payments"], dict)
    for key, payment in order["payments"].items():
        assert key == str(payment["id"])
    assert order["customFields"] == [] or isinstance(order["customFields"], dict)
    assert None not in order.values()
    assert order["customer"]["type"] == "customer"
    line = order["items"][0]
    assert line["offer"]["externalId"].startswith("DEMO-")
    lines = sum((i["initialPrice"] - i["discountTotal"]) * i["quantity"] for i in order["items"])
    assert round(lines, 2) == order["summ"]


def test_create_get_edit_round_trip(api, sandbox):
    created = create(api, {
        "externalId": "ERP-1001", "firstName": "Ivan", "phone": "+79990001122", "status": "new",
        "items": [{"offer": {"externalId": "DEMO-0001"}, "quantity": 2, "initialPrice": 100,
                   "externalIds": [{"code": "erp", "value": "line-1"}]},
                  {"offer": {"xmlId": "DEMO-0025#M"}, "quantity": 1}],
        "delivery": {"code": "courier", "cost": 300},
        "payments": [{"type": "cash", "status": "not-paid", "amount": 500, "externalId": "P-1"}],
        "customFields": {"gift_wrap": True},
    })
    assert created.status_code == 201
    body = created.json()
    assert body["success"] is True and body["id"] == body["order"]["id"]
    order_id = body["id"]
    by_external = api.get("orders/ERP-1001", params={"site": "main-shop"}).json()["order"]
    by_id = api.get(f"orders/{order_id}", params={"by": "id"}).json()["order"]
    assert by_external == by_id
    size_m = next(o for o in sandbox.state.offers.values() if o["externalId"] == "DEMO-0025#M")
    assert by_id["summ"] == 200 + size_m["prices"]["base"]  # the offer's base price is the default
    assert by_id["totalSumm"] == by_id["summ"] + 300
    assert list(by_id["payments"].values())[0]["externalId"] == "P-1"
    assert by_id["customFields"] == {"gift_wrap": True}
    assert by_id["customer"]["firstName"] == "Ivan"  # customer created from the order's contact data

    first_line = by_id["items"][0]["id"]
    edited = api.post(f"orders/{order_id}/edit", data={"by": "id", "order": json.dumps({
        "status": "assembling", "managerId": 12,
        "items": [{"externalIds": [{"code": "erp", "value": "line-1"}], "quantity": 5}],
    })})
    assert edited.status_code == 200 and edited.json()["id"] == order_id
    after = edited.json()["order"]
    assert after["status"] == "assembling" and after["managerId"] == 12
    assert [(i["id"], i["quantity"]) for i in after["items"]] == [(first_line, 5.0)]  # the unlisted line is removed
    assert after["payments"]  # payments are untouched when not sent


def test_create_validation_errors(api):
    unknown = create(api, {"items": [{"offer": {"externalId": "NO-SUCH"}}], "status": "bogus",
                           "delivery": {"code": "teleport"}, "customer": {}})
    assert unknown.status_code == 400
    body = unknown.json()
    assert body["errorMsg"] == "Errors in the entity format"
    assert body["errors"] == {
        "status": '"bogus" is not a valid status code.',
        "delivery.code": '"teleport" is not a valid delivery type code.',
        "customer": "Set one of the following fields: id, externalId",
        "items[0].offer.externalId": "Offer with externalId NO-SUCH not found.",
    }
    assert create(api, {"externalId": "MS-10001"}).json()["errors"]["externalId"].startswith("Order with externalId")
    missing_type = create(api, {"payments": [{"amount": 10}]})
    assert missing_type.json()["errors"] == {"payments[0].type": "This value should not be blank."}


def test_edit_unknown_order_is_404(api):
    answer = api.post("orders/999999/edit", data={"by": "id", "order": "{}"})
    assert (answer.status_code, answer.json()) == (404, {"success": False, "errorMsg": "Not found"})
    assert api.get("orders/999999", params={"by": "id"}).status_code == 404
    assert api.get("orders/1", params={"by": "number"}).status_code == 400


def test_payments_create_edit_delete(api):
    order_id = create(api, {"externalId": "ERP-PAY", "items": [{"offer": {"externalId": "DEMO-0002"}, "quantity": 1,
                                                                 "initialPrice": 1000}]}).json()["id"]
    made = api.post("orders/payments/create", data={"site": "main-shop", "payment": json.dumps(
        {"order": {"externalId": "ERP-PAY"}, "type": "bank-card", "externalId": "ERP-PAY-1"})})
    assert made.status_code == 201
    payment_id = made.json()["id"]
    payments = api.get(f"orders/{order_id}", params={"by": "id"}).json()["order"]["payments"]
    assert payments == {str(payment_id): {"id": payment_id, "externalId": "ERP-PAY-1", "type": "bank-card",
                                          "status": "not-paid", "amount": 1000.0}}

    paid = api.post("orders/payments/ERP-PAY-1/edit",
                    data={"payment": json.dumps({"status": "paid", "paidAt": "2025-05-01 10:00:00"})})
    assert paid.json() == {"success": True, "id": payment_id}
    order = api.get(f"orders/{order_id}", params={"by": "id"}).json()["order"]
    assert order["payments"][str(payment_id)]["status"] == "paid"
    assert order["prepaySum"] == 1000.0 and "fullPaidAt" in order

    assert api.post(f"orders/payments/{payment_id}/edit", data={"by": "id", "payment": json.dumps(
        {"status": "refunded"})}).status_code == 400
    assert api.post(f"orders/payments/{payment_id}/delete").json() == {"success": True}
    assert api.get(f"orders/{order_id}", params={"by": "id"}).json()["order"]["payments"] == {}
    gone = api.post(f"orders/payments/{payment_id}/delete")
    assert (gone.status_code, gone.json()["errorMsg"]) == (404, "Payment not found")


def test_fix_external_ids(api, sandbox):
    manual = next(o for o in sandbox.state.orders.values() if not o.get("externalId"))
    answer = api.post("orders/fix-external-ids",
                      data={"orders": json.dumps([{"id": manual["id"], "externalId": "ERP-77"}])})
    assert answer.json() == {"success": True}
    assert api.get("orders/ERP-77", params={"site": manual["site"]}).json()["order"]["id"] == manual["id"]
    other = next(o for o in sandbox.state.orders.values() if o["site"] == manual["site"] and o is not manual)
    clash = api.post("orders/fix-external-ids",
                     data={"orders": json.dumps([{"id": other["id"], "externalId": "ERP-77"}])})
    assert clash.status_code == 400
    assert clash.json()["errors"] == {"orders[0].externalId": 'Order with externalId "ERP-77" already exists.'}


def test_order_statuses(api):
    answer = api.get("orders/statuses", params={"ids[]": [1001], "externalIds[]": ["MS-10002"]}).json()
    assert {o["id"] for o in answer["orders"]} >= {1001}
    assert all(set(o) >= {"id", "status", "group"} for o in answer["orders"])


def test_external_ids_with_slashes_hashes_and_unicode_work_in_paths(api):
    from urllib.parse import quote

    external_id = "ERP/2025#Заказ 1"
    assert create(api, {"externalId": external_id}).status_code == 201
    fetched = api.get(f"orders/{quote(external_id, safe='')}", params={"site": "main-shop"})
    assert fetched.status_code == 200 and fetched.json()["order"]["externalId"] == external_id
    edited = api.post(f"orders/{quote(external_id, safe='')}/edit",
                      data={"site": "main-shop", "order": json.dumps({"status": "complete"})})
    assert edited.json()["order"]["status"] == "complete"
