"""The real and constructed ICML catalogs load into the sandbox with every element of every offer kept."""

import xml.etree.ElementTree as ET

import pytest
import requests

from sandbox.retailcrm.testing import SandboxServer

from .shapes import realworld_dir

SAMPLES = realworld_dir() / "icml"
FILES = sorted(p.relative_to(SAMPLES).as_posix() for p in SAMPLES.rglob("*.xml"))


@pytest.fixture
def crm():
    with SandboxServer(seed="empty", rps=1000) as server:
        yield server


def load(crm, text):
    answer = requests.post(f"{crm.url}/sandbox/icml", json={"xml": text, "site": "main-shop"}, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def api_offers(crm):
    answer = requests.get(f"{crm.api_url}/store/offers", headers={"X-API-KEY": crm.api_key},
                          params={"limit": 100}, timeout=10)
    return {o["externalId"]: o for o in answer.json()["offers"]}


def text(element, tag):
    found = element.findtext(tag)
    return found.strip() if found is not None else None


def test_every_sample_is_there():
    assert FILES == ["constructed/bitrix-module-shape.xml", "constructed/moysklad-catalog-shape.xml",
                     "constructed/woocommerce-module-shape.xml", "docs-example-ru.xml"]


@pytest.mark.parametrize("name", FILES)
def test_sample_loads_with_every_element_kept(crm, name):
    document = (SAMPLES / name).read_text(encoding="utf-8")
    root = ET.fromstring(document.encode("utf-8"))
    offers = root.findall(".//offer")
    result = load(crm, document)
    assert result["errors"] == [] and result["offers"] == result["created"] == len(offers)

    categories = crm.state.icml_categories["main-shop"]
    for category in root.findall(".//category"):
        kept = categories[category.get("id")]
        assert kept["parentId"] == category.get("parentId")
        assert kept["name"] == (text(category, "name") or category.text.strip())
        assert kept["picture"] == (text(category, "picture") or None)

    seen = api_offers(crm)
    for element in offers:
        state_offer = next(o for o in crm.state.offers.values() if o["externalId"] == element.get("id"))
        product = crm.state.products[state_offer["productId"]]
        offer = seen[element.get("id")]
        assert product["externalId"] == element.get("productId")
        assert product["type"] == (element.get("type") or "product")
        assert offer["name"] == text(element, "name")
        if text(element, "productName"):
            assert product["name"] == text(element, "productName")
        for tag, value in (("xmlId", offer.get("xmlId")), ("vatRate", offer.get("vatRate")),
                           ("url", state_offer.get("url")), ("vendor", state_offer.get("vendor")),
                           ("dimensions", offer.get("dimensions"))):
            expected = text(element, tag) or ("none" if tag == "vatRate" else None)  # the CRM's default rate
            assert value == expected, (name, element.get("id"), tag)
        for tag, value in (("price", offer.get("price")), ("purchasePrice", state_offer.get("purchasePrice")),
                           ("weight", offer.get("weight"))):
            if text(element, tag) is not None:
                assert value == float(text(element, tag)), (name, element.get("id"), tag)
        if element.get("quantity") is not None:
            assert offer["quantity"] == float(element.get("quantity"))
        # Every param (article included), picture, barcode and category, in the feed's order.
        params = [(p.get("code") or p.get("name"), p.get("name") or p.get("code"), p.text.strip())
                  for p in element.findall("param")]
        assert [(p["code"], p["name"], p["value"]) for p in state_offer["params"]] == params
        assert offer.get("properties", {}) == {code: value for code, _, value in params}
        article = next((value for code, _, value in params if code == "article"), None)
        assert offer.get("article") == article
        pictures = [p.text.strip() for p in element.findall("picture") if (p.text or "").strip()]
        assert offer.get("images", []) == pictures
        barcodes = [b.text.strip() for b in element.findall("barcode")]
        assert state_offer["barcodes"] == barcodes and offer.get("barcode") == (barcodes[0] if barcodes else None)
        categories = [c.text for c in element.findall("categoryId")]
        assert state_offer["categories"] == categories
        assert set(categories) <= {g["externalId"] for g in product["groups"]}
        unit = element.find("unit")
        if unit is not None:
            assert offer["unit"] == {"code": unit.get("code"), "name": unit.get("name"), "sym": unit.get("sym")}
        product_active = text(element, "productActivity") != "N"
        assert product["active"] is product_active
        assert offer["active"] is (product_active and text(element, "activity") != "N")
        assert product["markable"] is (text(element, "markable") == "Y")
        if text(element, "vendor"):  # the product keeps a vendor named by any of its offers
            assert product["manufacturer"] in {text(o, "vendor") for o in offers if o.get("productId") == product[
                "externalId"]}


def test_activity_n_switches_off_only_that_offer(crm):
    load(crm, (SAMPLES / "constructed/bitrix-module-shape.xml").read_text(encoding="utf-8"))
    offers = api_offers(crm)
    assert offers["501"]["active"] is True and offers["502"]["active"] is False  # <activity>N, product active
    assert crm.state.products[crm.state.offers[offers["502"]["id"]]["productId"]]["active"] is True
    assert offers["600"]["active"] is False  # <productActivity>N


def test_windows_1251_document_in_the_body_is_read(crm):
    document = (SAMPLES / "docs-example-ru.xml").read_text(encoding="utf-8")
    legacy = document.replace('encoding="UTF-8"', 'encoding="windows-1251"', 1)
    assert 'encoding="windows-1251"' in legacy
    result = load(crm, legacy)
    assert result["errors"] == [] and result["offers"] == 4
    offers = api_offers(crm)
    assert offers["115"]["name"] == "Стеллаж 2-х секционный"
    assert offers["115"]["properties"]["color"] == "белый"
    assert crm.state.icml_categories["main-shop"]["3"]["name"] == "Стеллажи"
