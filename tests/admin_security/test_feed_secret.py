"""Finding 11: read-only staff never see the catalog feed secret, on any admin page."""

import pytest
from django.contrib import admin
from django.urls import reverse

from integration import models as im
from tests.admin_security.test_action_permissions import _object_of, custom_views, _urls_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def feed_everywhere(world):
    """The token in every place it can be: the CRM shop's catalog URL (differing from ours), the settings page."""
    settings_row = im.CrmSettings.get_solo()
    settings_row.site_code = "main-shop"
    settings_row.save()
    token = settings_row.feed_token
    site = im.CrmSite.objects.get(code="main-shop")
    site.yml_url = f"https://old-office.example/feeds/icml/{token}/main-shop.xml"
    site.save()
    return token


def admin_pages():
    for model, model_admin in admin.site._registry.items():
        if not model._meta.managed:
            continue
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        yield reverse(f"{prefix}_changelist")
        if model._default_manager.exists() or model in (im.CrmSettings,):
            obj = _object_of(model)
            yield reverse(f"{prefix}_change", args=[obj.pk])
            yield reverse(f"{prefix}_history", args=[obj.pk])
    for model, url in custom_views():
        yield from _urls_of(model, url)


def test_no_admin_page_shows_the_feed_secret_to_view_only_staff(feed_everywhere, viewer, admin_client):
    # The whole address is there for those who may change the settings (they paste it into RetailCRM).
    assert feed_everywhere in admin_client.get(reverse("admin:integration_crmsettings_change")).content.decode()
    shown = 0
    for url in admin_pages():
        response = viewer.get(url, follow=True)
        if response.status_code != 200:
            continue
        shown += 1
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert feed_everywhere.encode() not in body, url
    assert shown >= 60
