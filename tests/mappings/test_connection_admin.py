"""A1: "Check connection" on the settings page names the exact problem, or the shops it sees."""

import socket

import pytest
from django.urls import reverse

from integration.models import CrmSettings, JobRun


def _press_check(admin_client):
    url = reverse("admin:integration_crmsettings_actions", args=[1, "check_connection"])
    response = admin_client.post(url, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


def test_it_reports_versions_and_shops_when_the_key_works(admin_client, crm):
    page = _press_check(admin_client)
    assert "Connection OK" in page and "main-shop" in page
    assert CrmSettings.get_solo().connection_ok
    assert JobRun.objects.get(kind="check-connection").status == JobRun.Status.SUCCEEDED


def test_a_wrong_key_is_named_on_the_settings_page(admin_client, crm):
    CrmSettings.objects.update(api_key="not-the-right-key-0000")
    page = _press_check(admin_client)
    assert "does not accept this API key" in page
    assert "not-the-right-key-0000" not in page
    assert not CrmSettings.get_solo().connection_ok


def test_an_unreachable_host_is_named_on_the_settings_page(admin_client, crm):
    CrmSettings.objects.update(crm_url=f"http://127.0.0.1:{_closed_port()}")
    page = _press_check(admin_client)
    assert "connection refused" in page.lower()
    assert not CrmSettings.get_solo().connection_ok


def test_missing_scopes_are_listed_on_the_settings_page(admin_client, crm):
    CrmSettings.objects.update(api_key="read-only-key")
    page = _press_check(admin_client)
    assert "lacks these permissions" in page
    assert "store_write" in page and "customer_write" in page
    assert not CrmSettings.get_solo().connection_ok


def test_exchange_buttons_are_refused_until_the_check_passes(admin_client, crm):
    CrmSettings.objects.update(connection_ok=False)
    url = reverse("admin:integration_statusimportmapping_actions", args=["run_sync_references"])
    page = admin_client.post(url, follow=True).content.decode()
    assert "is not available until the connection to RetailCRM has been checked" in page
    assert not JobRun.objects.filter(kind="sync-references").exists()


@pytest.mark.django_db
def test_changing_the_address_requires_a_new_check(admin_client, crm):
    assert CrmSettings.get_solo().connection_ok
    url = reverse("admin:integration_crmsettings_change", args=[1])
    form = admin_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update({"crm_url": crm.url + "/other", "api_key": ""})
    refused = admin_client.post(url, data)  # a new address needs the key typed again
    assert refused.status_code == 200 and "enter the API key again" in refused.content.decode()
    data["api_key"] = CrmSettings.get_solo().api_key
    assert admin_client.post(url, data).status_code == 302
    assert not CrmSettings.get_solo().connection_ok
