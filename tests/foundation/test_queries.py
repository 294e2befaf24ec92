"""Change lists render with a bounded number of queries whatever the row count (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.world import make_catalog, make_orders


def _queries(client, url) -> int:
    client.get(url)  # warm per-process caches (content types, sessions) so only the list itself counts
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["order", "orderline", "payment"])
def test_order_change_lists_do_not_grow_with_rows(admin_client, name):
    catalog = make_catalog(2)
    make_orders(3, catalog["products"])
    url = reverse(f"admin:integration_{name}_changelist")
    few = _queries(admin_client, url)
    make_orders(40, catalog["products"], start_crm_id=100)
    assert _queries(admin_client, url) == few


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["product", "characteristic", "price", "stockbalance", "productgroup"])
def test_catalog_change_lists_do_not_grow_with_rows(admin_client, name):
    make_catalog(3)
    url = reverse(f"admin:catalog_{name}_changelist")
    few = _queries(admin_client, url)
    make_catalog(40, prefix="Q")
    assert _queries(admin_client, url) == few
