"""A 5,000-row price file takes a bounded number of queries: references are preloaded, rows are written in batches."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Price, Product
from catalog.resources import BULK_BATCH, LOOKUP_CHUNK
from tests.catalog_io.conftest import confirm, to_bytes, upload

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ROWS = 5000


def _price_file(products, price=100):
    rows = [["product", "characteristic", "price_type", "price"]]
    for number, product in enumerate(products):
        for price_type in ("retail", "wholesale"):
            rows.append([product.code, "", price_type, f"{price + number % 7}.50"])
    return to_bytes(rows)


def _import_counting_queries(client, content):
    with CaptureQueriesContext(connection) as preview_queries:
        preview = upload(client, "price", content)
    assert "confirm_form" in preview.context, [r.error_dict for r in preview.context["result"].invalid_rows][:3]
    with CaptureQueriesContext(connection) as confirm_queries:
        assert confirm(client, "price", preview).status_code == 302
    return len(preview_queries), len(confirm_queries)


def _statements(rows: int, columns: int) -> int:
    """Statements a bulk write of ``rows`` needs on this database (SQLite caps parameters per query)."""
    per_statement = min(BULK_BATCH, connection.ops.bulk_batch_size([None] * columns, [None] * rows))
    return -(-rows // per_statement)


def _bound(rows: int) -> int:
    """Per request: session, user, outer transaction, settings singleton, content type (~20);
    products, characteristics and existing prices preloaded per LOOKUP_CHUNK products, price types
    once; a savepoint pair per BULK_BATCH rows; prices written by bulk INSERT/UPDATE (5 columns)
    and the admin log by bulk INSERT (7 columns). Nothing here is per row."""
    lookups = 3 * -(-rows // 2 // LOOKUP_CHUNK) + 1
    savepoints = 2 * (-(-rows // BULK_BATCH) + 2)
    return 20 + lookups + savepoints + _statements(rows, 5) + _statements(rows, 7)


def test_a_5000_row_price_file_imports_and_updates_with_bounded_queries(admin_client, references):
    products = Product.objects.bulk_create(Product(code=f"BULK-{n:05d}", name=f"Bulk {n}") for n in range(ROWS // 2))

    preview_count, confirm_count = _import_counting_queries(admin_client, _price_file(products))
    assert Price.objects.count() == ROWS
    assert preview_count <= _bound(ROWS) and confirm_count <= _bound(ROWS), (preview_count, confirm_count)

    stamp = Price.objects.order_by("pk").values_list("updated_at", flat=True).first()
    preview_count, confirm_count = _import_counting_queries(admin_client, _price_file(products, price=200))
    assert Price.objects.count() == ROWS  # updated in place, not duplicated
    assert Price.objects.filter(price__gte=200).count() == ROWS
    assert Price.objects.order_by("pk").values_list("updated_at", flat=True).first() > stamp
    assert preview_count <= _bound(ROWS) and confirm_count <= _bound(ROWS), (preview_count, confirm_count)
