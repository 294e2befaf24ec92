"""Issue 16 "must show": the operator's day in Russian, in a real browser.

The browser asks for Russian (``Accept-Language: ru``), as a Russian operator's does. Chromium
walks the settings tabs, connects, loads the references, maps a status on the "Статусы" tab and
presses "Загрузить заказы"; orders in a status the table does not list wait, and the operator
finds out why from the dashboard alone (the reason in Russian, the link to the waiting orders),
adds the status on the "Статусы" tab, loads again and sees those orders arrive. Then the catalog
is generated (its feed URL shown), stock is exported and customers are registered in the loyalty
program. Each step leaves a screenshot (``ru-NN-step.png``, see conftest), and every page visited
is checked for English source strings of ``locale/ru`` shown untranslated.
"""

import re
from functools import cache

import pytest
import requests
from django.utils import translation
from playwright.sync_api import expect

from catalog.demo import seed_demo_catalog
from catalog.models import PriceType, Product, Warehouse
from integration import models as im
from integration.models import Customer, JobRun, Order
from loyalty.models import LoyaltyProgram, Participation
from sandbox.retailcrm.testing import SandboxServer
from tests.browser.conftest import WAIT_MS
from tests.browser.test_operator_journey import PASSWORD, SETTINGS, STORES, _button, _open_tab
from tests.foundation.test_i18n import _entries

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

FINE = re.compile(r"^(succeeded|warnings)$")  # a run that did its work (warnings: orders waiting, defaults used)
NEW_OFFER = "DEMO-0001"  # an offer the CRM sells; the day starts without it in the local catalog
NEW_CUSTOMERS = [("Дозорова", "+7 701 555-00-11"), ("Левченко", "+7 701 555-00-12")]
TABS = ("main", "constants", "statuses", "managers", "warehouses", "catalog", "price-types", "payments", "delivery",
        "exchange", "loyalty")
# Never the operator's words: machine codes, data and the switch back to English (its own language).
LOG_PAGES = {"admin index": "/admin/", "job runs": "/admin/integration/jobrun/",
             "exchange events": "/admin/integration/exchangeevent/", "orders": "/admin/integration/order/",
             "waiting orders": "/admin/integration/skippedorder/", "queues": "/admin/django_rq/dashboard/"}
NOT_TEXT = "code, pre, script, style, select, textarea, [lang=en], .select2-container, #user-tools strong"


@pytest.fixture
def page(chromium, live_server):
    """The browser of a Russian operator: Russian first in Accept-Language."""
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 900}, locale="ru-RU",
                                   extra_http_headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    yield page
    context.close()


@cache
def english_sources() -> tuple[frozenset, tuple[re.Pattern, ...]]:
    """The English source texts of locale/ru that have a Russian translation: (words, phrases).

    A msgid is cut at its placeholders (``%(name)s``, ``{{ x }}``, tags) into the literal pieces a
    page would show; a piece counts when it is English and does not appear in the Russian text
    itself (brand names and codes such as "RetailCRM", "ICML" stay as they are). A piece of two
    words or more is looked for anywhere in the page's text; a single capitalised word ("Shop")
    only as a whole label, so a key name in a sentence ("Command" on a Mac) is not taken for one.
    """
    words, phrases = set(), set()
    for entry in _entries():
        russian = " ".join(entry["msgstr"].values())
        for source in (entry["msgid"], entry.get("plural") or ""):
            if not source or source == russian:
                continue
            for piece in re.split(r"%\(\w+\)[sdf]|%[sdf]|\{\{.*?\}\}|\{\w*\}|<[^>]*>|\n", source):
                piece = piece.strip(STRIPPED)
                english = re.findall(r"[A-Za-z]+", piece)
                if not english or piece in russian or re.search(r"[А-Яа-яЁё]", piece):
                    continue
                if len(english) >= 2:
                    phrases.add(piece)
                elif len(piece) >= 3 and piece[0].isupper() and piece[1:].islower():
                    words.add(piece)
    return frozenset(words), tuple(re.compile(rf"(?<![\w-]){re.escape(piece)}(?![\w-])") for piece in sorted(phrases))


STRIPPED = " .,:;…—–-()«»“”\"'/·#?!*"


def visible_texts(page) -> list[str]:
    """What the operator reads on the page, text by text: without codes, data lists and the language switch."""
    return page.evaluate("""(skip) => {
        const shown = e => e.closest(skip) === null && e.checkVisibility();
        const own = e => Array.from(e.childNodes).filter(n => n.nodeType === 3).map(n => n.textContent.trim())
            .filter(Boolean);
        const texts = Array.from(document.body.querySelectorAll("*")).filter(shown).flatMap(own);
        const buttons = Array.from(document.querySelectorAll("input[type=submit], input[type=button]")).filter(shown);
        return [...texts, ...buttons.map(e => e.value), document.title];
    }""", NOT_TEXT)


def english_shown(page) -> list[str]:
    """Our English source strings the page shows."""
    words, phrases = english_sources()
    texts = visible_texts(page)
    joined = "\n".join(texts)
    return sorted({text.strip(STRIPPED) for text in texts if text.strip(STRIPPED) in words}
                  | {pattern.search(joined).group(0) for pattern in phrases if pattern.search(joined)})


def assert_russian(page, seen: dict):
    """The page is in Russian and shows none of our English source strings."""
    assert page.locator("html").get_attribute("lang") == "ru", (page.url, "the page is not in Russian")
    seen[page.url] = found = english_shown(page)
    assert found == [], (page.url, found)


def _wait_for_run(page, *, allowed=("succeeded", "warnings")):
    """The progress box of the run just started reaches a finished status that is not a failure.

    An import that skipped orders for their status ends "with warnings": that is the point of the day."""
    box = page.locator("#job-progress .job-progress").last
    expect(box).to_be_visible()
    expect(box).to_have_attribute("data-finished", "true", timeout=WAIT_MS)
    status = box.get_attribute("data-status")
    assert status in allowed, (status, box.inner_text())
    return JobRun.objects.get(pk=int(box.get_attribute("data-run-id")))


def _saved(page):
    """Django's "… успешно изменён" after a save (django-solo reports it at the info level)."""
    expect(page.locator("ul.messagelist li", has_text="успешно")).to_be_visible()


def test_an_operator_works_a_day_in_russian(page, screenshots, live_server, worker, django_user_model):
    shots = screenshots("ru-")
    seen: dict[str, list] = {}
    seed_demo_catalog(language="ru")
    Product.objects.filter(code=NEW_OFFER).delete()  # added in the CRM, not yet here: its orders wait for it
    with translation.override("ru"):
        to_fulfil, _ = im.OrderState.objects.get_or_create(code="to-fulfil", defaults={"name": "К исполнению"})
    for last_name, phone in NEW_CUSTOMERS:
        Customer.objects.create(last_name=last_name, first_name="Тест", phone=phone)
    django_user_model.objects.create_superuser("operator", "operator@example.com", PASSWORD)

    with SandboxServer(seed="demo", api_key="sandbox-key", rps=1000) as crm:
        with shots.step("login"):
            page.goto("/admin/")
            assert_russian(page, seen)
            page.fill("#id_username", "operator")
            page.fill("#id_password", PASSWORD)
            page.locator("input[type=submit]").click()
            expect(page.locator("#user-tools")).to_contain_text("operator")
            assert_russian(page, seen)

        with shots.step("settings main tab"):
            page.goto(SETTINGS)
            expect(page.locator('.settings-tab-link[data-tab="main"]')).to_have_text("Основная")
            page.fill("#id_crm_url", crm.url)
            page.fill("#id_api_key", crm.api_key)
            page.fill("#id_site_code", "main-shop")
            # "Загружать заказы, измененные с": the first load reads the CRM's history from this date.
            page.fill("#id_history_start_date_0", "01.01.2000")
            page.fill("#id_history_start_date_1", "00:00:00")
            _open_tab(page, "constants")
            page.select_option("#id_sale_price_type", label=str(PriceType.objects.get(code="retail")))
            page.select_option("#id_purchase_price_type", label=str(PriceType.objects.get(code="purchase")))
            page.locator('input[name="_continue"]').click()
            _saved(page)
            _open_tab(page, "main")
            assert_russian(page, seen)

        for code in TABS[1:]:
            with shots.step(f"settings tab {code}"):
                _open_tab(page, code)
                assert_russian(page, seen)
        _open_tab(page, "main")

        with shots.step("check connection"):
            _button(page, "check_connection").click()
            expect(page.locator("ul.messagelist li.success")).to_contain_text("Подключение установлено")
            assert im.CrmSettings.get_solo().connection_ok
            assert_russian(page, seen)

        with shots.step("load references"):
            _button(page, "run_sync_references").click()
            _wait_for_run(page)
            assert im.CrmStatus.objects.filter(code="new").exists()
            assert_russian(page, seen)

        # Outside the day's steps: the stores mapped to warehouses, so stock has somewhere to go.
        for crm_code, local_code in STORES.items():
            im.WarehouseMapping.objects.create(crm_store=im.CrmStore.objects.get(code=crm_code),
                                               warehouse=Warehouse.objects.get(code=local_code))

        with shots.step("map status new on the statuses tab"):
            _add_status_row(page, "new", to_fulfil, seen)

        with shots.step("load orders now"):
            page.goto(SETTINGS)
            _open_tab(page, "main")
            button = _button(page, "run_import_orders")
            expect(button).to_have_text("Загрузить заказы")
            button.click()
            run = _wait_for_run(page)
            assert Order.objects.filter(crm_status="new").exists(), (run.counts, run.messages)
            assert_russian(page, seen)

        waiting = im.SkippedOrder.objects.values_list("crm_status", flat=True).order_by("crm_status").first()
        assert waiting, "the demo CRM has orders in statuses other than new"
        with shots.step("dashboard says why orders wait"):
            page.goto("/admin/integration/jobrun/dashboard/")
            line = page.locator(f'tr.attention-item[data-kind="waiting-{waiting}"]')
            expect(line).to_contain_text("Заказы ожидают загрузки по статусу")
            expect(line).to_contain_text(f"Заказы в статусе {waiting} не загружаются")
            assert_russian(page, seen)
            line.get_by_role("link").click()
            expect(page.locator("#result_list")).to_contain_text(f"Заказы в статусе {waiting} не загружаются")
            assert_russian(page, seen)

        with shots.step("add the waiting status on the statuses tab"):
            row = page.locator("#result_list tbody tr").first
            expect(row).to_contain_text("Загрузить заказы из RetailCRM #")  # the run by its name, not its code
            row.get_by_role("link", name="Открыть вкладку «Статусы»").click()
            expect(page.locator("#tab-statuses")).to_be_visible()
            _add_status_row(page, waiting, to_fulfil, seen)

        with shots.step("load orders again and they arrive"):
            page.goto(SETTINGS)
            _button(page, "run_import_orders").click()
            _wait_for_run(page)
            arrived = Order.objects.filter(crm_status=waiting)
            assert arrived.exists() and not im.SkippedOrder.objects.filter(crm_status=waiting).exists()
            page.goto(f"/admin/integration/order/?q={arrived.first().crm_id}")
            with translation.override("ru"):
                expect(page.locator("#result_list")).to_contain_text(str(to_fulfil))  # the seeded state's Russian name
            assert_russian(page, seen)
            page.goto("/admin/integration/jobrun/dashboard/")
            expect(page.locator(f'tr.attention-item[data-kind="waiting-{waiting}"]')).to_have_count(0)
            assert_russian(page, seen)

        with shots.step("an order with an unknown offer is parked"):
            created = requests.post(f"{crm.url}/sandbox/orders", timeout=5, json={
                "site": "main-shop", "status": "new", "firstName": "Ольга", "lastName": "Новинкова",
                "phone": "+7 900 765-43-21", "items": [{"offer": {"externalId": NEW_OFFER}, "quantity": 1}]})
            assert created.status_code == 201, created.text
            parked_id = created.json()["id"]
            page.goto(SETTINGS)
            _button(page, "run_import_orders").click()
            _wait_for_run(page)
            assert not Order.objects.filter(crm_id=parked_id).exists()
            page.goto("/admin/integration/jobrun/dashboard/")
            line = page.locator('tr.attention-item[data-kind="parked-orders"]')
            expect(line).not_to_have_attribute("data-count", "0")
            assert_russian(page, seen)
            line.get_by_role("link").click()
            parked_row = page.locator("#result_list tbody tr").filter(
                has=page.locator("td.field-remote_id", has_text=re.compile(rf"^{parked_id}$")))
            expect(parked_row).to_contain_text("Неизвестные торговые предложения (нет в каталоге)")
            assert_russian(page, seen)
            parked_row.locator("a.events-link").click()
            event_row = page.locator("#result_list tbody tr", has_text=NEW_OFFER).filter(
                has=page.locator("td.field-crm_id", has_text=re.compile(rf"^{parked_id}$")))
            expect(event_row).to_contain_text("Неизвестные торговые предложения (нет в каталоге)")
            assert_russian(page, seen)
            event_row.locator("th a, td a").first.click()
            expect(page.locator(".field-message_text")).to_contain_text(f"нет в каталоге): {NEW_OFFER}")
            expect(page.locator('li[data-tool-name="load_again"] button, a[href*="load_again"]').first).to_be_visible()
            assert_russian(page, seen)
            event_url = page.url

        with shots.step("the product is added and the order loaded again"):
            page.goto("/admin/catalog/product/add/")
            assert_russian(page, seen)
            page.fill("#id_name", "Хлеб ржаной новый")
            page.fill("#id_code", NEW_OFFER)
            if page.locator("#id_unit option").count() > 1:
                page.select_option("#id_unit", index=1)
            page.locator('input[name="_save"]').click()
            expect(page.locator("ul.messagelist li.success")).to_be_visible()
            page.goto(event_url)
            page.locator('li[data-tool-name="load_again"] button, a[href*="load_again"]').first.click()
            _wait_for_run(page)
            order = Order.objects.get(crm_id=parked_id)
            assert order.lines.get().product.code == NEW_OFFER
            page.goto(f"/admin/integration/order/{order.pk}/change/")
            expect(page.locator("#content")).to_contain_text("Хлеб ржаной новый")
            assert_russian(page, seen)

        with shots.step("generate catalog and see its feed url"):
            page.goto(SETTINGS + "#tab-catalog")
            _button(page, "run_generate_catalog").click()
            _wait_for_run(page)
            page.goto(SETTINGS + "#tab-catalog")
            page.reload()
            feed_url = page.locator(".field-catalog_feed code").first.inner_text().strip()
            assert feed_url.startswith(live_server.url) and feed_url.endswith("/main-shop.xml"), feed_url
            assert page.request.get(feed_url).ok
            assert_russian(page, seen)

        with shots.step("export stock"):
            page.goto(SETTINGS + "#tab-warehouses")
            button = _button(page, "run_export_stock")
            expect(button).to_contain_text("Выгрузить остатки")
            button.click()
            run = _wait_for_run(page)
            stock = requests.get(f"{crm.url}/sandbox/state", timeout=5).json()["stock"]
            assert stock.get("main-shop"), (stock, run.counts, run.messages)
            page.goto(f"/admin/integration/jobrun/{run.pk}/change/")
            assert_russian(page, seen)

        with shots.step("loyalty program chosen"):
            page.goto(SETTINGS + "#tab-exchange")
            page.check("#id_loyalty_program")
            page.locator('input[name="_continue"]').click()
            _saved(page)
            page.goto("/admin/loyalty/loyaltysettings/")
            _button(page, "refresh_programs").click()
            # Switching the program on may have queued the refresh already: then the page says it runs.
            expect(page.locator("#job-progress .job-progress, ul.messagelist li.warning").first).to_be_visible()
            if page.locator("#job-progress .job-progress").count():
                _wait_for_run(page)
            for _attempt in range(30):  # bounded: the worker reads the programs within seconds
                if LoyaltyProgram.objects.filter(crm_id=1).exists():
                    break
                page.wait_for_timeout(1000)
            program = LoyaltyProgram.objects.get(crm_id=1)
            page.goto("/admin/loyalty/loyaltysettings/")
            page.select_option("#id_program", label=str(program))
            page.locator('input[name="_continue"]').click()
            _saved(page)
            expect(page.locator(".field-program_active")).to_contain_text("Да")
            assert_russian(page, seen)

        with shots.step("register customers"):
            page.goto("/admin/loyalty/registrationcandidate/")
            for last_name, _phone in NEW_CUSTOMERS:
                expect(page.locator("#result_list")).to_contain_text(last_name)
            assert_russian(page, seen)
            # The new customers only: others belong to shops the program is not available in, and the
            # CRM's own refusal for them ("Loyalty program is not available for this site.") is its text, not ours.
            for last_name, _phone in NEW_CUSTOMERS:
                page.locator("#result_list tbody tr", has_text=last_name).locator("input.action-select").check()
            page.select_option('select[name="action"]', "register_in_program")
            page.locator('button[name="index"]').click()
            run = _wait_for_run(page)
            assert run.counts["created"] >= len(NEW_CUSTOMERS), run.counts
            registered = Participation.objects.filter(customer__last_name__in=[n for n, _ in NEW_CUSTOMERS])
            assert registered.filter(program=program, crm_account_id__isnull=False).count() == len(NEW_CUSTOMERS)
            page.goto(f"/admin/integration/jobrun/{run.pk}/change/")
            # The run by its job's name and its options by their Russian labels, not "register-loyalty #11".
            heading = page.locator("#content h2").first
            expect(heading).to_contain_text(f"Зарегистрировать клиентов в программе лояльности #{run.pk}")
            expect(page.locator(".field-options_shown")).to_contain_text("ID локальных клиентов через запятую")
            assert_russian(page, seen)

        with shots.step("dashboard and logs"):
            page.goto("/admin/integration/jobrun/dashboard/")
            for kind in ("sync-references", "generate-catalog", "export-stock", "import-orders", "register-loyalty"):
                expect(page.locator(f'tr.job-row[data-kind="{kind}"]')).to_have_attribute("data-status", FINE)
            assert_russian(page, seen)

        for name, url in LOG_PAGES.items():
            with shots.step(name):
                page.goto(url)
                assert_russian(page, seen)
                assert page.evaluate("() => document.documentElement.scrollWidth") <= 1400, url
                # A list inside its box, not behind the box's own horizontal scroll bar.
                hidden = page.evaluate("""() => Array.from(document.querySelectorAll("#changelist .results"))
                    .map(e => e.scrollWidth - e.clientWidth).filter(d => d > 1)""")
                assert hidden == [], (url, hidden, page.evaluate("""() => Array.from(document.querySelectorAll(
                    "#result_list thead th")).map(e => e.className + " " + e.offsetWidth).join("; ")"""))

        with shots.step("the check sees english"):
            # The check can fail: the same dashboard switched to English shows the source strings it looks for.
            page.goto("/admin/integration/jobrun/dashboard/")
            page.locator('#language-switch button[value="en"]').click()
            expect(page.locator("html")).to_have_attribute("lang", "en")
            assert {"Exchange dashboard", "RetailCRM back office"} <= set(english_shown(page)), english_shown(page)
            page.locator('#language-switch button[value="ru"]').click()
            expect(page.locator("html")).to_have_attribute("lang", "ru")
            assert_russian(page, seen)

    assert len(seen) >= 15, sorted(seen)
    assert len(shots.saved) == shots.number and not [path for path in shots.saved if "FAILED" in path.name]
    assert {f"ru-{n:02d}-settings-tab-{code}.png" for n, code in enumerate(TABS[1:], start=3)} <= {
        path.name for path in shots.saved}


def _add_status_row(page, code: str, state, seen: dict):
    """On the "Статусы" tab: the unmapped status's "add a row" link, the local state, save."""
    page.goto(SETTINGS + "#tab-statuses")
    page.reload()
    unmapped = page.locator("#tab-statuses li", has=page.locator("code", has_text=re.compile(rf"^{re.escape(code)}$")))
    expect(unmapped).to_have_count(1)
    assert_russian(page, seen)
    unmapped.get_by_role("link", name="добавить строку").click()
    expect(page.locator(".field-crm_status")).to_contain_text(f"({code})")
    assert_russian(page, seen)
    page.select_option("#id_local_state", value=str(state.pk))
    page.locator('input[name="_save"]').click()
    expect(page.locator("ul.messagelist li.success", has_text=f"({code})")).to_be_visible()
    assert im.StatusImportMapping.objects.filter(crm_status__code=code, local_state=state).exists()
    assert_russian(page, seen)
