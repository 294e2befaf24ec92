"""Reference books, users and the demo seed the rest of the project relies on."""


def test_books_keyed_by_code_or_listed_as_the_crm_does(api):
    statuses = api.get("reference/statuses").json()["statuses"]
    assert statuses["new"] == {"code": "new", "name": "Новый", "active": True, "ordering": 10, "group": "new"}
    assert statuses["return"]["group"] == "cancel" and statuses["partially-returned"]["group"] == "complete"
    groups = api.get("reference/status-groups").json()["statusGroups"]
    assert "for-shipment" in groups["assembling"]["statuses"]
    stores = api.get("reference/stores").json()["stores"]
    assert isinstance(stores, list) and [s["code"] for s in stores] == ["main", "north", "shop-floor"]
    price_types = api.get("reference/price-types").json()["priceTypes"]
    assert [p["code"] for p in price_types] == ["base", "wholesale", "promo"] and price_types[0]["default"]
    for book, key in (("order-types", "orderTypes"), ("order-methods", "orderMethods"),
                      ("payment-types", "paymentTypes"), ("payment-statuses", "paymentStatuses"),
                      ("delivery-types", "deliveryTypes"), ("sites", "sites"),
                      ("product-statuses", "productStatuses"), ("units", "units")):
        body = api.get(f"reference/{book}").json()
        assert isinstance(body[key], dict) and all(code == e["code"] for code, e in body[key].items()), book
    assert set(api.get("reference/payment-types").json()["paymentTypes"]) == {"cash", "bank-card", "e-money"}
    assert api.get("reference/payment-statuses").json()["paymentStatuses"]["paid"]["paymentComplete"] is True
    delivery_types = api.get("reference/delivery-types").json()["deliveryTypes"]
    assert set(delivery_types) == {"courier", "self-delivery", "russian-post"}
    product_statuses = api.get("reference/product-statuses").json()["productStatuses"]
    assert product_statuses["returned"]["cancelStatus"] is True and "chastichnyi-vozvrat" in product_statuses
    sites = api.get("reference/sites").json()["sites"]
    assert set(sites) == {"main-shop", "second-shop"} and sites["main-shop"]["ymlUrl"].startswith("https://")
    assert api.get("reference/nonsense").status_code == 404


def test_users_list_filter_and_get(api):
    users = api.get("users").json()
    assert users["pagination"]["totalCount"] == 4
    assert [u["email"] for u in users["users"]][0] == "anna.smirnova@example.com"
    found = api.get("users", params={"filter[email]": "boris.ivanov@example.com"}).json()["users"]
    assert [u["id"] for u in found] == [12]
    assert api.get("users/13").json()["user"]["lastName"] == "Кузнецова"
    assert api.get("users/999").status_code == 404


def test_demo_seed_is_deterministic(sandbox):
    from sandbox.retailcrm import state as state_module

    state_module._SEED_CACHE.clear()  # rebuild from scratch instead of the per-process copy
    assert state_module.State("demo").to_json() == sandbox.state.to_json()
    assert len(sandbox.state.orders) == 200 and len(sandbox.state.customers) == 50
    assert len(sandbox.state.offers) == 60
    empty = state_module.State("empty")
    assert (len(empty.orders), len(empty.offers), len(empty.history)) == (0, 0, 0)
    assert "new" in empty.refs["statuses"] and empty.users
