"""C2: the ICML generated from the demo catalog, under each identifier setting."""

import os
import resource
import signal
from dataclasses import replace

import pytest
from django.db import connection
from lxml import etree

from catalog.icml.service import generate as generate_file
from integration.retailcrm.feed.targets import catalog_specs
from catalog.models import Characteristic, Organization, Price, Product, ProductGroup, StockBalance, Warehouse
from catalog.offers import offer_id, resolve_offer
from integration import models as im
from integration.exchange.messages import render
from tests.catalog_icml.conftest import offers_by_id

pytestmark = pytest.mark.django_db


def expected_offer_ids(source="code", organization_guid=""):
    ids = set()
    for product in Product.objects.all():
        variants = list(product.characteristics.all()) or [None]
        ids.update(offer_id(product, variant, source, organization_guid) for variant in variants)
    return ids


def test_demo_catalog_is_complete_and_consistent(demo_catalog, generate):
    run, document = generate()

    categories = {c.get("id"): c for c in document.iterfind("shop/categories/category")}
    assert sorted(c.text for c in categories.values()) == sorted(ProductGroup.objects.values_list("name", flat=True))
    assert all(c.get("parentId") in categories for c in categories.values() if c.get("parentId"))
    assert categories[str(ProductGroup.objects.get(name="Dairy").pk)].get("parentId") == str(ProductGroup.objects.get(name="Food").pk)
    offers = offers_by_id(document)
    assert set(offers) == expected_offer_ids()
    for offer in offers.values():
        assert offer.get("productId") and offer.findtext("name") and offer.findtext("productName")
        assert offer.findtext("price") and offer.findtext("categoryId") in categories
        assert offer.find("param[@code='article']").text.startswith("ART-")
    assert run.counts == {"offers": 80, "products": 48, "services": 8, "categories": 8, "peak_kb": run.counts["peak_kb"]}
    assert any("peak memory" in message for message in map(render, run.messages))


def test_offer_fields_follow_the_catalog(demo_catalog, generate):
    _, document = generate()
    offers = offers_by_id(document)
    product = Product.objects.get(code="DEMO-0001")
    offer = offers["DEMO-0001"]
    assert offer.findtext("price") == str(Price.objects.get(product=product, price_type__code="retail").price)
    assert offer.findtext("purchasePrice") == str(Price.objects.get(product=product, price_type__code="purchase").price)
    assert float(offer.get("quantity")) == sum(s.quantity for s in StockBalance.objects.filter(product=product))
    assert offer.findtext("categoryId") == str(product.group_id)
    assert offer.findtext("vatRate") == "20" and offer.findtext("barcode") == product.barcode
    assert offer.findtext("vendor") == "Demo vendor" and offer.find("unit").get("code") == "pc"
    assert float(offer.findtext("weight")) == float(product.weight) / 1000  # grams → kg
    assert offer.findtext("productActivity") == "Y"


def test_characteristics_are_offers_of_one_product(demo_catalog, generate):
    row = demo_catalog
    row.product_id_source = im.CrmSettings.ProductIdSource.GUID
    row.save()
    _, document = generate()
    shirt = Product.objects.filter(group__name="T-shirts").first()
    offers = [o for o in offers_by_id(document).values() if o.get("productId") == str(shirt.guid)]
    assert {o.get("id") for o in offers} == {f"{shirt.guid}#{c.guid}" for c in shirt.characteristics.all()}
    medium = next(o for o in offers if o.get("id").endswith(str(shirt.characteristics.get(name="M").guid)))
    assert medium.findtext("name") == f"{shirt.name} (M)" and medium.findtext("productName") == shirt.name
    assert resolve_offer(medium.get("id"), "guid") == (shirt, shirt.characteristics.get(name="M"))


def test_services_are_typed_and_carry_no_stock(demo_catalog, generate):
    _, document = generate()
    services = set(Product.objects.filter(kind=Product.Kind.SERVICE).values_list("code", flat=True))
    typed = {o.get("id") for o in document.iterfind("shop/offers/offer[@type='service']")}
    assert typed == services
    assert all(offers_by_id(document)[code].get("quantity") is None for code in services)


def test_chosen_groups_export_only_their_subtree(demo_catalog, generate):
    demo_catalog.catalog_groups.set([ProductGroup.objects.get(name="Clothes"), ProductGroup.objects.get(name="Dairy")])
    _, document = generate()
    categories = {c.text: c.get("parentId") for c in document.iterfind("shop/categories/category")}
    clothes = str(ProductGroup.objects.get(name="Clothes").pk)
    assert categories == {"Dairy": None, "Clothes": None, "T-shirts": clothes, "Shoes": clothes}
    wanted = Product.objects.filter(group__name__in=["Dairy", "T-shirts", "Shoes"])
    assert {o.get("productId") for o in offers_by_id(document).values()} == set(wanted.values_list("code", flat=True))


def test_xml_id_mode_puts_our_id_in_xml_id(demo_catalog, generate):
    demo_catalog.offer_id_field = im.CrmSettings.OfferIdField.XML_ID
    demo_catalog.save()
    _, document = generate()
    offers = list(document.iterfind("shop/offers/offer"))
    assert {o.findtext("xmlId") for o in offers} == expected_offer_ids()
    product = Product.objects.get(code="DEMO-0001")
    plain = next(o for o in offers if o.findtext("xmlId") == "DEMO-0001")
    assert plain.get("id") == plain.get("productId") == str(product.guid)


def test_organization_prefix(demo_catalog, generate):
    organization = Organization.objects.get()
    demo_catalog.default_organization, demo_catalog.prefix_organization_guid = organization, True
    demo_catalog.save()
    run, document = generate()
    ids = set(offers_by_id(document))
    assert ids == expected_offer_ids(organization_guid=str(organization.guid))
    assert document.findtext("shop/company") == organization.name
    shirt = Characteristic.objects.filter(name="L").first()
    assert resolve_offer(f"{organization.guid}#{shirt.product.code}#{shirt.guid}", "code") == (shirt.product, shirt)


def test_quantity_sums_mapped_warehouses_only(demo_catalog, generate):
    main = Warehouse.objects.get(code="main")
    store = im.CrmStore.objects.create(code="main", name="Main")
    im.WarehouseMapping.objects.create(crm_store=store, warehouse=main)
    _, document = generate()
    product = Product.objects.get(code="DEMO-0002")
    assert float(offers_by_id(document)["DEMO-0002"].get("quantity")) == StockBalance.objects.get(product=product, warehouse=main).quantity


def test_unsafe_characters_are_removed(demo_catalog, generate):
    # NUL as well where the database can hold it (PostgreSQL refuses it in text).
    vendor = "A\x00\x02B" if connection.vendor == "sqlite" else "A\x02B"
    Product.objects.filter(code="DEMO-0001").update(name="Milk\x01 3.2%\x0b <fresh> & \"cold\"\x1f", vendor=vendor)
    _, document = generate()
    offer = offers_by_id(document)["DEMO-0001"]
    assert offer.findtext("name") == 'Milk 3.2% <fresh> & "cold"' and offer.findtext("vendor") == "AB"


def test_one_file_per_shop_with_multiple_organizations(demo_catalog, generate):
    organization = Organization.objects.get()
    demo_catalog.multiple_organizations = True
    demo_catalog.save()
    for code, group in (("main-shop", "Food"), ("second-shop", "Clothes")):
        shop = im.ShopOrganization.objects.create(crm_site=im.CrmSite.objects.create(code=code, name=code), organization=organization)
        shop.catalog_groups.set([ProductGroup.objects.get(name=group)])
    im.ShopOrganization.objects.create(
        crm_site=im.CrmSite.objects.create(code="no-catalog", name="x"), organization=organization, export_catalog=False)

    run, _ = generate()
    paths = {spec.shop: spec.path for spec in catalog_specs()}
    assert {name: path.name for name, path in paths.items()} == {
        "main-shop": "main-shop_catalog_icml.xml", "second-shop": "second-shop_catalog_icml.xml"}
    food = etree.parse(str(paths["main-shop"]))
    assert {c.text for c in food.iterfind("shop/categories/category")} == {"Food", "Dairy", "Bakery", "Sweets"}
    assert food.findtext("shop/name") == "main-shop"
    assert run.counts["offers"] == 24 + 48


def test_failure_midway_keeps_the_previous_file(demo_catalog, generate):
    _, before = generate()
    spec = replace(catalog_specs()[0], chunk_size=5)
    previous = spec.path.read_bytes()
    # The disk "fills up" a third of the way through: this process may not write files past that size.
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG from write() instead of a kill
    resource.setrlimit(resource.RLIMIT_FSIZE, (len(previous) // 3, limits[1]))
    try:
        with pytest.raises(OSError):
            generate_file(spec)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
        signal.signal(signal.SIGXFSZ, old_handler)

    assert spec.path.read_bytes() == previous
    assert os.listdir(spec.path.parent) == [spec.path.name]  # the temporary file is gone


def test_job_messages_never_show_the_feed_secret(demo_catalog, generate):
    run, _ = generate()
    token = im.CrmSettings.get_solo().feed_token
    assert all(token not in message for message in map(render, run.messages))


def test_streamed_offers_are_byte_identical_to_freshly_built_ones(demo_catalog):
    """The streaming writer reuses elements per shape; it must write exactly what a new element would."""
    from catalog.icml import source
    from catalog.icml.writer import OfferElements, build_offer

    Product.objects.filter(code="DEMO-0003").update(vendor="", vat_rate="", barcode="", length=1, width=2.5, height=3)
    reused = OfferElements("Article")
    offers = list(source.offers(catalog_specs()[0]))
    assert len({(o.service, bool(o.vendor), bool(o.dimensions)) for o in offers}) == 3  # several shapes, interleaved
    for offer in offers:
        assert etree.tostring(reused.fill(offer)) == etree.tostring(build_offer(offer, "Article"))


def test_inactive_characteristics_are_left_out(demo_catalog, generate):
    shirt = Product.objects.filter(group__name="T-shirts").first()
    shirt.characteristics.filter(name="S").update(active=False)
    shoe = Product.objects.filter(group__name="Shoes").first()
    shoe.characteristics.update(active=False)
    _, document = generate()
    products = [o.get("productId") for o in document.iterfind("shop/offers/offer")]
    assert products.count(shirt.code) == 2 and shoe.code not in products


def test_a_shop_without_groups_of_its_own_exports_the_settings_groups(demo_catalog, generate):
    """The same rule as the stock and price exports, so the CRM never gets stock for offers it lacks."""
    organization = Organization.objects.get()
    demo_catalog.multiple_organizations = True
    demo_catalog.save()
    demo_catalog.catalog_groups.set([ProductGroup.objects.get(name="Clothes")])
    im.ShopOrganization.objects.create(crm_site=im.CrmSite.objects.create(code="main-shop", name="Main"),
                                       organization=organization)
    generate()
    document = etree.parse(str(catalog_specs()[0].path))
    assert {c.text for c in document.iterfind("shop/categories/category")} >= {"Clothes"}
    assert "Food" not in {c.text for c in document.iterfind("shop/categories/category")}
