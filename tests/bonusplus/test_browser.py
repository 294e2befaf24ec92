"""Issue 18 "must show": the manual's worked example end to end in a real browser, in Russian.

Chromium on the live server: the order's "БонусПлюс" window finds the manual's card, calculates
and applies 100 bonuses (36.76 / 38.24 / 25.00); posting the order reserves them, posting the sale
registers the purchase (the jobs run in this process); "Информация о бонусах" shows the result.
Each step leaves a screenshot in var/test-artifacts/browser/bonusplus-*.png.
"""

from decimal import Decimal as D

import pytest
from playwright.sync_api import expect

from integration.documents import posting
from integration.documents.models.orders import Sale
from loyalty.bonusplus.models import OrderBonus
from tests.browser.conftest import Screenshots, artifacts_dir, chromium  # noqa: F401  (chromium: a fixture)

from .conftest import MANUAL_CARD, MANUAL_PHONE

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ru_page(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 1000}, locale="ru-RU",
                                   extra_http_headers={"Accept-Language": "ru"})
    page = context.new_page()
    yield page
    context.close()


def test_the_manuals_example_in_the_browser(ru_page, bp, cashier, manual_order, run_queued_jobs):
    page = ru_page
    shots = Screenshots(page, artifacts_dir(), "bonusplus-")
    with shots.step("login"):
        page.goto("/admin/login/")
        page.fill("#id_username", "alice")
        page.fill("#id_password", "pw-alice-123")
        page.click("input[type=submit]")
    with shots.step("order"):
        page.goto(f"/admin/integration/order/{manual_order.pk}/change/")
        page.locator('li[data-tool-name="bonusplus_window"] button, a[data-tool-name="bonusplus_window"]').first.click()
        expect(page.get_by_text("Найти карту (Alt+F3)")).to_be_visible()
    with shots.step("find by card"):
        page.fill('input[name="card"]', MANUAL_CARD)
        page.keyboard.press("Alt+F3")
        expect(page.locator("#bonusplus-calc")).to_contain_text("Доступно бонусов")
        expect(page.locator("#bonusplus-calc")).to_contain_text("Петров Иван")
    with shots.step("apply"):
        page.fill('input[name="amount"]', "100")
        page.get_by_role("button", name="Применить").click()
        expect(page.locator("ul.messagelist")).to_contain_text("БонусПлюс применён")
    assert [line.amount for line in manual_order.lines.order_by("pk")] == [D("2963.24"), D("3081.76"), D("2015.00")]

    posting.post(manual_order)
    run_queued_jobs()
    assert float(bp.customer(MANUAL_PHONE)["reserved"]) == 100
    sale = Sale.objects.create(order=manual_order, number="РТ00-000001", total=D("8060.00"), posted=False)
    posting.post(sale)
    run_queued_jobs()
    assert len(bp.snapshot()["purchases"]) == 1
    assert OrderBonus.objects.get(order=manual_order).purchase_state == OrderBonus.Purchase.DONE

    with shots.step("bonus information"):
        page.goto(f"/admin/integration/order/{manual_order.pk}/bonusplus/info/")
        info = page.locator("#bonusplus-info")
        expect(info).to_contain_text(MANUAL_CARD)
        expect(info).to_contain_text(MANUAL_PHONE)
        expect(info).to_contain_text("8060")
        expect(info).to_contain_text("зафиксирована в БонусПлюс")
    assert len(shots.saved) == 5
