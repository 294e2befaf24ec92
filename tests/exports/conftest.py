"""The demo sandbox with every local offer known to it, warehouses and price types mapped."""

from decimal import Decimal

import pytest

from catalog.models import Price, PriceType, Product, StockBalance, Warehouse
from catalog.offers import offer_id
from integration import models as im
from tests.sandbox_world import connected_sandbox

STORES = {"main": "main", "north": "north", "shop-floor": "shop"}  # CRM store → local warehouse
PRICE_TYPES = {"base": "retail", "wholesale": "wholesale"}  # CRM price type → local price type


def local_offers(goods_only=False):
    """(offer id, product, characteristic) of every active local offer."""
    products = Product.objects.filter(active=True).prefetch_related("characteristics").order_by("id")
    if goods_only:
        products = products.filter(kind=Product.Kind.GOODS)
    for product in products:
        for variant in list(product.characteristics.all()) or [None]:
            yield offer_id(product, variant, "code"), product, variant


def register_offers(server, offers=None):
    """Tell the sandbox about local offers it does not know yet (as the ICML load would)."""
    known = {o["externalId"] for o in server.state.offers.values()}
    server.state.add_offers([
        {"externalId": key, "name": product.name, "productExternalId": product.code, "site": "main-shop"}
        for key, product, _variant in (offers if offers is not None else local_offers()) if key not in known
    ])


def map_exports():
    for crm_code, local_code in STORES.items():
        im.WarehouseMapping.objects.create(crm_store=im.CrmStore.objects.get(code=crm_code),
                                           warehouse=Warehouse.objects.get(code=local_code))
    for crm_code, local_code in PRICE_TYPES.items():
        im.PriceTypeMapping.objects.create(crm_price_type=im.CrmPriceType.objects.get(code=crm_code),
                                           price_type=PriceType.objects.get(code=local_code))
    row = im.CrmSettings.get_solo()
    row.use_price_types = True
    row.purchase_price_type = PriceType.objects.get(code="purchase")
    row.sale_price_type = PriceType.objects.get(code="retail")
    row.save()


@pytest.fixture
def crm(db):
    with connected_sandbox() as server:
        map_exports()
        register_offers(server)
        yield server


def crm_offer(server, key, site="main-shop"):
    return server.state.offers[server.state.offer_keys[(site, "externalId", key)]]


def expected_stock(product, variant):
    purchase = Price.objects.filter(product=product, characteristic=variant, price_type__code="purchase").first()
    stock = {row.warehouse.code: row.quantity for row in StockBalance.objects.filter(
        product=product, characteristic=variant).select_related("warehouse")}
    return {crm: {"quantity": float(max(stock.get(local, Decimal(0)), 0)),
                  "purchasePrice": float(purchase.price) if purchase else None}
            for crm, local in STORES.items()}


def expected_prices(product, variant):
    rows = Price.objects.filter(product=product, characteristic=variant).select_related("price_type")
    local = {row.price_type.code: float(row.price) for row in rows}
    return {crm: local[code] for crm, code in PRICE_TYPES.items() if code in local}


def add_products(count, start=1000):
    """``count`` extra goods with stock in the main warehouse (for multi-batch runs)."""
    main = Warehouse.objects.get(code="main")
    retail = PriceType.objects.get(code="retail")
    products = Product.objects.bulk_create(
        [Product(code=f"BULK-{start + n:05d}", name=f"Bulk {n}") for n in range(count)])
    StockBalance.objects.bulk_create([StockBalance(product=p, warehouse=main, quantity=n % 7) for n, p in enumerate(products)])
    Price.objects.bulk_create([Price(product=p, price_type=retail, price=100 + n) for n, p in enumerate(products)])
    return products

