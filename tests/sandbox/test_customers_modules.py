"""Customers (with their feed), corporate customers, integration modules, custom fields."""

import json

import requests


def test_customer_filters(api, sandbox):
    everyone = api.get("customers", params={"limit": 100}).json()
    assert everyone["pagination"]["totalCount"] == 50
    some = next(c for c in sandbox.state.customers.values() if c.get("externalId"))
    by_id = api.get("customers", params={"filter[ids][]": some["id"]}).json()["customers"]
    assert [c["id"] for c in by_id] == [some["id"]]
    by_ext = api.get("customers", params={"filter[externalIds][]": some["externalId"]}).json()["customers"]
    assert [c["externalId"] for c in by_ext] == [some["externalId"]]
    by_email = api.get("customers", params={"filter[email]": some["email"].upper()}).json()["customers"]
    assert [c["id"] for c in by_email] == [some["id"]]
    digits = "".join(ch for ch in some["phones"][0]["number"] if ch.isdigit())
    by_phone = api.get("customers", params={"filter[name]": digits[-7:]}).json()["customers"]
    assert some["id"] in [c["id"] for c in by_phone]
    by_name = api.get("customers", params={"filter[name]": some["lastName"], "limit": 100}).json()["customers"]
    assert by_name and all(c["lastName"] == some["lastName"] for c in by_name)
    full = api.get(f"customers/{some['id']}", params={"by": "id"}).json()["customer"]
    assert full["ordersCount"] == sum(1 for o in sandbox.state.orders.values() if o["customerId"] == some["id"])


def test_customer_create_edit_fix_and_feed(sandbox, api):
    start = sandbox.state.customer_history[-1]["id"]
    created = api.post("customers/create", data={"site": "main-shop", "customer": json.dumps(
        {"externalId": "ERP-C1", "firstName": "Olga", "email": "olga@example.org", "phones": [{"number": "+7 900"}]})})
    assert created.status_code == 201 and set(created.json()) == {"success", "id"}
    customer_id = created.json()["id"]
    duplicate = api.post("customers/create",
                         data={"site": "main-shop", "customer": json.dumps({"externalId": "ERP-C1"})})
    assert duplicate.status_code == 400
    assert api.post("customers/create", data={"site": "main-shop", "customer": json.dumps(
        {"email": "not-an-email"})}).json()["errors"] == {"email": "This value is not a valid email address."}
    edited = api.post("customers/ERP-C1/edit",
                      data={"site": "main-shop", "customer": json.dumps({"lastName": "Ivanova"})})
    assert edited.json() == {"success": True, "id": customer_id}
    assert api.post("customers/fix-external-ids", data={"customers": json.dumps(
        [{"id": customer_id, "externalId": "ERP-C2"}])}).json() == {"success": True}
    fetched = api.get("customers/ERP-C2", params={"site": "main-shop"}).json()["customer"]
    assert fetched["lastName"] == "Ivanova" and fetched["customFields"] == []
    feed = api.get("customers/history", params={"filter[sinceId]": start}).json()["history"]
    assert [e["field"] for e in feed] == ["id", "last_name", "external_id"]
    assert feed[0]["created"] is True and feed[0]["customer"]["externalId"] == "ERP-C1"
    assert all(e["apiKey"] == {"current": True} for e in feed)


def test_customers_upload_partial_460(api):
    answer = api.post("customers/upload", data={"site": "main-shop", "customers": json.dumps(
        [{"externalId": "UP-1"}, {"externalId": "UP-1"}])})
    assert answer.status_code == 460
    body = answer.json()
    assert [c["externalId"] for c in body["uploadedCustomers"]] == ["UP-1"]
    assert body["failedCustomers"] == [{"externalId": "UP-1"}]


def test_corporate_customers(api):
    made = api.post("customers-corporate/create", data={"site": "main-shop", "customerCorporate": json.dumps(
        {"externalId": "CORP-1", "nickName": "Horns and Hooves"})})
    assert made.status_code == 201
    listed = api.get("customers-corporate").json()["customersCorporate"]
    assert listed[0]["type"] == "customer_corporate" and listed[0]["nickName"] == "Horns and Hooves"


def test_integration_module_registration(api, sandbox):
    assert api.get("integration-modules/erp-1").status_code == 404
    module = {"code": "erp-1", "integrationCode": "erp", "name": "ERP", "baseUrl": "http://erp.local",
              "clientId": "c-1", "active": True,
              "integrations": {"store": {"actions": [{"code": "inventoriesUpload", "url": "/cb"}]}}}
    first = api.post("integration-modules/erp-1/edit", data={"integrationModule": json.dumps(module)})
    assert first.status_code == 201 and first.json()["success"] is True
    again = api.post("integration-modules/erp-1/edit", data={"integrationModule": json.dumps({"active": False})})
    assert again.status_code == 200
    stored = api.get("integration-modules/erp-1").json()["integrationModule"]
    assert stored["active"] is False and stored["clientId"] == "c-1"
    incomplete = api.post("integration-modules/erp-2/edit", data={"integrationModule": json.dumps({"name": "x"})})
    assert incomplete.status_code == 400 and set(incomplete.json()["errors"]) == {"baseUrl", "clientId"}
    state = requests.get(f"{sandbox.url}/sandbox/state", timeout=5).json()
    assert state["integrationModules"]["erp-1"]["name"] == "ERP"


def test_custom_fields(api):
    listed = api.get("custom-fields", params={"filter[entity]": "order"}).json()["customFields"]
    assert {f["code"] for f in listed} == {"gift_wrap", "courier_note"}
    made = api.post("custom-fields/order/create", data={"customField": json.dumps(
        {"name": "ERP marker", "code": "erp_marker", "type": "boolean"})})
    assert (made.status_code, made.json()) == (201, {"success": True, "code": "erp_marker"})
    again = api.post("custom-fields/order/create", data={"customField": json.dumps(
        {"name": "ERP marker", "code": "erp_marker", "type": "boolean"})})
    assert again.status_code == 400
    assert api.get("custom-fields/order/erp_marker").json()["customField"]["type"] == "boolean"
    assert api.post("custom-fields/planet/create", data={"customField": "{}"}).status_code == 400
