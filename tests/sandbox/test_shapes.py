"""Every emulated endpoint with a recorded real answer answers in the same structure (tests/sandbox/shapes.py)."""

import copy
import json

import pytest

from sandbox.retailcrm.testing import SandboxServer

from .conftest import Api
from .shapes import differences, realworld_dir

RECORDED = realworld_dir() / "api-client-php"

ORDER = {
    "externalId": "SHAPE-1", "firstName": "Олег", "lastName": "Иванов", "phone": "+79001234567",
    "email": "oleg@example.net", "customer": {"externalId": "C-0001"}, "managerId": 12, "shipmentStore": "main",
    "delivery": {"code": "courier", "cost": 300, "address": {"city": "Москва", "text": "Москва, Лесная, 1"}},
    "items": [{"offer": {"externalId": "DEMO-0003"}, "quantity": 2, "discountManualPercent": 5}],
    "payments": [{"type": "cash", "amount": 100, "externalId": "PAY-1"}],
    "customFields": {"gift_wrap": True},
}


def form(**fields):
    return {k: json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v for k, v in fields.items()}


def _created(api, external_id="SHAPE-1"):
    order = dict(ORDER, externalId=external_id, payments=[dict(ORDER["payments"][0], externalId=f"{external_id}-P")])
    return api.post("orders/create", data=form(site="main-shop", order=order))


def _new_payment(api, made=[]):  # noqa: B006 - a counter: every payment gets its own externalId
    made.append(1)
    return api.post("orders/payments/create", data=form(payment={
        "order": {"id": 1001}, "type": "bank-card", "amount": 10, "externalId": f"SHAPE-PAY-{len(made)}"}))


class WholeFeed:
    """Every page of a history feed as one answer: the seeded feed plus _busy_day's changes are all compared."""

    def __init__(self, api, path):
        first = api.get(path, params={"limit": 100, "page": 1})
        self.headers, self.ok, self.body = first.headers, first.ok, first.json()
        for page in range(2, self.body["pagination"]["totalPageCount"] + 1):
            self.body["history"] += api.get(path, params={"limit": 100, "page": page}).json()["history"]

    def json(self):
        return self.body


def _history(api, path):
    return WholeFeed(api, path)


def _edit_new_payment(api):
    """orders/payments/{externalId}/edit (by externalId, the API's default) of a payment made for it."""
    assert _new_payment(api).status_code == 201
    payment = api.get("orders/1001", params={"by": "id"}).json()["order"]["payments"]
    external_id = max(payment.values(), key=lambda p: p["id"])["externalId"]
    return api.post(f"orders/payments/{external_id}/edit", data=form(site="main-shop", payment={"status": "paid"}))


def _corporate(api, made=[]):  # noqa: B006 - a counter: each call creates a new corporate customer
    made.append(1)
    return api.post("customers-corporate/create", data=form(site="main-shop", customerCorporate={
        "externalId": f"SHAPE-CORP-{len(made)}", "nickName": "ООО Форма",
        "companies": [{"name": "ООО Форма", "isMain": True}],
        "addresses": [{"name": "Офис", "text": "Москва, Лесная, 1", "isMain": True}]}))


def _account(api):
    return api.post("loyalty/account/create", data=form(site="main-shop", loyaltyAccount={
        "phoneNumber": "+79005552222", "customer": {"id": 141}})).json()["loyaltyAccount"]["id"]


CASES = {
    # endpoint: (recorded file, call)
    "api-versions": ("ApiTest.testApiVersions", lambda api: api.get("api-versions")),
    "credentials": ("ApiTest.testCredentials", lambda api: api.get("credentials")),
    "users": ("UsersTest.testList", lambda api: api.get("users")),
    "users/{id}": ("UsersTest.testGet", lambda api: api.get("users/11")),
    "orders": ("OrdersTest.testList", lambda api: api.get("orders", params={"limit": 100})),
    "orders/{id}": ("OrdersTest.testGet", lambda api: api.get("orders/1150", params={"by": "id"})),
    "orders/create": ("OrdersTest.testCreate", _created),
    # The Go client's mock of a create answer without payments: "payments": [] (less authoritative, a mock).
    "orders/create (no payments)": ("../api-client-go/TestClient_OrderChange", lambda api: api.post(
        "orders/create", data=form(site="main-shop", order={"items": [{"productName": "Услуга"}]}))),
    "orders/{id}/edit": ("OrdersTest.testEdit", lambda api: api.post("orders/1001/edit", data=form(
        by="id", site="main-shop", order={"status": "complete", "managerComment": "ok"}))),
    "orders/fix-external-ids": ("OrdersTest.testFixExternalIds", lambda api: api.post(
        "orders/fix-external-ids", data=form(orders=[{"id": 1002, "externalId": "SHAPE-FIX"}]))),
    "orders/statuses": ("OrdersTest.testStatuses", lambda api: api.get(
        "orders/statuses", params={"ids[]": [1001, 1002]})),
    "orders/history": ("OrdersTest.testHistory", lambda api: _history(api, "orders/history")),
    "orders/payments/create": ("OrdersTest.testPaymentsCreate", _new_payment),
    "orders/payments/{id}/edit": ("OrdersTest.testPaymentsEdit", lambda api: _edit_new_payment(api)),
    "orders/payments/{id}/delete": ("OrdersTest.testPaymentsDelete", lambda api: api.post(
        f"orders/payments/{_new_payment(api).json()['id']}/delete")),
    "customers": ("CustomersTest.testCustomersList", lambda api: api.get("customers", params={"limit": 100})),
    "customers/{id}": ("CustomersTest.testCustomersGet", lambda api: api.get(
        "customers/C-0001", params={"site": "main-shop"})),
    "customers/create": ("CustomersTest.testCustomersCreate", lambda api: api.post("customers/create", data=form(
        site="main-shop", customer={"firstName": "Ada", "phones": [{"number": "+79005550000"}]}))),
    "customers/{id}/edit": ("CustomersTest.testCustomersEdit", lambda api: api.post("customers/101/edit", data=form(
        by="id", customer={"managerId": 13, "phones": [{"number": "+79005550001"}]}))),
    "customers/fix-external-ids": ("CustomersTest.testCustomersFixExternalIds", lambda api: api.post(
        "customers/fix-external-ids", data=form(customers=[{"id": 104, "externalId": "SHAPE-C"}]))),
    "customers/upload": ("CustomersTest.testCustomersUpload", lambda api: api.post("customers/upload", data=form(
        site="main-shop", customers=[{"externalId": "SHAPE-U1", "firstName": "Ugo"}]))),
    "customers/history": ("CustomersTest.testCustomersHistory", lambda api: _history(api, "customers/history")),
    "customers-corporate": ("CustomersCorporateTest.testList", lambda api: _corporate(api) and api.get(
        "customers-corporate")),
    "customers-corporate/create": ("CustomersCorporateTest.testCreate", _corporate),
    "store/inventories": ("StoreTest.testInventories", lambda api: api.get("store/inventories", params={"limit": 100})),
    "store/inventories/upload": ("StoreTest.testInventoriesUpload", lambda api: api.post(
        "store/inventories/upload", data=form(site="main-shop", offers=[
            {"externalId": "DEMO-0001", "stores": [{"code": "main", "available": 5}]}]))),
    "store/prices/upload": ("StoreTest.testPricesUpload", lambda api: api.post("store/prices/upload", data=form(
        prices=[{"externalId": "DEMO-0001", "site": "main-shop", "prices": [{"code": "base", "price": 10}]}]))),
    "store/offers": ("StoreTest.testOffers", lambda api: api.get("store/offers", params={"limit": 100})),
    "store/products": ("StoreTest.testProducts", lambda api: api.get("store/products", params={"limit": 100})),
    "custom-fields": ("CustomFieldsTest.testList", lambda api: api.get("custom-fields")),
    "custom-fields/{entity}/{code}": ("CustomFieldsTest.testGet", lambda api: api.get("custom-fields/order/gift_wrap")),
    "custom-fields/{entity}/create": ("CustomFieldsTest.testCreate", lambda api: api.post(
        "custom-fields/order/create", data=form(customField={"code": "shape_f", "name": "F", "type": "string"}))),
    "custom-fields/{entity}/{code}/edit": ("CustomFieldsTest.testEdit", lambda api: api.post(
        "custom-fields/order/courier_note/edit", data=form(customField={"name": "Курьеру"}))),
    "integration-modules/{code}": ("IntegrationTests.testGet", lambda api: api.post(
        "integration-modules/shape-module/edit", data=form(integrationModule={
            "code": "shape-module", "integrationCode": "shape-module", "active": True, "name": "Shape",
            "baseUrl": "https://erp.example", "clientId": "shape-client", "logo": "https://erp.example/logo.svg",
            "actions": {"activity": "/actions/activity"}, "availableCountries": [],
            "accountUrl": "https://erp.example/settings", "integrations": {"mgTransport": {
                "webhookUrl": "https://erp.example/webhook/", "isActive": True, "token": "mg-token"}}})) and api.get("integration-modules/shape-module")),
    # A module without a messenger transport: the real answer's info is PHP's empty [] (testPaymentEdit).
    "integration-modules/{code}/edit": ("IntegrationTests.testPaymentEdit", lambda api: api.post(
        "integration-modules/shape-module-2/edit", data=form(integrationModule={
            "code": "shape-module-2", "name": "Shape 2", "baseUrl": "https://erp.example", "clientId": "c2"}))),
    "loyalty/loyalties": ("LoyaltyTest.testLoyalties", lambda api: api.get("loyalty/loyalties")),
    "loyalty/loyalties/{id}": ("LoyaltyTest.testLoyaltiesGet", lambda api: api.get("loyalty/loyalties/1")),
    "loyalty/accounts": ("LoyaltyTest.testAccounts", lambda api: api.get("loyalty/accounts")),
    "loyalty/account/{id}": ("LoyaltyTest.testAccountGet", lambda api: api.get("loyalty/account/1")),
    "loyalty/account/create": ("LoyaltyTest.testAccountCreate", lambda api: api.post(
        "loyalty/account/create", data=form(site="main-shop", loyaltyAccount={
            "phoneNumber": "+79005551111", "customer": {"id": 140}}))),
    "loyalty/account/{id}/activate": ("LoyaltyTest.testAccountActivate", lambda api: api.post(
        f"loyalty/account/{_account(api)}/activate")),
    "loyalty/account/{id}/edit": ("LoyaltyTest.testAccountEdit", lambda api: api.post(
        "loyalty/account/1/edit", data=form(loyaltyAccount={"cardNumber": "BC-SHAPE"}))),
    "error: unknown method": ("ErrorTest.testErrorResponseHandling", lambda api: api.get("no-such-method")),
    "error: invalid data": ("ErrorTest.testPostErrorResponseHandling", lambda api: api.post(
        "orders/create", data={"site": "main-shop", "order": "{not json"})),
}

BOOKS = {
    "statuses": "Statuses", "status-groups": "StatusGroups", "order-types": "OrderTypes",
    "order-methods": "OrderMethods", "payment-types": "PaymentTypes", "payment-statuses": "PaymentStatuses",
    "delivery-types": "DeliveryTypes", "delivery-services": "DeliveryServices", "stores": "Stores",
    "price-types": "PriceTypes", "sites": "Sites", "product-statuses": "ProductStatuses", "units": "Units",
}
EDIT_FIELDS = {
    "statuses": "status", "order-types": "orderType", "order-methods": "orderMethod", "payment-types": "paymentType",
    "payment-statuses": "paymentStatus", "delivery-types": "deliveryType", "delivery-services": "deliveryService",
    "stores": "store", "price-types": "priceType", "sites": "site", "product-statuses": "productStatus",
    "units": "unit",
}
for _book, _name in BOOKS.items():
    CASES[f"reference/{_book}"] = (f"ReferencesTest.test{_name}", lambda api, b=_book: api.get(f"reference/{b}"))
    if _book in EDIT_FIELDS and (RECORDED / f"ReferencesTest.test{_name}Edit.json").exists():
        CASES[f"reference/{_book}/{{code}}/edit"] = (
            f"ReferencesTest.test{_name}Edit",
            lambda api, b=_book: api.post(f"reference/{b}/shape-code/edit", data=form(
                **{EDIT_FIELDS[b]: {"code": "shape-code", "name": "Shape"}})))


def route_of(endpoint):
    """The route pattern a case exercises, with placeholders blanked ("orders/{}/edit")."""
    if endpoint.startswith("error: "):
        return None
    parts = endpoint.split(" (")[0].split("/")
    if parts[0] == "reference":
        parts[1] = "{}"
    return "/".join("{}" if p.startswith("{") else p for p in parts)


def recorded(name):
    return json.loads((RECORDED / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def crm():
    with SandboxServer(seed="demo", rps=1000) as server:
        _busy_day(server)
        yield server


def _busy_day(server):
    """Changes of every kind the feeds carry, so the history pages compared below are not only creations."""
    api = Api(server.api_url, server.api_key)
    order_id = _created(api, "SHAPE-DAY").json()["id"]
    order = api.get(f"orders/{order_id}", params={"by": "id"}).json()["order"]
    api.post(f"orders/{order_id}/edit", data=form(by="id", site="main-shop", order={
        "status": "complete", "managerId": 13, "shipped": True, "shipmentStore": "north",
        "items": [{"id": order["items"][0]["id"], "quantity": 3, "status": "shipped"}],
        "delivery": {"code": "self-delivery"}, "customFields": {"courier_note": "call"}}))
    api.post("customers/101/edit", data=form(by="id", customer={"managerId": 13, "phones": [{"number": "1"}]}))


def sandbox_answer(crm, endpoint):
    name, call = CASES[endpoint]
    answer = call(Api(crm.api_url, crm.api_key))
    assert answer is not None and answer.headers["Content-Type"].startswith("application/json"), endpoint
    return recorded(name), answer.json()


def test_every_emulated_endpoint_is_compared():
    from sandbox.retailcrm.handlers import API_ROUTES

    emulated = {"/".join("{}" if p.startswith("{") else p for p in pattern.split("/")) for pattern, _ in API_ROUTES}
    assert emulated == {route_of(endpoint) for endpoint in CASES} - {None}
    for name, _ in CASES.values():
        assert (RECORDED / f"{name}.json").is_file(), name


@pytest.mark.parametrize("endpoint", sorted(CASES))
def test_answer_has_the_recorded_shape(crm, endpoint):
    record, actual = sandbox_answer(crm, endpoint)
    assert differences(record, actual) == []


def test_history_pages_compared_include_the_new_shapes(crm):
    """The seeded orders feed holds created entries with payments and manager entries; compared above."""
    history = Api(crm.api_url, crm.api_key).get("orders/history", params={"limit": 100}).json()["history"]
    assert any(e.get("created") and e["order"].get("payments") for e in history)
    assert any(e["field"] == "manager" for e in history)


def test_a_broken_answer_is_caught_and_listed_by_path(crm):
    """The comparison is not blind: deliberately wrong shapes of a real sandbox answer are each reported."""
    paid = next(o for o in crm.state.orders.values() if len(o["payments"]) == 1)
    record = recorded("OrdersTest.testList")
    actual = Api(crm.api_url, crm.api_key).get("orders", params={"filter[ids][]": paid["id"]}).json()
    assert differences(record, actual) == [] and actual["orders"][0]["customer"]["phones"]
    broken = copy.deepcopy(actual)
    order = broken["orders"][0]
    order["payments"] = list(order["payments"].values())   # lists keep payments keyed by id
    order["items"][0]["quantity"] = str(order["items"][0]["quantity"])
    order["delivery"] = [order["delivery"]]
    del order["number"]
    order["customer"]["phones"] = {"number": "1"}
    assert sorted(differences(record, broken)) == [
        "orders[0].customer.phones: recorded list, sandbox object",
        "orders[0].delivery: recorded object, sandbox list",
        "orders[0].items[0].quantity: recorded number, sandbox string",
        "orders[0].number: missing (the record has it in every sample)",
        "orders[0].payments: recorded object, sandbox list",
    ]

    history_record, history = sandbox_answer(crm, "orders/history")
    created = next(e for e in history["history"] if e.get("created") and e["order"].get("payments"))
    created["order"]["payments"] = {str(p["id"]): p for p in created["order"]["payments"]}
    manager = next(e for e in history["history"] if e["field"] == "manager")
    manager["newValue"] = manager["newValue"]["id"]
    found = differences(history_record, history)
    assert any(d.endswith(".order.payments: recorded list, sandbox object") for d in found), found
    assert any(d.endswith(".newValue: recorded object, sandbox number") for d in found), found
