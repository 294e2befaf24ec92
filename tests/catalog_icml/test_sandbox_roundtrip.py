"""The feed as RetailCRM sees it: the sandbox downloads our served ICML over HTTP and answers store/offers from it."""

from decimal import Decimal

import pytest
import requests
from django.db.models import Sum
from django.urls import reverse

from catalog.models import Price, Product, StockBalance
from catalog.offers import offer_id
from integration import models as im
from integration.retailcrm.client.factory import client_from_settings
from integration.retailcrm.feed.views import feed_rows
from integration.exchange.jobs import run_inline
from integration.exchange.messages import render
from tests.sandbox_world import connected_sandbox


def local_offers():
    """offer id → (name, retail price, purchase price, quantity or None for services)."""
    expected = {}
    for product in Product.objects.prefetch_related("characteristics"):
        for variant in list(product.characteristics.all()) or [None]:
            price = lambda code: Price.objects.get(product=product, characteristic=variant, price_type__code=code).price  # noqa: E731
            stock = StockBalance.objects.filter(product=product, characteristic=variant).aggregate(q=Sum("quantity"))["q"]
            name = f"{product.name} ({variant.name})" if variant else product.name
            expected[offer_id(product, variant, "code")] = (name, price("retail"), price("purchase"), stock or Decimal(0))
    return expected


@pytest.fixture
def crm_with_feed(transactional_db, live_server, demo_catalog, icml_dir):
    with connected_sandbox(seed="empty") as crm:
        run = run_inline("generate-catalog")
        assert run.status == "succeeded", render(run.error)
        url = live_server.url + reverse("icml-feed", kwargs={"token": im.CrmSettings.get_solo().feed_token, "shop": "main-shop"})
        yield crm, url


def test_crm_catalog_matches_ours_after_loading_the_feed(crm_with_feed):
    crm, url = crm_with_feed
    answer = requests.post(f"{crm.url}/sandbox/icml", json={"url": url, "site": "main-shop"}, timeout=30).json()
    assert answer["success"] and answer["created"] == 80 and answer["errors"] == []

    with client_from_settings() as client:
        offers = {o["externalId"]: o for o in client.offers()}
        products = {p["externalId"]: p for p in client.products()}
    expected = local_offers()
    assert set(offers) == set(expected)
    for key, (name, price, purchase, quantity) in expected.items():
        offer = offers[key]
        assert (offer["name"], Decimal(str(offer["price"])), Decimal(str(offer["purchasePrice"]))) == (name, price, purchase)
        assert Decimal(str(offer.get("quantity", 0))) == quantity
    services = set(Product.objects.filter(kind=Product.Kind.SERVICE).values_list("code", flat=True))
    assert {code for code, p in products.items() if p["type"] == "service"} == services
    assert len(products) == Product.objects.count()


def test_settings_page_knows_the_crm_loads_our_address(crm_with_feed, live_server):
    crm, url = crm_with_feed
    requests.post(f"{crm.url}/sandbox/icml", json={"url": url, "site": "main-shop"}, timeout=30).raise_for_status()
    run_inline("sync-references")
    [row] = feed_rows(live_server.url)
    assert row["url"] == url and row["matches"]


def test_reloading_updates_and_deactivates(crm_with_feed):
    crm, url = crm_with_feed
    requests.post(f"{crm.url}/sandbox/icml", json={"url": url}, timeout=30).raise_for_status()
    Product.objects.filter(code="DEMO-0001").update(name="Renamed milk")
    Product.objects.filter(code="DEMO-0002").delete()
    run_inline("generate-catalog")
    answer = requests.post(f"{crm.url}/sandbox/icml", json={"url": url}, timeout=30).json()
    assert (answer["created"], answer["updated"], answer["deactivated"]) == (0, 79, 1)
    with client_from_settings() as client:
        offers = {o["externalId"]: o for o in client.offers()}
    assert offers["DEMO-0001"]["name"] == "Renamed milk" and offers["DEMO-0002"]["active"] is False


def test_sandbox_reports_bad_feeds(crm_with_feed):
    crm, url = crm_with_feed
    broken = requests.post(f"{crm.url}/sandbox/icml", json={"xml": "<yml_catalog><shop><offers><offer id='1'>"}, timeout=10)
    assert broken.status_code == 400 and "not well-formed" in broken.json()["errorMsg"]
    missing = requests.post(f"{crm.url}/sandbox/icml", json={"url": url.replace(".xml", "x.xml")}, timeout=10)
    assert missing.status_code == 400 and "HTTP 404" in missing.json()["errorMsg"]
    partial = requests.post(f"{crm.url}/sandbox/icml", json={"xml": (
        "<yml_catalog><shop><offers><offer productId='P'><name>No id</name></offer>"
        "<offer id='A' productId='P'><name>Fine</name><price>5</price></offer></offers></shop></yml_catalog>")}, timeout=10).json()
    assert partial["created"] == 1 and partial["errors"] == ["offer #1: id and productId are required"]
