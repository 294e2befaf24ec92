"""Issue #8 "must show": an operator's first day, in a real browser.

Chromium clicks through the admin of the live server; a real ``rqworker`` runs every job the
buttons queue; RetailCRM is the sandbox over HTTP. Connect, load the references, map a status,
publish the catalog, export stock, receive a manager's change through the webhook, register
customers in the loyalty program, and read the exchange dashboard. Each step leaves a screenshot.
"""

import pytest
import requests
from lxml import etree
from playwright.sync_api import expect

from catalog.demo import seed_demo_catalog
from catalog.models import PriceType, Warehouse
from integration import models as im
from integration.models import Customer, JobRun
from loyalty.models import LoyaltyProgram, Participation
from sandbox.retailcrm.testing import SandboxServer
from tests.browser.conftest import WAIT_MS

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-operator-123"
SETTINGS = "/admin/integration/crmsettings/"
STORES = {"main": "main", "north": "north", "shop-floor": "shop"}  # CRM store → local warehouse
NEW_CUSTOMERS = [("Дозорова", "+7 701 555-00-01"), ("Левченко", "+7 701 555-00-02"), ("Орлов", "+7 701 555-00-03")]


def _button(page, tool: str):
    """A django-object-actions button (a POST form) by its action name; on the settings page, the
    one in the tab shown (a button such as "Load references" sits in every tab it acts on)."""
    return page.locator(f'li[data-tool-name="{tool}"] button, #settings-tabs button[value="{tool}"]:visible')


def _open_tab(page, code: str):
    """A tab of the settings page, as the operator opens it."""
    page.locator(f'.settings-tab-link[data-tab="{code}"]').click()
    expect(page.locator(f"#tab-{code}")).to_be_visible()


def _wait_for_run(page, *, expected: str = "succeeded"):
    """The live progress box of the run just started reaches a finished status, updated by job-progress.js."""
    box = page.locator("#job-progress .job-progress").last
    expect(box).to_be_visible()
    expect(box).to_have_attribute("data-finished", "true", timeout=WAIT_MS)
    status = box.get_attribute("data-status")
    assert status == expected, (status, box.inner_text())
    return JobRun.objects.get(pk=int(box.get_attribute("data-run-id")))


def _success_message(page):
    return page.locator("ul.messagelist li.success")


def _unobscured(page, selector: str):
    """The element is where the operator can see and click it: wide enough, and nothing drawn over its middle."""
    box = page.locator(selector).bounding_box()
    assert box and box["width"] > 100, (selector, box)
    on_top = page.evaluate("([x, y]) => { const e = document.elementFromPoint(x, y); return e && e.id; }",
                           [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2])
    assert on_top == selector.lstrip("#"), (selector, on_top)


def _log_in(page, username: str):
    page.goto("/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit]").click()
    expect(page.locator("#user-tools")).to_contain_text(username)


def _saved(page):
    """Django's "was changed successfully" after a save (django-solo reports it at the info level)."""
    expect(page.locator("ul.messagelist li", has_text="successfully")).to_be_visible()


def test_an_operator_connects_exchanges_and_registers_customers(page, screenshots, live_server, worker,
                                                                django_user_model):
    shots = screenshots()
    seed_demo_catalog()
    # Transactional tests flush what the migrations seed: the order state step 4 picks.
    to_fulfil, _ = im.OrderState.objects.get_or_create(code="to-fulfil", defaults={"name": "To fulfil"})
    for last_name, phone in NEW_CUSTOMERS:
        Customer.objects.create(last_name=last_name, first_name="Тест", phone=phone)
    django_user_model.objects.create_superuser("operator", "operator@example.com", PASSWORD)

    with SandboxServer(seed="demo", api_key="sandbox-key", rps=1000) as crm:
        with shots.step("login"):
            _log_in(page, "operator")

        with shots.step("check connection"):
            page.goto(SETTINGS)
            # http on loopback: the field only assumes https for an address typed without a scheme.
            page.fill("#id_crm_url", crm.url)
            page.fill("#id_api_key", crm.api_key)
            page.fill("#id_site_code", "main-shop")
            _open_tab(page, "constants")
            page.select_option("#id_sale_price_type", label=str(PriceType.objects.get(code="retail")))
            page.select_option("#id_purchase_price_type", label=str(PriceType.objects.get(code="purchase")))
            page.locator('input[name="_continue"]').click()
            _saved(page)
            _open_tab(page, "main")  # the page comes back on the tab the form was sent from
            _button(page, "check_connection").click()
            expect(_success_message(page)).to_contain_text("Connection OK")
            expect(_success_message(page)).to_contain_text("main-shop")
            assert im.CrmSettings.get_solo().connection_ok

        with shots.step("load references"):
            _button(page, "run_sync_references").click()
            _wait_for_run(page)
            assert im.CrmStatus.objects.filter(code="new").exists()

        # Outside the brief's steps: stores mapped to warehouses, as on the B4 page, so stock has somewhere to go.
        for crm_code, local_code in STORES.items():
            im.WarehouseMapping.objects.create(crm_store=im.CrmStore.objects.get(code=crm_code),
                                               warehouse=Warehouse.objects.get(code=local_code))

        with shots.step("map status for import"):
            page.goto("/admin/integration/statusimportmapping/")
            expect(page.locator(".messagelist .warning")).to_contain_text("new")  # unmapped CRM statuses listed
            page.locator(".object-tools a.addlink").click()
            page.locator(".field-crm_status .select2-selection").click()
            page.locator(".select2-search__field").fill("new")
            page.locator(".select2-results__option", has_text="(new)").click()  # "Новый (new)"
            page.select_option("#id_local_state", label=str(to_fulfil))
            page.locator('input[name="_save"]').click()
            _saved(page)
            expect(page.locator("#result_list")).to_contain_text("(new)")
            mapping = im.StatusImportMapping.objects.get()
            assert (mapping.crm_status.code, mapping.local_state) == ("new", to_fulfil)

        with shots.step("generate catalog"):
            page.goto(SETTINGS + "#tab-catalog")
            _button(page, "run_generate_catalog").click()
            _wait_for_run(page)
            page.goto(SETTINGS + "#tab-catalog")
            page.reload()
            feed_url = page.locator(".field-catalog_feed code").first.inner_text().strip()
            assert feed_url.startswith(live_server.url) and feed_url.endswith("/main-shop.xml"), feed_url
            response = page.request.get(feed_url)
            assert response.ok, (response.status, response.text()[:300])
            offers = etree.fromstring(response.body()).findall("shop/offers/offer")
            assert len(offers) > 0
            # RetailCRM then polls the feed: the sandbox loads it the same way, so it knows every local offer.
            loaded = requests.post(f"{crm.url}/sandbox/icml", json={"url": feed_url}, timeout=30)
            assert loaded.status_code == 200, loaded.text
            assert loaded.json()["offers"] == len(offers)

        with shots.step("export stock"):
            page.goto(SETTINGS + "#tab-warehouses")
            _button(page, "run_export_stock").click()
            run = _wait_for_run(page)
            stock = requests.get(f"{crm.url}/sandbox/state", timeout=5).json()["stock"]
            main_shop = stock.get("main-shop", {})
            assert main_shop, (stock, run.counts, run.messages)
            assert all(set(stores) <= set(STORES) for stores in main_shop.values())
            assert set().union(*map(set, main_shop.values())) == set(STORES)

        with shots.step("webhook order in list"):
            created = requests.post(f"{crm.url}/sandbox/orders", timeout=5, json={
                "site": "main-shop", "status": "availability-confirmed", "firstName": "Иван", "lastName": "Вебхуков",
                "phone": "+7 900 123-45-67", "items": [{"offer": {"externalId": "DEMO-0001"}, "quantity": 2}]})
            assert created.status_code == 201, created.text
            crm_id = created.json()["id"]
            # The manager moves the order to "new"; RetailCRM's trigger calls the webhook with the id.
            edited = requests.post(f"{crm.url}/sandbox/orders/{crm_id}/edit", timeout=5,
                                   json={"status": "new", "managerComment": "Клиент подтвердил по телефону"})
            assert edited.status_code == 200, edited.text
            token = im.CrmSettings.get_solo().webhook_token
            answer = requests.post(f"{live_server.url}/webhooks/retailcrm/{token}/", data={"id": crm_id}, timeout=10)
            assert answer.status_code == 200, answer.text
            page.goto(f"/admin/integration/order/?q={crm_id}")
            row = page.locator("#result_list tbody tr", has_text="Вебхуков")
            for _attempt in range(30):  # bounded: the worker imports within seconds
                if row.count():
                    break
                page.wait_for_timeout(1000)
                page.reload()
            expect(row).to_have_count(1)
            expect(row).to_contain_text(str(to_fulfil))
            order = im.Order.objects.get(crm_id=crm_id)
            assert order.state == to_fulfil and order.customer.last_name == "Вебхуков"

        with shots.step("loyalty program chosen"):
            page.goto(SETTINGS + "#tab-exchange")
            page.check("#id_loyalty_program")
            page.locator('input[name="_continue"]').click()
            _saved(page)
            page.goto("/admin/loyalty/loyaltysettings/")
            _button(page, "refresh_programs").click()
            _wait_for_run(page)
            program = LoyaltyProgram.objects.get(crm_id=1)
            page.goto("/admin/loyalty/loyaltysettings/")
            page.select_option("#id_program", label=str(program))
            page.locator('input[name="_continue"]').click()
            _saved(page)
            expect(page.locator(".field-program_active")).to_contain_text("Yes")

        with shots.step("register customers"):
            accounts_before = len(crm.state.loyalty_accounts)
            page.goto("/admin/loyalty/registrationcandidate/")
            expect(page.locator("#loyalty-program-status")).to_contain_text(program.name)
            for last_name, _phone in NEW_CUSTOMERS:
                expect(page.locator("#result_list")).to_contain_text(last_name)
            page.check("#action-toggle")
            page.select_option('select[name="action"]', "register_in_program")
            page.locator('button[name="index"]').click()
            run = _wait_for_run(page)
            expect(page.locator('#job-progress li[data-count="created"] b')).not_to_have_text("0")
            assert run.counts["created"] >= len(NEW_CUSTOMERS), run.counts
            registered = Participation.objects.filter(customer__last_name__in=[n for n, _ in NEW_CUSTOMERS])
            assert registered.filter(program=program, crm_account_id__isnull=False).count() == len(NEW_CUSTOMERS)
            assert len(crm.state.loyalty_accounts) >= accounts_before + len(NEW_CUSTOMERS)
            page.goto("/admin/loyalty/participation/")
            for last_name, _phone in NEW_CUSTOMERS:
                expect(page.locator("#result_list")).to_contain_text(last_name)

        with shots.step("dashboard"):
            page.goto("/admin/integration/jobrun/dashboard/")
            rows = page.locator("tr.job-row")
            expect(rows.first).to_be_visible()
            for kind in ("sync-references", "generate-catalog", "export-stock", "import-order", "register-loyalty"):
                expect(page.locator(f'tr.job-row[data-kind="{kind}"]')).to_have_attribute("data-status", "succeeded")
            expect(page.locator("#orders-chart")).to_be_visible()
            expect(page.locator("#orders-chart")).to_contain_text("1 orders imported")

    assert [path.name for path in shots.saved] == [
        "01-login.png", "02-check-connection.png", "03-load-references.png", "04-map-status-for-import.png",
        "05-generate-catalog.png", "06-export-stock.png", "07-webhook-order-in-list.png",
        "08-loyalty-program-chosen.png", "09-register-customers.png", "10-dashboard.png"]


def test_the_settings_page_links_its_sub_pages_and_shows_the_connection_fields(page, screenshots,
                                                                               django_user_model):
    shots = screenshots("settings-layout-")
    django_user_model.objects.create_superuser("operator", "operator@example.com", PASSWORD)
    with shots.step("settings page"):
        _log_in(page, "operator")
        page.goto(SETTINGS)
        tools = page.locator("#content-main .object-tools")
        main = page.locator("#tab-main")
        # The page has loaded: no need to wait the full timeout for links that are not coming.
        expect(main.get_by_role("link", name="Load one order or since a date…")).to_be_visible(timeout=2000)
        expect(main.get_by_role("button", name="Load orders now")).to_be_visible(timeout=2000)
        expect(tools.get_by_role("link", name="Settings file")).to_be_visible(timeout=2000)
        # One tab at a time, named in the address; the other tabs' fields are a click away.
        expect(page.locator("#tab-constants")).to_be_hidden(timeout=2000)
        _open_tab(page, "payments")
        assert page.url.endswith("#tab-payments")
        expect(page.locator("#tab-main")).to_be_hidden(timeout=2000)
        page.reload()
        expect(page.locator("#tab-payments")).to_be_visible(timeout=2000)
        _open_tab(page, "main")
        for field in ("#id_crm_url", "#id_api_key", "#id_site_code"):
            _unobscured(page, field)
        # The buttons in the header row never cover the heading (they used to float over it).
        for url in (SETTINGS, "/admin/integration/jobrun/", "/admin/integration/statusimportmapping/"):
            page.goto(url)
            heading = page.locator("#content h1").bounding_box()
            header_tools = page.locator("#content .object-tools").first.bounding_box()
            assert header_tools["y"] >= heading["y"] + heading["height"], (url, heading, header_tools)
