"""Finding 12: the settings file is validated like the admin forms, and a bad file changes nothing.

Uploaded through the admin's import view, as an operator does: every bad file answers the
settings-file page with a message naming the place in the file, never a 500, and the
database is exactly as before.
"""

import json

import pytest

from integration.models import CrmSettings, JobSchedule, OrderState, StatusImportMapping
from tests.security.conftest import exported_settings, upload_settings_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(admin_client):
    row = CrmSettings.get_solo()
    row.crm_url, row.api_key, row.currency = "https://shop.retailcrm.ru", "stored-api-key-" + "1" * 20, "RUB"
    row.save()
    JobSchedule.objects.update_or_create(kind="import-orders", defaults={"enabled": True, "interval_seconds": 60})
    return exported_settings(admin_client)


def snapshot():
    return (
        list(CrmSettings.objects.values()), list(JobSchedule.objects.order_by("kind").values("kind", "enabled", "interval_seconds")),
        list(OrderState.objects.order_by("code").values()), StatusImportMapping.objects.count(),
    )


def refused(client, content: bytes) -> dict:
    before = snapshot()
    response = upload_settings_file(client, content)
    assert response.status_code == 200, response.status_code
    errors = dict(response.context["file_errors"])
    assert errors
    assert snapshot() == before  # nothing half-applied
    return errors


def with_change(data, section, change) -> bytes:
    data = json.loads(json.dumps(data))
    change(data[section] if section else data)
    return json.dumps(data).encode()


@pytest.mark.parametrize("secret", ["webhook_token", "webhook_basic_password", "feed_token"])
def test_one_character_secrets_are_refused(admin_client, exported, secret):
    errors = refused(admin_client, with_change(exported, "settings", lambda s: s.update({secret: "x"})))
    assert "16" in errors[f"settings.{secret}"]


def test_an_unknown_schedule_kind_is_refused(admin_client, exported):
    content = with_change(exported, None, lambda d: d["schedules"].append({"kind": "mine-bitcoin", "enabled": True,
                                                                          "interval_seconds": 60}))
    errors = refused(admin_client, content)
    path = f"schedules[{len(exported['schedules'])}].kind"
    assert "mine-bitcoin" in errors[path] and "import-orders" in errors[path]


@pytest.mark.parametrize("seconds", [0, 5])
def test_an_interval_below_ten_seconds_is_refused(admin_client, exported, seconds):
    def change(d):
        d["schedules"][0]["interval_seconds"] = seconds
    errors = refused(admin_client, with_change(exported, None, change))
    assert errors["schedules[0].interval_seconds"] == "Run a job at most every 10 seconds."


def test_a_duplicate_row_is_refused_with_its_place(admin_client, exported):
    errors = refused(admin_client, with_change(exported, None, lambda d: d["schedules"].append(dict(d["schedules"][0]))))
    assert f"schedules[{len(exported['schedules'])}].kind" in errors


def test_a_webhook_user_without_password_is_refused(admin_client, exported):
    def change(s):
        s.update({"webhook_basic_user": "crm", "webhook_basic_password": ""})
    errors = refused(admin_client, with_change(exported, "settings", change))
    assert "webhook_basic_password" in " ".join(errors)


@pytest.mark.parametrize("content", [
    b"not json at all", b"\xff\xfe\x00garbage", b"[" * 50_000 + b"]" * 50_000, b"[]", b"42", b'"text"',
])
def test_files_that_are_not_a_settings_object_are_refused(admin_client, exported, content):
    assert "$" in refused(admin_client, content)


@pytest.mark.parametrize("section, change, path", [
    (None, lambda d: d.update(order_states=5), "order_states"),
    (None, lambda d: d.update(settings=[1, 2]), "settings"),
    (None, lambda d: d.update(schedules={"kind": "x"}), "schedules"),
    (None, lambda d: d.update(exported_at={"nested": [1]}), "exported_at"),
    (None, lambda d: d.update(order_states=[{"name": "no code"}]), "order_states[0].code"),
    (None, lambda d: d.update(order_states=[{"code": ["a"], "name": "x"}]), "order_states[0].code"),
    (None, lambda d: d.update(status_import=[{}]), "status_import[0].crm_status"),
    (None, lambda d: d.update(status_import=[{"crm_status": {"key": {"deep": [1]}, "name": "x"}}]),
     "status_import[0].crm_status"),
    (None, lambda d: d.update(status_import=[{"crm_status": {"key": "new", "name": "x" * 500}}]),
     "status_import[0].crm_status.name"),
    ("settings", lambda s: s.update(default_organization={"a": 1}), "settings.default_organization"),
    ("settings", lambda s: s.update(catalog_groups=[{"x": 1}]), "settings.catalog_groups[0]"),
    ("settings", lambda s: s.update(payment_deferral_days=10**30), "settings.payment_deferral_days"),
    ("settings", lambda s: s.update(currency="R\x00B"), "settings.currency"),
    ("settings", lambda s: s.update(api_key=["list"]), "settings.api_key"),
])
def test_malformed_sections_are_refused_naming_the_field(admin_client, exported, section, change, path):
    errors = refused(admin_client, with_change(exported, section, change))
    assert path in errors, errors


def test_every_bad_row_is_reported_in_one_upload(admin_client, exported):
    def change(d):
        d["schedules"] = [{"kind": "x-unknown", "enabled": True, "interval_seconds": 60},
                          {"kind": "import-orders", "enabled": True, "interval_seconds": 1}]
    errors = refused(admin_client, with_change(exported, None, change))
    assert {"schedules[0].kind", "schedules[1].interval_seconds"} <= set(errors)


def test_a_good_file_still_restores(admin_client, exported):
    def change(d):
        d["schedules"][0]["interval_seconds"] = 120
    response = upload_settings_file(admin_client, with_change(exported, None, change))
    assert response.status_code == 302
    assert JobSchedule.objects.get(kind=exported["schedules"][0]["kind"]).interval_seconds == 120
