"""Lists (issue 16): the order and product change lists at any size, and an order page that fits the screen."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Product, ProductGroup, Unit
from integration.models import Customer, Order, OrderState

pytestmark = pytest.mark.django_db
ORDERS = reverse("admin:integration_order_changelist")
PRODUCTS = reverse("admin:catalog_product_changelist")
LIST_QUERY_BOUND = 12  # session, user, filters' small dictionaries, the count, the page, the settings row


def orders(n: int, start: int = 0) -> None:
    state = OrderState.objects.order_by("pk").first()
    customers = Customer.objects.bulk_create([Customer(last_name=f"C{start + i}", crm_id=start + i + 1) for i in range(n)])
    Order.objects.bulk_create([Order(number=f"T-{start + i}", crm_id=start + i + 1, state=state, customer=customers[i],
                                     total=Decimal("10.00"), crm_site="main-shop") for i in range(n)])


def products(n: int, start: int = 0) -> None:
    group = ProductGroup.objects.first() or ProductGroup.objects.create(name="G", code="G")
    unit = Unit.objects.get_or_create(code="pc", defaults={"name": "Piece", "symbol": "pc"})[0]
    Product.objects.bulk_create([Product(code=f"T-{start + i}", name=f"Item {start + i}", group=group, unit=unit,
                                         vat_rate="20") for i in range(n)])


def render(client, url: str) -> tuple[str, list[str]]:
    client.get(url)  # warm-up: the settings row, content types
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize("url, fill", [(ORDERS, orders), (PRODUCTS, products)])
def test_a_change_list_costs_the_same_queries_for_10_and_200_rows(admin_client, django_assert_max_num_queries, url, fill):
    fill(10)
    _html, few = render(admin_client, url)
    fill(190, start=10)
    html, many = render(admin_client, url)
    assert len(many) == len(few)
    with django_assert_max_num_queries(LIST_QUERY_BOUND):
        admin_client.get(url)
    assert html.count('<tr><td class="action-checkbox">') == 100  # a page, not the 200 rows
    # No filter reads every row to list its choices (SELECT DISTINCT), no date hierarchy scans them.
    assert not [sql for sql in many if "DISTINCT" in sql.upper()]


def test_the_order_list_keeps_total_closed_and_cancelled_in_eight_columns(admin_client):
    orders(3)
    html, _queries = render(admin_client, ORDERS)
    headers = re.findall(r'<th scope="col" class="(?:sortable )?column-([a-z_]+)', html)
    assert headers == ["number", "date_shown", "customer", "state", "crm_status", "total", "closed", "cancelled"]
    assert "toplinks" not in html  # no date hierarchy bar
    assert "integration/console.css" in html


def test_the_shop_filter_lists_the_dictionary_and_filters(admin_client):
    from integration.models import CrmSite

    CrmSite.objects.create(code="main-shop", name="Main shop")
    orders(2)
    Order.objects.filter(number="T-1").update(crm_site="other")
    html = admin_client.get(ORDERS + "?crm_site=main-shop").content.decode()
    assert "T-0" in html and ">T-1<" not in html
    assert "Main shop" in html


def test_the_order_page_has_compact_texts_and_inlines(admin_client):
    orders(1)
    order = Order.objects.get()
    html = admin_client.get(reverse("admin:integration_order_change", args=[order.pk])).content.decode()
    assert re.search(r'<textarea name="comment" cols="60" rows="3"', html)
    assert html.count("compact-inline") >= 2  # the lines and the payments
    assert "integration/console.css" in html
