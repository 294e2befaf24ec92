"""Importing catalog files through the admin: the demo-shaped set, XLSX, re-imports, updates."""

from decimal import Decimal

import pytest

from catalog.models import Characteristic, Price, Product, ProductGroup, StockBalance
from tests.catalog_io.conftest import import_file, to_bytes, upload
from tests.catalog_io.files import IN_ORDER, PRICES, PRODUCTS, STOCK

pytestmark = pytest.mark.django_db


def _counts():
    return [model.objects.count() for model in (ProductGroup, Product, Characteristic, Price, StockBalance)]


def _import_demo_set(client, fmt="csv"):
    for model, rows in IN_ORDER:
        import_file(client, model, to_bytes(rows, fmt), fmt)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_demo_shaped_files_import_in_order(admin_client, references, fmt):
    _import_demo_set(admin_client, fmt)

    assert _counts() == [6, 4, 3, 7, 5]
    dairy = ProductGroup.objects.get(code="dairy")
    assert dairy.parent.code == "food" and dairy.path.startswith(dairy.parent.path) and dairy.depth == 1
    tee = Product.objects.get(code="DEMO-0003")
    assert (tee.group.code, tee.unit.code, tee.weight) == ("t-shirts", "pc", None)
    assert Product.objects.get(code="DEMO-0002").weight == Decimal("250.5")
    assert Product.objects.get(code="DEMO-0004").kind == Product.Kind.SERVICE
    assert sorted(tee.characteristics.values_list("name", flat=True)) == ["L", "M", "S"]
    large = Price.objects.get(product=tee, characteristic__name="L", price_type__code="retail")
    assert large.price == Decimal("950")
    assert Price.objects.get(product__code="DEMO-0002", price_type__code="retail").price == Decimal("55.50")
    assert StockBalance.objects.get(product__code="DEMO-0002", warehouse__code="main").quantity == Decimal("7.5")
    assert StockBalance.objects.get(characteristic__name="M", warehouse__code="shop").quantity == 4


def test_reimporting_the_same_files_changes_nothing(admin_client, references):
    _import_demo_set(admin_client)
    before = _counts()
    stamps = {model: sorted(model.objects.values_list("pk", "updated_at")) for model in (Price, StockBalance, Product)}

    for model, rows in IN_ORDER:
        result = import_file(admin_client, model, to_bytes(rows))
        assert result.totals["skip"] == len(rows) - 1 and result.totals["new"] == result.totals["update"] == 0

    assert _counts() == before
    for model, stamp in stamps.items():
        assert sorted(model.objects.values_list("pk", "updated_at")) == stamp


def test_changed_prices_and_stock_update_in_place_and_bump_updated_at(admin_client, references):
    _import_demo_set(admin_client)
    price = Price.objects.get(product__code="DEMO-0001", price_type__code="retail", characteristic=None)
    stock = StockBalance.objects.get(characteristic__name="S", warehouse__code="main")
    untouched = Price.objects.get(product__code="DEMO-0001", price_type__code="wholesale")

    prices = [row[:] for row in PRICES]
    prices[1][3] = "125.00"
    stock_rows = [row[:] for row in STOCK]
    stock_rows[4][3] = "2"
    result = import_file(admin_client, "price", to_bytes(prices))
    assert (result.totals["update"], result.totals["new"]) == (1, 0)
    import_file(admin_client, "stockbalance", to_bytes(stock_rows))

    assert Price.objects.count() == 7 and StockBalance.objects.count() == 5
    fresh_price, fresh_stock = Price.objects.get(pk=price.pk), StockBalance.objects.get(pk=stock.pk)
    assert fresh_price.price == Decimal("125.00") and fresh_price.updated_at > price.updated_at
    assert fresh_stock.quantity == 2 and fresh_stock.updated_at > stock.updated_at
    assert Price.objects.get(pk=untouched.pk).updated_at == untouched.updated_at


def test_products_are_found_by_guid_first_so_a_code_can_be_renamed(admin_client, references):
    _import_demo_set(admin_client)
    product = Product.objects.get(code="DEMO-0001")
    rows = [PRODUCTS[0] + ["guid"], ["DEMO-0001-NEW", *PRODUCTS[1][1:], str(product.guid)]]

    import_file(admin_client, "product", to_bytes(rows))

    product.refresh_from_db()
    assert product.code == "DEMO-0001-NEW" and Product.objects.count() == 4


def test_preview_lists_new_and_updated_rows_without_saving(admin_client, references):
    _import_demo_set(admin_client)
    prices = PRICES + [["DEMO-0002", "", "wholesale", "47.00"]]

    preview = upload(admin_client, "price", to_bytes(prices))

    assert "confirm_form" in preview.context
    assert preview.context["result"].totals["new"] == 1
    assert not Price.objects.filter(product__code="DEMO-0002", price_type__code="wholesale").exists()
