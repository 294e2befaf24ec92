"""Issue 16 in a real browser: lists that fit 1,400 px, a readable event message, and the list
under a progress box refreshed when its run ends (job-progress.js)."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from catalog.models import Product
from integration.models import CrmSettings, Customer, ExchangeEvent, JobRun, Order, OrderLine, OrderState, Payment
from tests.browser.conftest import WAIT_MS

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-operator-123"
WIDTH = 1400


def _log_in(page, django_user_model):
    django_user_model.objects.create_superuser("operator", "operator@example.com", PASSWORD)
    page.set_viewport_size({"width": WIDTH, "height": 900})
    page.goto("/admin/")
    page.fill("#id_username", "operator")
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit]").click()
    expect(page.locator("#user-tools")).to_contain_text("operator")


def _scroll_width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def _orders() -> Order:
    state = OrderState.objects.get_or_create(code="new", defaults={"name": "Новый заказ"})[0]
    customer = Customer.objects.create(last_name="Константинопольская", first_name="Александра",
                                       patronymic="Владимировна", crm_id=1)
    orders = Order.objects.bulk_create([
        Order(number=f"RCRM-{n:06d}", crm_id=n, crm_number=f"{n}A", crm_site="main-shop",
              crm_status="assembling-complete", state=state, customer=customer, total=Decimal("123456.78"),
              comment="Позвонить за час до доставки; домофон не работает, код 1234. " * 3,
              delivery_address="Москва, Большая Никитская улица, дом 12, строение 3, подъезд 2, кв. 45")
        for n in range(1, 31)])
    order = orders[0]
    product = Product.objects.create(code="SKU-000123", name="Хлеб бородинский нарезной в упаковке, 400 г")
    OrderLine.objects.create(order=order, product=product, quantity=Decimal("2.000"), price=Decimal("99999.99"), amount=Decimal("199999.98"),
                             crm_status="assembling-complete", crm_item_id=123456)
    Payment.objects.create(order=order, crm_type="bank-card", crm_status="paid", amount=Decimal("199999.98"), crm_id=77)
    return order


def test_the_order_list_and_page_fit_1400_pixels(page, live_server, django_user_model, screenshots):
    shots = screenshots("layout-")
    order = _orders()
    _log_in(page, django_user_model)
    with shots.step("order list"):
        page.goto("/admin/integration/order/")
        for column in ("total", "closed", "cancelled"):
            box = page.locator(f"#result_list th.column-{column}").bounding_box()
            assert box and box["x"] + box["width"] <= WIDTH, (column, box)
        assert _scroll_width(page) <= WIDTH
    with shots.step("order page"):
        page.goto(f"/admin/integration/order/{order.pk}/change/")
        assert _scroll_width(page) <= WIDTH, page.evaluate("""() => Array.from(document.querySelectorAll("th, td"))
            .filter(e => e.getBoundingClientRect().right > 1400).slice(0, 5).map(e => e.className)""")


def test_the_event_message_column_is_readable(page, live_server, django_user_model, screenshots):
    shots = screenshots("events-")
    ExchangeEvent.objects.create(
        entity="order", crm_id="1203", local_ref="1203A", result=ExchangeEvent.Result.PARKED,
        direction=ExchangeEvent.Direction.IMPORT,
        message="Unknown offers in the order: SKU-000123, SKU-000456; load the catalog into RetailCRM, then retry.")
    _log_in(page, django_user_model)
    with shots.step("event list"):
        page.goto("/admin/integration/exchangeevent/")
        box = page.locator("#result_list td.field-message_text").first.bounding_box()
        assert box["width"] >= 300, box


def test_the_list_under_a_progress_box_refreshes_when_the_run_ends(page, live_server, worker, django_user_model,
                                                                   screenshots):
    shots = screenshots("refresh-")
    CrmSettings.get_solo()  # the check fails (no CRM configured): a run that ends at once, with a status
    _log_in(page, django_user_model)
    with shots.step("press check connection"):
        page.goto("/admin/integration/jobrun/")
        page.locator('li[data-tool-name="run_check_connection"] button').click()
        box = page.locator("#job-progress .job-progress").last
        expect(box).to_be_visible()
    with shots.step("the run ended and the list shows it"):
        expect(box).to_have_attribute("data-finished", "true", timeout=WAIT_MS)
        run = JobRun.objects.get(kind="check-connection")
        assert run.is_finished
        # The row was drawn while the run was queued; the refreshed list shows how it ended.
        expect(page.locator("#result_list tbody tr").first).to_contain_text(run.get_status_display(), timeout=WAIT_MS)
        expect(page.locator("#result_list tbody tr").first).not_to_contain_text("Queued")
