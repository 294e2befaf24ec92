"""Findings 6, 8, 13: the public webhook address under abuse.

Refused strangers are counted and sampled, not stored one full row each; HTTP Basic needs a
real password; a body nested too deep is a malformed body (400), not a crash.
"""

import base64
import json
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from integration.exchange.messages import render
from integration.models import CrmSettings, JobRun, RejectedWebhookWindow, WebhookRequest
from integration.retailcrm import webhook_rejections
from tests.security.conftest import form_errors, post_settings, upload_settings_file

pytestmark = pytest.mark.django_db

TOKEN = "whk-token-7f3a9c1e5b2d4f6a8c0e"
USER = "crm-trigger"
GOOD_PASSWORD = "whk-pass-Q9v2Lm8Zr4"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def crm_settings(db):
    row = CrmSettings.get_solo()
    row.webhook_token, row.webhook_basic_user, row.webhook_basic_password = TOKEN, USER, GOOD_PASSWORD
    row.connection_ok = True
    row.save()
    return row


def basic(user, password) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def to_token(client, body, token=TOKEN, content_type=FORM):
    return client.generic("POST", reverse("retailcrm-webhook", kwargs={"token": token}), body, content_type=content_type)


def to_basic(client, body, user, password):
    return client.generic("POST", reverse("retailcrm-webhook-basic"), body, content_type=FORM,
                          HTTP_AUTHORIZATION=basic(user, password))


# --- finding 6: bounded storage of refused strangers -----------------------------------------

def test_a_thousand_unauthenticated_calls_are_counted_not_stored_in_full(client, crm_settings):
    body = "id=1&" + "x" * 5000
    with time_machine.travel(timezone.now(), tick=False):
        for n in range(1000):
            response = to_token(client, body, token=f"guess-{n:04d}-{'z' * 20}") if n % 2 else client.get(
                reverse("retailcrm-webhook", kwargs={"token": f"guess-{n}"}))
            assert response.status_code in (401, 405)
    assert WebhookRequest.objects.count() == webhook_rejections.FULL_ROWS_PER_WINDOW
    assert all(len(row.body_excerpt) <= webhook_rejections.EXCERPT_CHARS for row in WebhookRequest.objects.all())
    window = RejectedWebhookWindow.objects.get()
    assert (window.calls, window.stored) == (1000, webhook_rejections.FULL_ROWS_PER_WINDOW)
    assert window.last_remote_addr == "127.0.0.1"
    assert not JobRun.objects.exists()


def test_authenticated_calls_are_all_kept_even_when_strangers_flood(client, crm_settings):
    with time_machine.travel(timezone.now(), tick=False):
        for n in range(50):
            to_token(client, "id=1", token="wrong-" + "w" * 20)
        for n in range(30):
            assert to_token(client, f"id=x{n}").status_code == 400  # the CRM's own malformed calls
    assert WebhookRequest.objects.filter(http_status=400).count() == 30
    assert WebhookRequest.objects.filter(http_status=401).count() == webhook_rejections.FULL_ROWS_PER_WINDOW
    assert RejectedWebhookWindow.objects.get().calls == 50


def test_a_new_window_samples_again_and_old_samples_expire(client, crm_settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for n in range(25):
            to_token(client, "id=1", token="wrong-" + "w" * 20)
        assert to_token(client, "id=x").status_code == 400  # authenticated: kept whatever its age
    with time_machine.travel(start + webhook_rejections.WINDOW, tick=False):
        to_token(client, "id=1", token="wrong-" + "w" * 20)
    assert WebhookRequest.objects.filter(http_status=401).count() == webhook_rejections.FULL_ROWS_PER_WINDOW + 1
    with time_machine.travel(start + webhook_rejections.RETENTION + 2 * webhook_rejections.WINDOW, tick=False):
        to_token(client, "id=1", token="wrong-" + "w" * 20)
    assert WebhookRequest.objects.filter(http_status=401).count() == 1
    assert WebhookRequest.objects.filter(http_status=400).count() == 1
    assert RejectedWebhookWindow.objects.count() == 1


def test_the_admin_lists_the_counts(admin_client, crm_settings):
    with time_machine.travel(timezone.now(), tick=False):
        for n in range(3):
            to_token(admin_client, "id=1", token="wrong-" + "w" * 20)
    page = admin_client.get(reverse("admin:integration_rejectedwebhookwindow_changelist"))
    assert page.status_code == 200 and "127.0.0.1" in page.content.decode()


# --- finding 8: HTTP Basic needs a password of reasonable length ---------------------------

@pytest.mark.parametrize("stored", ["", "short-pass", "x" * 15])
def test_an_empty_or_short_stored_password_never_authenticates(client, crm_settings, stored):
    CrmSettings.objects.update(webhook_basic_password=stored)  # as an old row would have it
    response = to_basic(client, "id=5", USER, stored)
    assert response.status_code == 401
    assert not JobRun.objects.exists()


def test_a_short_stored_token_never_authenticates(client, crm_settings):
    CrmSettings.objects.update(webhook_token="abc")
    assert to_token(client, "id=5", token="abc").status_code == 401
    assert not JobRun.objects.exists()


def test_a_long_enough_password_authenticates(client, crm_settings):
    assert to_basic(client, "id=5", USER, GOOD_PASSWORD).status_code == 200


def test_the_form_refuses_a_short_password_and_a_user_without_one(admin_client, crm_settings):
    errors = form_errors(post_settings(admin_client, webhook_basic_password="short"))
    assert "16" in errors["webhook_basic_password"]
    CrmSettings.objects.update(webhook_basic_user="", webhook_basic_password="")
    errors = form_errors(post_settings(admin_client, webhook_basic_user="someone"))
    assert "webhook_basic_password" in errors
    assert CrmSettings.get_solo().webhook_basic_user == ""
    response = post_settings(admin_client, webhook_basic_user="someone", webhook_basic_password="p" * 16)
    assert response.status_code == 302
    assert CrmSettings.get_solo().webhook_basic_password == "p" * 16


@pytest.mark.parametrize("name, value", [("webhook_basic_password", "x"), ("webhook_token", "1")])
def test_the_settings_file_refuses_short_webhook_secrets(admin_client, crm_settings, name, value):
    from integration.retailcrm.settings_file import export_settings

    data = export_settings(include_secrets=True)
    data["settings"][name] = value
    response = upload_settings_file(admin_client, json.dumps(data).encode())
    errors = dict(response.context["file_errors"])
    assert "16" in errors[f"settings.{name}"]
    assert getattr(CrmSettings.get_solo(), name) == getattr(crm_settings, name)


# --- finding 13: deep nesting is a malformed body -------------------------------------------

@pytest.mark.parametrize("body", ["[" * 30_000 + "]" * 30_000, '{"id": ' + "[" * 25_000 + "]" * 25_000 + "}",
                                  '{"order": ' * 3_000 + "1" + "}" * 3_000])
def test_deeply_nested_json_is_400(client, crm_settings, body):
    response = to_token(client, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"success": False, "error": render(WebhookRequest.objects.get().error)}
    assert not JobRun.objects.exists()
