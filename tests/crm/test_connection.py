"""A1 "Check connection" and building the client from the admin settings."""

import pytest

from integration.retailcrm.client import CrmNotConfigured, RedisRateLimiter
from integration.retailcrm.client.connection import REQUIRED_SCOPES, check_connection
from integration.exchange.http.ratelimit import key_fingerprint
from integration.exchange.messages import render

from .conftest import API_KEY, LIMITED_KEY, LIMITED_SCOPES, make_client


def test_a_good_key_passes_and_lists_the_shops(sandbox):
    with make_client(sandbox.url) as crm:
        report = check_connection(crm)
    assert report.ok and report.error is None
    assert "5.0" in report.versions and report.missing_scopes == []
    assert report.site_access == "access_full" and report.sites == ["main-shop", "second-shop"]
    assert render(report.message) == (f"Connected to RetailCRM at {sandbox.url}/ (API v5). "
                              "Shops visible to the key: main-shop, second-shop.")


def test_it_names_missing_scopes_and_an_invisible_shop(sandbox):
    with make_client(sandbox.url, LIMITED_KEY, site=None) as crm:
        report = check_connection(crm, site="main-shop")
    assert not report.ok
    assert report.scopes == LIMITED_SCOPES
    assert report.missing_scopes == [s for s in REQUIRED_SCOPES if s not in LIMITED_SCOPES]
    assert report.site_access == "access_selective" and report.sites == ["second-shop"]
    assert "order_write (create and edit orders and payments)" in render(report.message)
    assert 'The shop “main-shop” is not visible to this API key (visible shops: second-shop).' in render(report.message)


def test_it_checks_only_the_scopes_asked_for(sandbox):
    with make_client(sandbox.url, LIMITED_KEY, site="second-shop") as crm:
        assert check_connection(crm, required_scopes=["order_read"]).ok


def test_a_wrong_key_gets_a_specific_message(sandbox):
    with make_client(sandbox.url, "not-the-right-key-123") as crm:
        report = check_connection(crm)
    assert not report.ok and report.error.status == 403
    assert render(report.message) == (f"RetailCRM at {sandbox.url}/ does not accept this API key. "
                              "Check the key entered in the RetailCRM settings.")


def test_an_unreachable_host_gets_a_specific_message_quickly(closed_port):
    with make_client(f"http://127.0.0.1:{closed_port}", max_retries=5, backoff=0.5) as crm:
        report = check_connection(crm)
        assert crm.stats.requests == 2  # an interactive check does not sit through the full retry schedule
    assert not report.ok
    assert render(report.message) == f"Cannot connect to http://127.0.0.1:{closed_port}/: connection refused (tried 2 times)"


def test_a_garbled_answer_gets_a_specific_message(sandbox):
    sandbox.set_faults(malformed_rate=1.0)
    with make_client(sandbox.url) as crm:
        report = check_connection(crm)
    assert not report.ok
    assert render(report.message).startswith(f"{sandbox.url}/ answered, but not like RetailCRM. Check the address.")
    assert API_KEY not in render(report.message)


@pytest.mark.django_db
def test_the_factory_builds_a_shared_rate_limited_client_from_the_settings(sandbox, redis_connection, settings):
    from integration.retailcrm.client.factory import client_from_settings
    from integration.models import CrmSettings

    settings.RETAILCRM_RATE_LIMIT_RPS = 7
    settings.RETAILCRM_TIMEOUT = 12
    crm_settings = CrmSettings.get_solo()
    crm_settings.crm_url, crm_settings.api_key, crm_settings.site_code = sandbox.url, API_KEY, "second-shop"
    crm_settings.save()

    with client_from_settings() as crm:
        assert crm.base_url == sandbox.url and crm.site == "second-shop" and crm.timeout == (5.0, 12.0)
        assert isinstance(crm.rate_limiter, RedisRateLimiter) and crm.rate_limiter.rate == 7
        assert check_connection(crm).ok
    assert redis_connection.exists("retailcrm:ratelimit:" + key_fingerprint(API_KEY))


@pytest.mark.django_db
def test_the_factory_refuses_until_address_and_key_are_set():
    from integration.retailcrm.client.factory import client_from_settings
    from integration.models import CrmSettings

    with pytest.raises(CrmNotConfigured, match="enter the CRM address and the API key"):
        client_from_settings(CrmSettings.get_solo())
