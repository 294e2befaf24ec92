"""Catalog reads and stock/price uploads."""

import json

import requests


def upload(api, path, field, batch, **extra):
    return api.post(path, data={field: json.dumps(batch), **extra})


def test_inventories_upload_updates_only_listed_offer_store_pairs(sandbox, api):
    demo_1 = next(o for o in sandbox.state.offers.values() if o["externalId"] == "DEMO-0001")
    north_before = dict(demo_1["stores"]["north"])
    answer = upload(api, "store/inventories/upload", "offers", [
        {"externalId": "DEMO-0001", "stores": [{"code": "main", "available": 7, "purchasePrice": 55.5}]},
        {"xmlId": "DEMO-0025#S", "stores": [{"code": "north", "available": 0}]},
    ], site="main-shop")
    assert answer.status_code == 200
    assert answer.json() == {"success": True, "processedOffersCount": 2, "notFoundOffers": []}
    stock = requests.get(f"{sandbox.url}/sandbox/state", timeout=5).json()["stock"]["main-shop"]
    assert stock["DEMO-0001"]["main"] == {"quantity": 7.0, "purchasePrice": 55.5}
    assert stock["DEMO-0025#S"]["north"]["quantity"] == 0.0
    assert stock["DEMO-0001"]["north"] == north_before  # stores not named in the upload keep their stock

    read = api.get("store/inventories", params={"filter[offerExternalId][]": "DEMO-0001", "filter[details]": 1}).json()
    offer = read["offers"][0]
    assert offer["externalId"] == "DEMO-0001"
    assert {"store": "main", "quantity": 7.0, "purchasePrice": 55.5} in offer["stores"]
    plain = api.get("store/inventories", params={"filter[offerExternalId][]": "DEMO-0001"}).json()["offers"][0]
    assert "stores" not in plain and plain["quantity"] == sum(s["quantity"] for s in offer["stores"])


def test_partly_unknown_offers_answer_460_with_not_found_offers(sandbox, api):
    answer = upload(api, "store/inventories/upload", "offers", [
        {"externalId": "DEMO-0002", "stores": [{"code": "main", "available": 3}]},
        {"externalId": "GHOST-1", "stores": [{"code": "main", "available": 1}]},
        {"xmlId": "GHOST-2", "stores": [{"code": "main", "available": 1}]},
    ], site="main-shop")
    assert answer.status_code == 460
    body = answer.json()
    assert body["processedOffersCount"] == 1
    assert body["notFoundOffers"] == [{"externalId": "GHOST-1"}, {"xmlId": "GHOST-2"}]
    demo_2 = next(o for o in sandbox.state.offers.values() if o["externalId"] == "DEMO-0002")
    assert demo_2["stores"]["main"]["quantity"] == 3


def test_batches_over_250_are_refused_and_250_is_fine(api):
    batch = [{"externalId": f"DEMO-{i % 24 + 1:04d}", "stores": [{"code": "main", "available": i}]} for i in range(251)]
    over = upload(api, "store/inventories/upload", "offers", batch, site="main-shop")
    assert over.status_code == 400
    assert over.json()["errors"] == {"offers": "Parameter 'offers' must contain 250 or less records"}
    assert upload(api, "store/inventories/upload", "offers", batch[:250], site="main-shop").status_code == 200
    prices = [{"externalId": "DEMO-0001", "site": "main-shop", "prices": [{"code": "base", "price": 1}]}] * 251
    assert upload(api, "store/prices/upload", "prices", prices).status_code == 400


def test_unknown_store_code_is_a_validation_error(api):
    answer = upload(api, "store/inventories/upload", "offers",
                    [{"externalId": "DEMO-0001", "stores": [{"code": "mars", "available": 1}]}], site="main-shop")
    assert answer.status_code == 400 and "offers[0].stores[0].code" in answer.json()["errors"]


def test_prices_upload_sets_and_removes_prices(sandbox, api):
    answer = upload(api, "store/prices/upload", "prices", [
        {"externalId": "DEMO-0003", "site": "main-shop",
         "prices": [{"code": "base", "price": 990}, {"code": "promo", "remove": True}]},
        {"externalId": "NOPE", "site": "main-shop", "prices": [{"code": "base", "price": 1}]},
    ])
    assert answer.status_code == 460
    assert answer.json()["notFoundOffers"] == [{"externalId": "NOPE"}]
    prices = requests.get(f"{sandbox.url}/sandbox/state", timeout=5).json()["prices"]["main-shop"]["DEMO-0003"]
    assert prices["base"] == 990.0 and "promo" not in prices
    offer = api.get("store/offers", params={"filter[externalIds][]": "DEMO-0003"}).json()["offers"][0]
    assert offer["price"] == 990.0 and {p["priceType"] for p in offer["prices"]} == {"base", "wholesale"}
    bad = upload(api, "store/prices/upload", "prices",
                 [{"externalId": "DEMO-0003", "prices": [{"code": "vip", "price": 1}]}])
    assert bad.status_code == 400


def test_inventories_limit_250_is_allowed_only_there(api):
    assert api.get("store/inventories", params={"limit": 250}).json()["pagination"]["limit"] == 250
    assert api.get("store/offers", params={"limit": 250}).status_code == 400


def test_offers_products_and_add_offers(sandbox, api):
    sandbox.state.add_offers([{"externalId": "NEW-1", "name": "Fresh thing", "prices": {"base": 10}},
                              {"externalId": "NEW-2", "productExternalId": "NEW-1", "name": "Fresh thing XL"}])
    offers = api.get("store/offers", params={"filter[externalIds][]": ["NEW-1", "NEW-2"]}).json()["offers"]
    assert [o["externalId"] for o in offers] == ["NEW-1", "NEW-2"]
    assert offers[0]["product"]["externalId"] == "NEW-1" and offers[0]["site"] == "main-shop"
    products = api.get("store/products", params={"filter[externalId]": "NEW-1"}).json()["products"]
    assert len(products) == 1 and len(products[0]["offers"]) == 2
    total = api.get("store/offers").json()["pagination"]["totalCount"]
    assert total == 62
    via_http = requests.post(f"{sandbox.url}/sandbox/offers", json={"offers": [{"externalId": "NEW-3"}]}, timeout=5)
    assert via_http.status_code == 201
    stock = [{"externalId": "NEW-3", "stores": [{"code": "main", "available": 1}]}]
    assert upload(api, "store/inventories/upload", "offers", stock, site="main-shop").status_code == 200
