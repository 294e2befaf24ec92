"""The settings admin is one instance shared by every request: one user's page never takes another's state.

It used to keep "may this user see the feed secret" on the instance, so under a threaded server a
read-only user's page rendered between an administrator's form building and rendering showed
the secret.
"""

import threading

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse

from integration import models as im
from tests.admin_security.test_feed_secret import feed_everywhere  # noqa: F401  (fixture)


def _request(user):
    request = RequestFactory().get(reverse("admin:integration_crmsettings_change"))
    request.user = user
    return request


@pytest.mark.django_db
def test_an_admins_request_between_a_viewers_form_and_its_fields_does_not_show_the_secret(
        feed_everywhere, viewer, admin_user):  # noqa: F811
    model_admin = admin.site._registry[im.CrmSettings]
    viewers_request, admins_request = _request(viewer.user), _request(admin_user)
    # the order a threaded server may run two requests in: both build their form, then both render
    viewers_obj = model_admin.get_object(viewers_request, "1")
    model_admin.get_form(viewers_request, viewers_obj)
    admins_obj = model_admin.get_object(admins_request, "1")
    model_admin.get_form(admins_request, admins_obj)
    assert feed_everywhere not in str(model_admin.catalog_feed(viewers_obj))
    assert feed_everywhere in str(model_admin.catalog_feed(admins_obj))
    # and the other way round: the viewer building its form last does not hide the admin's address
    model_admin.get_form(viewers_request, viewers_obj)
    assert feed_everywhere in str(model_admin.catalog_feed(admins_obj))
    assert feed_everywhere not in str(model_admin.catalog_feed(viewers_obj))


@pytest.mark.django_db(transaction=True)
def test_pages_rendered_at_once_for_an_admin_and_a_viewer_never_give_the_viewer_the_secret(
        feed_everywhere, viewer, admin_user):  # noqa: F811
    url = reverse("admin:integration_crmsettings_change")
    admins = Client()
    admins.force_login(admin_user)
    start, results, failures = threading.Barrier(2), {"admin": [], "viewer": []}, []

    def render(name, client):
        try:
            start.wait()
            for _ in range(8):
                results[name].append(client.get(url).content.decode())
        except Exception as exc:  # noqa: BLE001  reported by the assertion below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=render, args=("admin", admins)),
               threading.Thread(target=render, args=("viewer", viewer))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert len(results["viewer"]) == len(results["admin"]) == 8
    assert all(feed_everywhere in page for page in results["admin"])
    assert not any(feed_everywhere in page for page in results["viewer"])
