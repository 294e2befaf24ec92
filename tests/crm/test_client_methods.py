"""Every API method the back office uses, against the sandbox over real HTTP."""

import pytest

from integration.retailcrm.client import CrmNotFound
from integration.retailcrm.client.connection import REQUIRED_SCOPES

from .conftest import API_KEY


def test_it_reads_versions_and_credentials(client):
    assert "5.0" in client.api_versions()
    credentials = client.credentials()
    assert set(REQUIRED_SCOPES) <= set(credentials["scopes"])
    assert credentials["siteAccess"] == "access_full"
    assert credentials["sitesAvailable"] == ["main-shop", "second-shop"]


@pytest.mark.parametrize("method, count, code", [
    ("statuses", 19, "complete"),
    ("status_groups", 6, "cancel"),
    ("order_types", 2, "eshop-individual"),
    ("order_methods", 4, "phone"),
    ("payment_types", 3, "bank-card"),
    ("payment_statuses", 4, "fiskalizirovan"),  # two complete ones, like a real account
    ("delivery_types", 3, "courier"),
    ("stores", 3, "north"),  # a list in the API
    ("price_types", 3, "wholesale"),  # a list in the API
    ("sites", 2, "second-shop"),
    ("product_statuses", 6, "returned"),
    ("units", 4, "kg"),  # an object keyed by code in the API
])
def test_it_reads_every_reference_book_as_a_list_of_dicts(client, method, count, code):
    entries = getattr(client, method)()
    assert isinstance(entries, list) and len(entries) == count
    assert all(isinstance(entry, dict) for entry in entries)
    assert code in {entry["code"] for entry in entries}


def test_status_groups_list_their_statuses(client):
    groups = {group["code"]: group for group in client.status_groups()}
    assert "return" in groups["cancel"]["statuses"]


def test_it_reads_users(client):
    users = list(client.users())
    assert [u["id"] for u in users] == [11, 12, 13, 14]
    assert [u["id"] for u in client.users(email="vera.kuznetsova@example.com")] == [13]
    assert client.user(12)["email"] == "boris.ivanov@example.com"


def test_it_pages_through_orders_and_normalises_them(client):
    pages = list(client.orders(limit=20))
    assert len(pages) == 10 and [p.current_page for p in pages] == list(range(1, 11))
    assert pages[0].total_count == 200 and pages[-1].is_last
    orders = [order for page in pages for order in page.items]
    assert len({o["id"] for o in orders}) == 200
    # payments arrive keyed by id and customFields as [] when empty: callers see one shape
    assert all(isinstance(o["payments"], list) for o in orders)
    assert all(isinstance(o["customFields"], dict) for o in orders)
    paid = next(o for o in orders if o["payments"])
    assert all("id" in p and "type" in p for p in paid["payments"])
    complete = list(client.iter_orders({"extendedStatus": ["complete"]}, limit=100))
    assert complete and all(o["status"] in {"complete", "partially-returned"} for o in complete)


def test_it_reads_one_order_by_id_or_external_id(client):
    by_id = client.order(1001)
    assert by_id["id"] == 1001
    external = next(o for o in client.iter_orders() if o.get("externalId"))
    again = client.order(external["externalId"], by="externalId", site=external["site"])
    assert again["id"] == external["id"]
    with pytest.raises(CrmNotFound):
        client.order(999_999)


def test_it_fetches_orders_by_ids_in_batches_of_100(client):
    ids = [o["id"] for o in client.iter_orders()]
    before = client.stats.requests
    found = list(client.orders_by_ids(ids + ids[:5]))  # duplicates are asked once
    assert sorted(o["id"] for o in found) == sorted(ids)
    assert client.stats.requests - before == 2


def test_it_creates_and_edits_orders_and_fixes_external_ids(client):
    created = client.order_create({
        "externalId": "ERP-1", "customer": {"externalId": "C-0001"}, "firstName": "Иван",
        "items": [{"offer": {"externalId": "DEMO-0001"}, "quantity": 2}],
        "payments": [{"type": "cash", "amount": 10}],
    })
    assert created["id"] and created["order"]["externalId"] == "ERP-1"
    assert isinstance(created["order"]["payments"], list)
    edited = client.order_edit(
        {"externalId": "ERP-1", "status": "client-confirmed", "customFields": {"courier_note": "gate 3"}}
    )
    assert edited["id"] == created["id"]
    order = client.order(created["id"])
    assert order["status"] == "client-confirmed" and order["customFields"]["courier_note"] == "gate 3"
    client.order_edit({"id": created["id"], "managerComment": "by id"}, by="id")
    assert client.order("ERP-1", by="externalId")["managerComment"] == "by id"

    unnamed = next(o for o in client.iter_orders() if not o.get("externalId"))
    client.orders_fix_external_ids([(unnamed["id"], "ERP-FIXED 1#a")])  # spaces and "#" survive the URL
    assert client.order("ERP-FIXED 1#a", by="externalId", site=unnamed["site"])["id"] == unnamed["id"]


def test_it_pages_the_history_by_since_id(client, sandbox):
    last_id = sandbox.state.snapshot()["lastHistoryId"]
    pages = list(client.iter_history(limit=100))
    ids = [entry["id"] for page in pages for entry in page.entries]
    assert ids == sorted(ids) and len(ids) == len(set(ids)) == last_id
    assert [p.last_id for p in pages] == [p.entries[-1]["id"] for p in pages]
    assert pages[0].remaining == last_id - 100 and pages[-1].remaining == 0
    assert all(isinstance(e["order"].get("customFields", {}), dict) for p in pages for e in p.entries)

    tail = list(client.iter_history(since_id=last_id - 30, limit=20))
    assert [len(p.entries) for p in tail] == [20, 10]
    assert tail[-1].last_id == last_id

    # our own change shows up after the cursor, marked as made with the current key
    client.order_edit({"id": 1001, "status": "offer-analog"}, by="id")  # a status no seeded order has
    new = [e for p in client.iter_history(since_id=last_id) for e in p.entries]
    assert new and all(e["order"]["id"] == 1001 for e in new)
    assert {e["source"] for e in new} == {"api"} and all(e["apiKey"]["current"] for e in new)
    assert list(client.iter_history(since_id=new[-1]["id"])) == []


def test_it_starts_the_history_at_a_date(client):
    first = next(client.iter_history(start_date="2025-04-01 00:00:00"))
    assert first.entries[0]["createdAt"] >= "2025-04-01 00:00:00"


def test_it_creates_edits_and_deletes_payments(client):
    order_id = next(o["id"] for o in client.iter_orders() if not o["payments"])
    created = client.payment_create({"order": {"id": order_id}, "type": "bank-card", "amount": 150.5,
                                     "externalId": "PAY-1"})
    client.payment_edit({"externalId": "PAY-1", "status": "paid", "paidAt": "2025-05-01 10:00:00"}, site="main-shop")
    payments = client.order(order_id)["payments"]
    assert [(p["id"], p["status"], p["amount"]) for p in payments] == [(created["id"], "paid", 150.5)]
    client.payment_delete(created["id"])
    assert client.order(order_id)["payments"] == []
    with pytest.raises(CrmNotFound):
        client.payment_delete(created["id"])


def test_it_handles_customers(client):
    pages = list(client.customers(limit=20))
    assert [len(p.items) for p in pages] == [20, 20, 10]
    everyone = list(client.iter_customers())
    assert len(everyone) == 50 and all(isinstance(c.get("customFields", {}), dict) for c in everyone)
    assert client.customer("C-0001", by="externalId")["email"] == "customer001@example.net"
    assert client.customer(everyone[0]["id"])["id"] == everyone[0]["id"]

    created = client.customer_create({"externalId": "ERP-C-1", "firstName": "Пётр", "email": "petr@example.org"})
    client.customer_edit({"externalId": "ERP-C-1", "lastName": "Первый"})
    assert client.customer(created["id"])["lastName"] == "Первый"

    nameless = next(c for c in everyone if not c.get("externalId"))
    client.customers_fix_external_ids([{"id": nameless["id"], "externalId": "ERP-C-2"}])
    assert client.customer("ERP-C-2", by="externalId", site=nameless["site"])["id"] == nameless["id"]


def test_it_handles_corporate_customers(client):
    assert list(client.corporate_customers()) == []
    created = client.corporate_customer_create({"externalId": "CORP-1", "nickName": "ООО Ромашка"})
    assert [c["id"] for c in client.corporate_customers()] == [created["id"]]


def test_it_reads_and_uploads_stock(client, sandbox):
    offers = list(client.inventories({"details": 1}))
    assert len(offers) == 60 and {s["store"] for s in offers[0]["stores"]} == {"main", "north", "shop-floor"}
    result = client.inventories_upload([
        {"externalId": "DEMO-0001", "stores": [{"code": "main", "available": 7, "purchasePrice": 12.5}]},
        {"externalId": "DEMO-0025#M", "stores": [{"code": "north", "available": 0}]},
    ])
    assert (result.processed_offers_count, result.not_found_offers, result.partial) == (2, [], False)
    stock = sandbox.state.snapshot()["stock"]["main-shop"]
    assert any(v["main"]["quantity"] == 7 for v in stock.values())


def test_an_upload_with_unknown_offers_reports_them_instead_of_raising(client):
    result = client.inventories_upload([
        {"externalId": "DEMO-0001", "stores": [{"code": "main", "available": 3}]},
        {"externalId": "NO-SUCH-SKU", "stores": [{"code": "main", "available": 3}]},
    ])
    assert result.partial and result.processed_offers_count == 1
    assert result.not_found_offers == [{"externalId": "NO-SUCH-SKU"}]
    prices = client.prices_upload([
        {"externalId": "DEMO-0002", "prices": [{"code": "base", "price": 99.9}, {"code": "promo", "remove": True}]},
        {"xmlId": "GONE", "prices": [{"code": "base", "price": 1}]},
    ])
    assert prices.partial and prices.processed_offers_count == 1 and prices.not_found_offers == [{"xmlId": "GONE"}]


def test_it_refuses_more_than_250_offers_before_sending(client):
    before = client.stats.requests
    with pytest.raises(ValueError, match="at most 250"):
        client.inventories_upload([{"externalId": f"X{i}", "stores": []} for i in range(251)])
    with pytest.raises(ValueError, match="at most 250"):
        client.prices_upload([{"externalId": f"X{i}", "prices": []} for i in range(251)])
    assert client.stats.requests == before


def test_it_uploads_prices_with_the_client_shop(client, sandbox):
    result = client.prices_upload([{"externalId": "DEMO-0003", "prices": [{"code": "wholesale", "price": 10}]}])
    assert result.processed_offers_count == 1 and not result.partial
    assert list(sandbox.state.snapshot()["prices"]) == ["main-shop"]


def test_it_reads_offers_and_products(client):
    offers = list(client.offers(limit=50))
    assert len(offers) == 60 and offers[0]["product"]
    assert [o["externalId"] for o in client.offers({"externalIds": ["DEMO-0025#S"]})] == ["DEMO-0025#S"]
    assert len(list(client.products())) == 36


def test_it_registers_the_integration_module(client):
    module = {"code": "erp-1", "integrationCode": "erp", "name": "Back office", "baseUrl": "https://erp.example",
              "clientId": "abc", "active": True,
              "integrations": {"store": {"actions": [{"code": "inventoriesUpload", "url": "/crm/stock"}]}}}
    client.integration_module_edit("erp-1", module)
    client.integration_module_edit("erp-1", {"name": "Back office 2"})
    stored = client.integration_module("erp-1")
    assert stored["name"] == "Back office 2" and stored["baseUrl"] == "https://erp.example"
    with pytest.raises(CrmNotFound):
        client.integration_module("nope")


def test_it_reads_and_creates_custom_fields(client):
    assert {f["code"] for f in client.custom_fields({"entity": "order"})} == {"gift_wrap", "courier_note"}
    answer = client.custom_field_create("order", {"name": "From back office", "code": "erp_echo", "type": "boolean"})
    assert answer["code"] == "erp_echo"
    assert "erp_echo" in {f["code"] for f in client.custom_fields({"entity": "order"})}


def test_it_handles_loyalty(client):
    programs = list(client.loyalties())
    assert [p["id"] for p in programs] == [1]
    assert client.loyalty(1)["name"] == "Бонусный клуб"
    accounts = list(client.loyalty_accounts())
    assert len(accounts) == 10 and all(isinstance(a["customFields"], dict) for a in accounts)

    member_ids = {a["customer"]["id"] for a in accounts}
    newcomer = next(c for c in client.iter_customers({"sites": ["main-shop"]}) if c["id"] not in member_ids)
    created = client.loyalty_account_create({"customer": {"id": newcomer["id"]}, "phoneNumber": "+79990001122"},
                                            site="main-shop")
    account_id = created["loyaltyAccount"]["id"]
    assert created["loyaltyAccount"]["customFields"] == {}
    assert client.loyalty_account(account_id)["status"] == "not_confirmed"
    assert client.loyalty_account_activate(account_id)["loyaltyAccount"]["status"] == "activated"
    edited = client.loyalty_account_edit(account_id, {"cardNumber": "BC-NEW"})
    assert edited["loyaltyAccount"]["cardNumber"] == "BC-NEW"
    assert [a["id"] for a in client.loyalty_accounts({"customerId": newcomer["id"]})] == [account_id]


def test_it_sends_the_key_only_in_the_header(client):
    assert client.headers["X-API-KEY"] == API_KEY
    assert client.headers["User-Agent"].startswith("retailcrm-backoffice/")
    target, _body, headers = client._encode("/api/v5/orders", [("limit", "20")], None, None)
    assert API_KEY not in target and headers["X-API-KEY"] == API_KEY
