"""Finding 16: admin logins are throttled (django-axes) per username and client address."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "pw-alice-123"  # tests/conftest.py's admin_user


def login(client, password, username="alice", **extra):
    return client.post(reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"},
                       **extra)


def logged_in(client) -> bool:
    return client.get(reverse("admin:index")).status_code == 200


def test_wrong_passwords_lock_the_username_from_that_address(client, admin_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "wrong").status_code == 200  # the form again, with its error
    locked = login(client, "wrong")
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode() and "15 minutes" in locked.content.decode()
    # now even the right password is refused from here
    assert login(client, PASSWORD).status_code == 429
    assert not logged_in(client)


def test_the_lockout_says_so_in_russian(client, admin_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "wrong")
    page = login(client, PASSWORD, headers={"Accept-Language": "ru"}).content.decode()
    assert "Слишком много неудачных попыток входа" in page


def test_the_same_username_from_another_address_still_logs_in(client, admin_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "wrong")
    assert login(client, PASSWORD, REMOTE_ADDR="127.0.0.2").status_code == 302
    assert logged_in(client)


def test_a_forged_forwarded_header_does_not_escape_the_lock(client, admin_user, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        login(client, "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    assert login(client, PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_client_is_throttled(client, admin_user, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "wrong", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert login(client, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    assert login(client, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 302  # another client


def test_a_successful_login_resets_the_count(client, admin_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "wrong")
    assert login(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "wrong")
    assert login(client, PASSWORD).status_code == 302


def test_logins_without_a_request_are_not_throttled(client, admin_user, settings):
    """The test client's login() (and management commands) authenticate without a request."""
    for _ in range(settings.AXES_FAILURE_LIMIT * 3):
        assert client.login(username="alice", password=PASSWORD)
        client.logout()
