"""A file with a bad row imports nothing; the preview names the row and what is wrong with it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Characteristic, Price, PriceType, Product, ProductGroup, StockBalance
from catalog.resources import PriceResource
from tests.catalog_io.conftest import confirm, import_file, to_bytes, upload
from tests.catalog_io.files import CHARACTERISTICS, GROUPS, PRICES, PRODUCTS, STOCK

pytestmark = pytest.mark.django_db


def _catalog_state():
    return [
        sorted(ProductGroup.objects.values_list("code", "path", "parent_id")),
        sorted(Product.objects.values_list("code", "name", "group_id")),
        sorted(Price.objects.values_list("product_id", "characteristic_id", "price_type_id", "price", "updated_at")),
        sorted(StockBalance.objects.values_list("product_id", "characteristic_id", "warehouse_id", "quantity")),
    ]


@pytest.fixture
def base_catalog(admin_client, references):
    import_file(admin_client, "productgroup", to_bytes(GROUPS))
    import_file(admin_client, "product", to_bytes(PRODUCTS))
    import_file(admin_client, "characteristic", to_bytes(CHARACTERISTICS))


def _with_row(rows, number, row):
    """``rows`` with data row ``number`` (1-based, as the admin counts) replaced."""
    changed = [list(r) for r in rows]
    changed[number] = row
    return changed


def _errors_of_row(result, number) -> str:
    texts = [" ".join(str(e.error) for e in errors) for line, errors in result.row_errors() if line == number]
    texts += [str(row.error_dict) for row in result.invalid_rows if row.number == number]
    return " ".join(texts)


BAD_FILES = {
    "unknown group": ("product", PRODUCTS, 2, ["DEMO-0002", "A", "B", "goods", "no-such-group", "pc", "", "", "", ""],
                      "Unknown product group “no-such-group”"),
    "unknown unit": ("product", PRODUCTS, 3, ["DEMO-0003", "A", "B", "goods", "dairy", "kg", "", "", "", ""],
                     "Unknown unit “kg”"),
    "unknown price type": ("price", PRICES, 4, ["DEMO-0003", "S", "vip", "900"], "Unknown price type “vip”"),
    "non-numeric price": ("price", PRICES, 2, ["DEMO-0001", "", "wholesale", "12o.00"], "“12o.00” is not a number"),
    "negative price": ("price", PRICES, 1, ["DEMO-0001", "", "retail", "-1"], "Must not be negative"),
    "negative quantity": ("stockbalance", STOCK, 5, ["DEMO-0003", "M", "shop", "-4"], "Must not be negative"),
    "duplicate price key": ("price", PRICES, 3, ["DEMO-0001", "", "retail", "130"],
                            "Row 1 already has this price"),
    "duplicate stock key": ("stockbalance", STOCK, 2, ["DEMO-0001", "", "main", "11"],
                            "Row 1 already has this stock balance"),
    "foreign characteristic": ("price", PRICES, 1, ["DEMO-0001", "S", "retail", "10"],
                               "Unknown characteristic “S”"),
    "missing product": ("stockbalance", STOCK, 1, ["", "", "main", "1"], "A value is required"),
    "duplicate product": ("product", PRODUCTS, 4, PRODUCTS[1], "Row 1 already has this product"),
    "bad kind": ("product", PRODUCTS, 1, ["DEMO-0001", "A", "B", "goodies", "dairy", "pc", "", "", "", ""],
                 "not a valid choice"),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_one_bad_row_blocks_the_file_and_is_reported_with_its_number(admin_client, base_catalog, case):
    model, rows, number, bad_row, message = BAD_FILES[case]
    import_file(admin_client, "price", to_bytes(PRICES))
    import_file(admin_client, "stockbalance", to_bytes(STOCK))
    before = _catalog_state()

    preview = upload(admin_client, model, to_bytes(_with_row(rows, number, bad_row)))

    result = preview.context["result"]
    assert message in _errors_of_row(result, number)
    assert "confirm_form" not in preview.context  # no way to go on with a bad file
    page = preview.content.decode()
    assert message.replace("“", "&ldquo;")[:20] in page or message[:20] in page
    assert _catalog_state() == before


def test_a_new_price_file_with_a_bad_last_row_creates_no_price(admin_client, base_catalog):
    rows = PRICES + [["DEMO-0004", "", "nope", "1"]]

    preview = upload(admin_client, "price", to_bytes(rows))

    assert "Unknown price type “nope”" in _errors_of_row(preview.context["result"], len(rows) - 1)
    assert Price.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_row_failing_at_the_confirm_step_rolls_back_the_whole_file(admin_client, references):
    """Committed transactions, not test savepoints: the rows before the failing one must not stay."""
    import_file(admin_client, "productgroup", to_bytes(GROUPS))
    import_file(admin_client, "product", to_bytes(PRODUCTS))
    import_file(admin_client, "characteristic", to_bytes(CHARACTERISTICS))
    rows = PRICES + [["DEMO-0004", "", "purchase", "1500"]]
    preview = upload(admin_client, "price", to_bytes(rows))
    PriceType.objects.filter(code="purchase").delete()  # someone removes it between preview and confirm

    done = confirm(admin_client, "price", preview)

    assert done.status_code == 200
    assert "Nothing was imported" in done.content.decode()
    assert "Unknown price type “purchase”" in _errors_of_row(done.context["result"], len(rows) - 1)
    assert Price.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_resource_import_without_the_admin_is_all_or_nothing_too(references):
    ProductGroup.objects.create(code="food", name="Food")
    Product.objects.create(code="DEMO-0001", name="Milk")
    rows = [PRICES[0], PRICES[1], ["DEMO-0001", "", "wholesale", "abc"]]

    result = PriceResource().import_data(_dataset(rows), dry_run=False)

    assert result.has_validation_errors()
    assert Price.objects.count() == 0


def _dataset(rows):
    import tablib

    return tablib.Dataset(*rows[1:], headers=rows[0])


def test_bad_rows_are_all_reported_not_only_the_first(admin_client, base_catalog):
    rows = PRICES + [["DEMO-0004", "", "vip", "1"], ["DEMO-0004", "", "purchase", "x"]]

    result = upload(admin_client, "price", to_bytes(rows)).context["result"]

    assert sorted(row.number for row in result.invalid_rows) == [len(rows) - 2, len(rows) - 1]


def test_a_file_without_the_key_columns_is_refused_with_a_clear_message(admin_client, base_catalog):
    rows = [["name", "price"], ["x", "1"]]

    result = upload(admin_client, "price", to_bytes(rows)).context["result"]

    assert result.has_errors()
    assert "product, price_type" in " ".join(str(error.error) for error in result.base_errors)


def test_characteristics_without_guid_are_matched_by_product_and_name(admin_client, base_catalog):
    with CaptureQueriesContext(connection):
        result = import_file(admin_client, "characteristic", to_bytes(CHARACTERISTICS))
    assert result.totals["skip"] == 3 and Characteristic.objects.count() == 3
