"""Issue 16: the settings screen shaped like the 1C module's form, its mapping tables and buttons,
the rows made for unmapped codes, the settings history, and the admin index grouped by task."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from lxml import html

from integration import models as im
from integration.retailcrm.references import create_unmapped_rows, unmapped_codes
from tests.sandbox_world import connected_sandbox

SETTINGS_URL = "/admin/integration/crmsettings/"
TABS = ["main", "constants", "statuses", "managers", "warehouses", "catalog", "price-types", "payments", "delivery",
        "exchange", "loyalty"]


@pytest.fixture
def synced(db):
    """The demo CRM over real HTTP, its references loaded; B6/B7 still empty, as after a first sync."""
    with connected_sandbox(catalog=True, sync=True, map_deliveries=False) as server:
        im.DeliveryTypeMapping.objects.all().delete()
        im.PaymentTypeMapping.objects.all().delete()
        yield server


def staff(django_user_model, username, codenames):
    user = django_user_model.objects.create_user(username, f"{username}@example.com", "pw-" + username, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def viewer(django_user_model, db):
    codenames = Permission.objects.filter(codename__startswith="view_").values_list("codename", flat=True)
    return staff(django_user_model, "viewer", list(codenames))


def page(client, url=SETTINGS_URL):
    response = client.get(url)
    assert response.status_code == 200
    return html.fromstring(response.content.decode())


def tab(document, code):
    [section] = document.xpath(f'//section[@id="tab-{code}"]')
    return section


def buttons(section):
    return [button.get("value") or button.get("form") for button in section.xpath('.//button[@type="submit"]')]


def test_every_tab_has_its_fields_tables_and_buttons(synced, admin_client):
    document = page(admin_client)
    assert [a.get("href") for a in document.xpath('//nav[@class="settings-tab-bar"]/a')] == [f"#tab-{c}" for c in TABS]
    main = tab(document, "main")
    assert main.xpath('.//input[@name="crm_url"]') and main.xpath('.//input[@name="history_since_id"]')
    assert buttons(main) == ["check_connection", "run_import_orders", "run_sync_references", "register_module",
                             "create_custom_field"]
    assert "Load orders now" in main.text_content()
    assert tab(document, "constants").xpath('.//select[@name="default_warehouse"]')
    assert tab(document, "exchange").xpath('.//input[@name="keep_events_days"]')
    assert tab(document, "catalog").xpath('.//*[contains(@class, "field-catalog_feed")]')
    assert "run_generate_catalog" in buttons(tab(document, "catalog"))
    assert {"run_export_stock", "export_all_stock"} <= set(buttons(tab(document, "warehouses")))

    # Each mapping tab: its table read from the mapping model, every row linking to its own page.
    statuses = tab(document, "statuses")
    export_rows = im.StatusExportMapping.objects.all()
    assert export_rows.exists()
    links = set(statuses.xpath(".//table//th/a/@href"))
    assert {reverse("admin:integration_statusexportmapping_change", args=[row.pk]) for row in export_rows} <= links
    assert "run_sync_references" in buttons(statuses)
    managers = tab(document, "managers")
    assert len(managers.xpath(".//tbody/tr")) == im.ManagerMapping.objects.count() > 0

    # B6/B7 start empty: the unmapped codes are listed with the button that makes their rows.
    for code, model, book in (("payments", "paymenttypemapping", "payment_types"),
                              ("delivery", "deliverytypemapping", "delivery_types")):
        section = tab(document, code)
        assert not section.xpath(".//tbody/tr")
        listed = section.xpath('.//div[@class="settings-unmapped"]//code/text()')
        assert listed == unmapped_codes(book) and listed
        [form_id] = [b.get("form") for b in section.xpath(".//button") if b.get("form", "").startswith("create-rows")]
        [form] = document.xpath(f'//form[@id="{form_id}"]')
        assert form.get("action") == reverse(f"admin:integration_{model}_actions", kwargs={"tool": "create_unmapped_rows"})
    loyalty = tab(document, "loyalty")
    assert loyalty.xpath(f'.//a[@href="{reverse("admin:loyalty_loyaltysettings_change")}"]')

    # Buttons submit forms of their own, outside the settings form (forms cannot nest).
    [settings_form] = document.xpath('//form[@id="crmsettings_form"]')
    assert not settings_form.xpath(".//form")
    for button in document.xpath('//section[@class="settings-tab"]//button[@form]'):
        [target] = document.xpath(f'//form[@id="{button.get("form")}"]')
        assert target.get("method") == "post" and target.xpath('.//input[@name="csrfmiddlewaretoken"]')
    # The header's object tools keep only the history and the settings file, not a dozen buttons.
    assert not document.xpath('//ul[@class="object-tools"]//button')


def test_load_orders_now_queues_an_import(synced, admin_client, django_capture_on_commit_callbacks):
    document = page(admin_client)
    [form] = document.xpath('//form[@id="tool-run_import_orders"]')
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(form.get("action"), HTTP_REFERER=SETTINGS_URL)
    assert response.status_code == 302
    run = im.JobRun.objects.get(kind="import-orders")
    assert run.trigger == im.JobRun.Trigger.BUTTON


def test_a_viewer_sees_the_tabs_but_no_buttons_and_no_secrets(synced, viewer):
    row = im.CrmSettings.get_solo()
    row.webhook_token = "webhook-secret-1234567890"
    row.save()
    content = viewer.get(SETTINGS_URL).content.decode()
    document = html.fromstring(content)
    assert [s.get("id") for s in document.xpath("//section")] == [f"tab-{c}" for c in TABS]
    assert document.xpath('//section[@id="tab-statuses"]//tbody/tr')  # tables are there to read
    assert not document.xpath("//section//button") and "/actions/" not in content
    assert "create_unmapped_rows" not in content and "add a row" not in content
    for secret in (row.api_key, row.feed_token, row.webhook_token):
        assert secret and secret not in content


def test_rows_for_the_unmapped_codes_are_exactly_the_missing_ones_and_made_once(synced, admin_client):
    payment_types = im.CrmPaymentType.objects.filter(removed_in_crm=False, active=True)
    assert payment_types.count() >= 3
    first = payment_types.order_by("code").first()
    im.PaymentTypeMapping.objects.create(crm_payment_type=first, document_kind="bank-receipt")
    inactive = payment_types.exclude(pk=first.pk).order_by("code").first()
    inactive.active = False
    inactive.save()
    missing = set(unmapped_codes("payment_types")) - {inactive.code}

    url = reverse("admin:integration_paymenttypemapping_actions", kwargs={"tool": "create_unmapped_rows"})
    response = admin_client.post(url, {"next": SETTINGS_URL + "#tab-payments"})
    assert response.status_code == 302 and response["Location"] == SETTINGS_URL + "#tab-payments"
    made = im.PaymentTypeMapping.objects.exclude(crm_payment_type=first)
    assert {row.crm_payment_type.code for row in made} == missing
    assert all(row.document_kind == "" and not row.use_for_export for row in made)  # the operator fills them
    assert im.PaymentTypeMapping.objects.get(crm_payment_type=first).document_kind == "bank-receipt"
    assert create_unmapped_rows("payment_types") == 0
    assert im.PaymentTypeMapping.objects.count() == len(missing) + 1

    delivery_codes = unmapped_codes("delivery_types")
    assert create_unmapped_rows("delivery_types") == len(delivery_codes) > 0
    assert unmapped_codes("delivery_types") == [] and create_unmapped_rows("delivery_types") == 0
    assert set(im.DeliveryTypeMapping.objects.values_list("method", flat=True)) == {"pickup"}


def test_the_list_pages_of_b6_and_b7_offer_the_button(synced, admin_client, viewer):
    for model in ("paymenttypemapping", "deliverytypemapping"):
        url = reverse(f"admin:integration_{model}_changelist")
        assert "/actions/create_unmapped_rows/" in admin_client.get(url).content.decode()
        assert "/actions/create_unmapped_rows/" not in viewer.get(url).content.decode()
        action = reverse(f"admin:integration_{model}_actions", kwargs={"tool": "create_unmapped_rows"})
        assert viewer.post(action).status_code == 403
    assert not im.PaymentTypeMapping.objects.exists()


def _post_settings(client, **changes):
    """Send the settings form back as the browser would, with ``changes``."""
    [form] = page(client).xpath('//form[@id="crmsettings_form"]')
    data = dict(form.form_values())
    data.update(changes)
    response = client.post(SETTINGS_URL, data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_history_lists_the_versions_and_a_blank_api_key_is_not_a_change(synced, admin_client):
    stored_key = im.CrmSettings.get_solo().api_key
    _post_settings(admin_client, keep_events_days="45", api_key="")
    row = im.CrmSettings.get_solo()
    assert row.keep_events_days == 45 and row.api_key == stored_key
    entry = LogEntry.objects.filter(object_id=str(row.pk)).latest("action_time")
    assert "API key" not in entry.get_change_message() and "events" in entry.get_change_message()

    document = page(admin_client, reverse("admin:integration_crmsettings_history"))
    versions = document.xpath('//table[@id="change-history"]//tbody/tr')
    assert len(versions) == row.history.count() >= 2
    newest = versions[0].text_content()
    assert "45" in newest and "alice" in newest and "API key" not in newest
    assert stored_key not in html.tostring(document, encoding="unicode")


def test_the_index_is_grouped_by_task_settings_first(synced, admin_client, viewer):
    document = page(admin_client, "/admin/")
    captions = [c.text_content().strip() for c in document.xpath('//div[@id="content-main"]//caption')]
    assert captions[:6] == ["Exchange", "Mappings", "Documents", "Catalog", "RetailCRM references", "Log"]
    exchange = [a.text_content() for a in document.xpath('//div[contains(@class, "app-group-exchange")]//th/a')]
    assert exchange[:3] == ["RetailCRM settings", "Exchange dashboard", "Job runs"]
    assert "Django-RQ" in exchange
    mappings = [a.text_content() for a in document.xpath('//div[contains(@class, "app-group-mappings")]//th/a')]
    # B5 and B8 are listed only with their modes on ("use price types", "multiple organizations").
    assert mappings == [str(m._meta.verbose_name_plural) for m in (
        im.StatusImportMapping, im.StatusExportMapping, im.ManagerMapping, im.WarehouseMapping,
        im.PaymentTypeMapping, im.DeliveryTypeMapping)] + ["Order states"]
    logged = [a.text_content() for a in document.xpath('//div[contains(@class, "app-group-log")]//th/a')]
    assert "Exchange events" in logged
    # Nothing registered is lost: every model the site lists somewhere is still on the index.
    listed = set(document.xpath('//div[@id="content-main"]//th/a/@href'))
    assert reverse("admin:auth_user_changelist") in listed and reverse("admin:catalog_product_changelist") in listed
    # The queue dashboard only for those who may manage the queues.
    assert "Django-RQ" not in page(viewer, "/admin/").text_content()


def test_mapping_forms_have_no_icons_that_edit_or_delete_the_entry_pointed_at(synced, admin_client):
    status = im.CrmStatus.objects.first()
    mapping = im.StatusImportMapping.objects.create(crm_status=status)
    pages = [
        reverse("admin:integration_statusimportmapping_change", args=[mapping.pk]),
        reverse("admin:integration_statusexportmapping_add"),
        reverse("admin:integration_warehousemapping_add"),
        SETTINGS_URL,
    ]
    for url in pages:
        content = admin_client.get(url).content.decode()
        assert "id_local_state" in content or "id_warehouse" in content or "id_default_warehouse" in content, url
        for icon in ("delete_id_", "change_id_", "add_id_"):
            assert icon not in content, (url, icon)
    settings_page = admin_client.get(SETTINGS_URL).content.decode()
    [select] = html.fromstring(settings_page).xpath('//select[@name="delivery_product"]')
    assert "admin-autocomplete" in select.get("class")
