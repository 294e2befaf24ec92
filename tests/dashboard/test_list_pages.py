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


def test_document_pages_draw_references_as_bare_selects(admin_client):
    """The pencil / plus / ✖ beside a reference would edit or delete the shared row (an order state…) itself."""
    from tests.world import make_world

    world = make_world()
    order, payment = world["orders"][0], world["orders"][0].payments.first()
    pages = {
        "order": reverse("admin:integration_order_change", args=[order.pk]),
        "payment": reverse("admin:integration_payment_change", args=[payment.pk]),
        "sale": reverse("admin:integration_sale_change", args=[world["sale"].pk]),
        "return": reverse("admin:integration_return_change", args=[world["return"].pk]),
    }
    for name, url in pages.items():
        html = admin_client.get(url).content.decode()
        assert "related-widget-wrapper-link" not in html, name
        assert not re.search(r'id="(change|add|delete|view)_id_', html), name
    html = admin_client.get(pages["order"]).content.decode()
    assert re.search(r'<select name="state" [^>]*id="id_state"', html)  # still chosen from the list
    assert f'<option value="{order.state_id}" selected>' in html


def test_form_posting_buttons_of_the_console_are_styled_as_admin_buttons(admin_client):
    """django-object-actions styles its <button>s in a stylesheet our pages' own Media used to drop."""
    from integration.models import ExchangeEvent
    from tests.world import make_world

    world = make_world()
    event = ExchangeEvent.objects.create(entity="order", crm_id="77", result=ExchangeEvent.Result.FAILED,
                                         direction=ExchangeEvent.Direction.IMPORT)
    pages = {
        "job runs": (reverse("admin:integration_jobrun_changelist"), "run_import_orders"),
        "event": (reverse("admin:integration_exchangeevent_change", args=[event.pk]), "load_again"),
        "order": (reverse("admin:integration_order_change", args=[world["orders"][0].pk]), None),
    }
    for name, (url, tool) in pages.items():
        html = admin_client.get(url).content.decode()
        assert "django_object_actions/css/django-object-actions.css" in html, name
        assert html.count("integration/console.css") >= 1, name
        if tool:  # the button sits in the admin's object-tools, where that stylesheet draws it
            tools = re.search(r'<ul class="object-tools">.*?</ul>', html, re.S).group(0)
            assert f'data-tool-name="{tool}"' in tools and "<button type=\"submit\"" in tools, name
