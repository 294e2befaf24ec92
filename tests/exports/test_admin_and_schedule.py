"""Buttons on the settings and catalog pages queue the exports; the default schedules exist, switched off."""

import pytest
from django.urls import reverse

from integration import models as im


@pytest.fixture
def connected(db):
    row = im.CrmSettings.get_solo()
    row.crm_url, row.api_key, row.connection_ok = "https://shop.retailcrm.ru", "k" * 32, True
    row.save()


def test_default_schedules_are_off_every_15_minutes(db):
    rows = {r.kind: r for r in im.JobSchedule.objects.filter(kind__in=["export-stock", "export-prices"])}
    assert set(rows) == {"export-stock", "export-prices"}
    assert all(not r.enabled and r.interval_seconds == 900 for r in rows.values())


@pytest.mark.parametrize("action, kind, options", [
    ("run_export_stock", "export-stock", {}),
    ("export_all_stock", "export-stock", {"full": True}),
    ("run_export_prices", "export-prices", {}),
    ("export_all_prices", "export-prices", {"full": True}),
])
def test_settings_page_buttons_queue_the_exports(admin_client, connected, action, kind, options):
    url = reverse("admin:integration_crmsettings_actions", args=[im.CrmSettings.get_solo().pk, action])
    response = admin_client.post(url, follow=True)
    assert response.status_code == 200
    run = im.JobRun.objects.get(kind=kind)
    assert run.options == options and run.trigger == "button"


@pytest.mark.parametrize("model, action, kind", [
    ("stockbalance", "run_export_stock", "export-stock"),
    ("price", "run_export_prices", "export-prices"),
])
def test_catalog_pages_have_export_buttons(admin_client, connected, model, action, kind):
    changelist = admin_client.get(reverse(f"admin:catalog_{model}_changelist"))
    assert action in changelist.content.decode()
    admin_client.post(reverse(f"admin:catalog_{model}_actions", args=[action]), follow=True)
    assert im.JobRun.objects.filter(kind=kind).exists()

