"""B8 end to end: the ICML, stock, prices and order import all take a shop's settings from one resolver."""

from decimal import Decimal

from lxml import etree

from catalog.models import Organization, ProductGroup, StockBalance, Warehouse
from integration import models as im
from integration.exchange.jobs import run_inline
from integration.exchange.messages import render
from integration.retailcrm.feed.targets import catalog_specs
from integration.retailcrm.shops import ShopResolver
from tests.shops.conftest import crm_order


def icml_offers(site: str) -> dict[str, etree._Element]:
    (spec,) = catalog_specs(site)
    document = etree.parse(str(spec.path))
    return {offer.get("id"): offer for offer in document.iterfind("shop/offers/offer")}


def icml_categories(site: str) -> set[str]:
    (spec,) = catalog_specs(site)
    return {c.text for c in etree.parse(str(spec.path)).iterfind("shop/categories/category")}


def exported(channel: str, site: str) -> set[str]:
    return set(im.OfferExportState.objects.filter(channel=channel, site=site).values_list("offer", flat=True))


def run_everything(server, order_site: str):
    for kind, options in (("generate-catalog", {}), ("export-stock", {"full": True}), ("export-prices", {"full": True})):
        run = run_inline(kind, options=options)
        assert run.status == "succeeded", (kind, render(run.error), run.messages)
    crm_id = crm_order(server, order_site)
    run = run_inline("import-order", options={"id": crm_id})
    assert run.status == "succeeded", (render(run.error), run.messages)
    return im.Order.objects.get(crm_id=crm_id)


def local_stock(offer_key: str, warehouse_code: str) -> float:
    product_code, _, variant_guid = offer_key.partition("#")
    rows = StockBalance.objects.filter(product__code=product_code, warehouse__code=warehouse_code)
    rows = rows.filter(characteristic__guid=variant_guid) if variant_guid else rows.filter(characteristic=None)
    return float(max(sum((row.quantity for row in rows), Decimal(0)), 0))


def test_feed_stock_prices_and_orders_follow_a_changed_b8_row(shops):
    server = shops.server
    order = run_everything(server, "second-shop")

    # Every channel shows the second shop's own B8 row: Clothes, the north warehouse, its organization.
    clothes = icml_offers("second-shop")
    goods = {key for key, offer in clothes.items() if offer.get("type") != "service"}
    active = {key for key, offer in clothes.items() if offer.findtext("productActivity") == "Y"}
    assert "Clothes" in icml_categories("second-shop") and "Food" not in icml_categories("second-shop")
    assert exported("stock", "second-shop") == goods & active
    assert exported("prices", "second-shop") == active
    assert exported("prices", "main-shop").isdisjoint(active)
    some_key = sorted(goods & active)[0]
    assert float(clothes[some_key].get("quantity")) == local_stock(some_key, "north")
    assert order.organization.name == "Clothes LLC" and order.warehouse.code == "north"

    # The operator gives the second shop another organization, the Food groups and the shop-floor warehouse.
    row = shops.second
    row.organization = Organization.objects.create(name="Second Food LLC")
    row.default_warehouse = Warehouse.objects.get(code="shop")
    row.save()
    row.catalog_groups.set([ProductGroup.objects.get(name="Food")])
    row.warehouses.set([Warehouse.objects.get(code="shop")])
    stock_before = {o["externalId"]: dict(o["stores"]) for o in server.state.offers.values()}

    order = run_everything(server, "second-shop")

    food = icml_offers("second-shop")
    goods = {key for key, offer in food.items() if offer.get("type") != "service"}
    active = {key for key, offer in food.items() if offer.findtext("productActivity") == "Y"}
    assert "Food" in icml_categories("second-shop") and "Clothes" not in icml_categories("second-shop")
    assert exported("stock", "second-shop") == goods & active
    assert exported("prices", "second-shop") == active
    some_key = sorted(goods & active)[0]
    assert float(food[some_key].get("quantity")) == local_stock(some_key, "shop")
    crm_stores = next(o["stores"] for o in server.state.offers.values() if o["externalId"] == some_key)
    assert crm_stores["shop-floor"]["quantity"] == local_stock(some_key, "shop")
    # the second shop's stock run sent only its own store: main (the first shop's) is what the first shop sent
    assert crm_stores["main"] == stock_before[some_key]["main"]
    assert order.organization.name == "Second Food LLC" and order.warehouse.code == "shop"


def test_the_second_shops_order_takes_its_own_terms_the_first_shops_its_own(shops):
    server = shops.server
    im.DeliveryTypeMapping.objects.filter(crm_delivery_type__code="courier").delete()  # unmapped: the shop's default
    card = im.PaymentTypeMapping.objects.create(crm_payment_type=im.CrmPaymentType.objects.get(code="bank-card"),
                                                document_kind=im.PaymentDocumentKind.CARD_PAYMENT)
    orders = {}
    for site in ("main-shop", "second-shop"):
        crm_id = crm_order(server, site, delivery={"code": "courier", "cost": 100},
                           payments=[{"type": "bank-card", "amount": 100, "status": "paid"}])
        run = run_inline("import-order", options={"id": crm_id})
        assert run.status == "warnings", (render(run.error), run.messages)  # "written with the default delivery"
        orders[site] = im.Order.objects.get(crm_id=crm_id)

    first, second = orders["main-shop"], orders["second-shop"]
    assert (first.organization.name, first.warehouse.code) == ("Food LLC", "main")
    assert (second.organization.name, second.warehouse.code) == ("Clothes LLC", "north")
    assert first.delivery_method == im.DeliveryMethod.PICKUP and second.delivery_method == im.DeliveryMethod.COURIER
    assert second.delivery_defaulted
    assert (second.currency, second.priority, second.taxation) == (
        "KZT", "urgent", Organization.Taxation.ENVD)
    assert second.prices_include_vat is False  # ENVD sells without VAT (001 "ЦенаВключаетНДС")
    assert first.currency == "RUB" and first.taxation == Organization.Taxation.GENERAL and first.prices_include_vat
    assert second.payments.get().terminal == "T-2" and first.payments.get().terminal == ""
    card.terminal = "T-own"
    card.save()
    crm_id = crm_order(server, "second-shop", payments=[{"type": "bank-card", "amount": 100}])
    run_inline("import-order", options={"id": crm_id})
    assert im.Order.objects.get(crm_id=crm_id).payments.get().terminal == "T-own"  # B6's own terminal comes first


def test_history_import_gives_each_shop_its_organization_in_one_run(shops):
    server = shops.server
    run_inline("import-orders", options={"since": "2020-01-01"})  # the seeded history: the cursor is past it
    ids = {site: crm_order(server, site) for site in ("main-shop", "second-shop")}
    run = run_inline("import-orders")
    assert run.status == "succeeded", (render(run.error), run.messages)
    assert im.Order.objects.get(crm_id=ids["main-shop"]).organization.name == "Food LLC"
    assert im.Order.objects.get(crm_id=ids["second-shop"]).warehouse.code == "north"


def test_without_multiple_organizations_every_shop_takes_the_defaults(shops):
    im.CrmSettings.objects.update(multiple_organizations=False)
    crm_id = crm_order(shops.server, "second-shop")
    run_inline("import-order", options={"id": crm_id})
    order = im.Order.objects.get(crm_id=crm_id)
    defaults = im.CrmSettings.get_solo()
    assert order.organization == defaults.default_organization and order.organization.name != "Clothes LLC"
    assert order.warehouse == defaults.default_warehouse and order.warehouse.code == "main"


def test_reading_the_settings_costs_the_same_for_any_number_of_shops(shops, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        resolver = ShopResolver()
    with django_assert_max_num_queries(0):
        for _ in range(100):
            assert resolver.for_site("second-shop").organization.name == "Clothes LLC"
            assert resolver.for_site("main-shop").default_warehouse.code == "main"
            assert resolver.for_site("no-such-shop").from_b8 is False
        assert [shop.site for shop in resolver.exporting("export_stock")] == ["main-shop", "second-shop"]
