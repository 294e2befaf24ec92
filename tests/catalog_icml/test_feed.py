"""C3: the latest ICML at a secret, stable address, with conditional GET."""

import os

import pytest
from django.urls import reverse

from integration.retailcrm.feed.targets import catalog_specs
from integration import models as im
from integration.exchange.messages import render

pytestmark = pytest.mark.django_db


def feed_url(shop="main-shop", token=None):
    return reverse("icml-feed", kwargs={"token": token or im.CrmSettings.get_solo().feed_token, "shop": shop})


@pytest.fixture
def shop_settings(demo_catalog):
    demo_catalog.site_code = "main-shop"
    demo_catalog.save()
    return demo_catalog


def test_before_the_first_generation_the_feed_says_so(client, shop_settings):
    response = client.get(feed_url())
    assert response.status_code == 404
    assert "not been generated yet" in response.content.decode()


def test_wrong_token_or_unknown_shop_is_not_found(client, shop_settings, generate):
    generate()
    assert client.get(feed_url(token="x" * 32)).status_code == 404
    response = client.get(feed_url(shop="other-shop"))
    assert response.status_code == 404 and "other-shop" in response.content.decode()


def test_feed_serves_the_file_with_validators(client, shop_settings, generate):
    generate()
    response = client.get(feed_url())
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert b"".join(response.streaming_content) == catalog_specs()[0].path.read_bytes()
    assert response["ETag"] and response["Last-Modified"]

    again = client.get(feed_url(), headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304 and again["ETag"] == response["ETag"]
    since = client.get(feed_url(), headers={"If-Modified-Since": response["Last-Modified"]})
    assert since.status_code == 304
    assert client.head(feed_url()).status_code == 200


def test_a_new_generation_changes_the_etag(client, shop_settings, generate):
    generate()
    first = client.get(feed_url())
    path = catalog_specs()[0].path
    generate()
    os.utime(path, ns=(os.stat(path).st_atime_ns, os.stat(path).st_mtime_ns + 1_000_000_000))
    response = client.get(feed_url(), headers={"If-None-Match": first["ETag"]})
    assert response.status_code == 200 and response["ETag"] != first["ETag"]


def test_settings_page_shows_the_address_and_compares_it_with_the_crm(admin_client, shop_settings, generate):
    page = admin_client.get(reverse("admin:integration_crmsettings_change"))
    assert "unknown shop" in page.content.decode()
    site = im.CrmSite.objects.create(code="main-shop", name="Main shop")
    page = admin_client.get(reverse("admin:integration_crmsettings_change")).content.decode()
    full_url = "http://testserver" + feed_url()
    assert full_url in page and "not set in RetailCRM" in page and "Not generated yet" in page

    site.yml_url = "https://elsewhere.example/feed.xml"
    site.save()
    generate()
    page = admin_client.get(reverse("admin:integration_crmsettings_change")).content.decode()
    assert "differs: RetailCRM loads https://elsewhere.example/feed.xml" in page and "Generated" in page

    site.yml_url = full_url
    site.save()
    assert "matches the address RetailCRM loads" in admin_client.get(reverse("admin:integration_crmsettings_change")).content.decode()


def test_generate_button_queues_the_job(admin_client, shop_settings, run_queued_jobs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:integration_crmsettings_actions", args=[shop_settings.pk, "run_generate_catalog"]))
    assert response.status_code == 302
    run = im.JobRun.objects.get(kind="generate-catalog")
    run_queued_jobs()
    run.refresh_from_db()
    assert run.status == "succeeded" and run.counts["offers"] == 80
    assert catalog_specs()[0].path.exists()


def test_default_schedule_is_off_hourly(db):
    schedule = im.JobSchedule.objects.get(kind="generate-catalog")
    assert (schedule.enabled, schedule.interval_seconds) == (False, 3600)


def test_feed_address_is_masked_wherever_text_is_redacted(shop_settings):
    from integration.exchange.secrets import redact

    token = im.CrmSettings.get_solo().feed_token
    assert token not in redact(f"GET {feed_url()} 200")


def test_each_shop_has_its_own_feed(client, demo_catalog, generate):
    from catalog.models import Organization, ProductGroup

    demo_catalog.multiple_organizations = True
    demo_catalog.save()
    for code, group in (("main-shop", "Food"), ("second-shop", "Services")):
        shop = im.ShopOrganization.objects.create(
            crm_site=im.CrmSite.objects.create(code=code, name=code), organization=Organization.objects.get())
        shop.catalog_groups.set([ProductGroup.objects.get(name=group)])
    generate()
    services = b"".join(client.get(feed_url("second-shop")).streaming_content)
    assert services.count(b"<offer ") == 8 and b'type="service"' in services
    assert b"".join(client.get(feed_url("main-shop")).streaming_content).count(b"<offer ") == 24


def test_exchange_command_generates_one_shop(demo_catalog, capsys):
    from django.core.management import CommandError, call_command

    demo_catalog.site_code = "main-shop"
    demo_catalog.save()
    call_command("exchange", "generate-catalog", "--shop", "main-shop")
    run = im.JobRun.objects.get(kind="generate-catalog")
    assert run.status == "succeeded" and run.scope == "main-shop" and run.counts["offers"] == 80
    with pytest.raises(CommandError, match="No catalog is configured for the shop nowhere"):
        call_command("exchange", "generate-catalog", "--shop", "nowhere")
    failed = im.JobRun.objects.filter(kind="generate-catalog", scope="nowhere").get()
    assert failed.status == "failed" and "nowhere" in render(failed.error)


def test_staff_who_may_only_view_the_settings_never_see_the_feed_secret(client, django_user_model, shop_settings):
    from django.contrib.auth.models import Permission

    row = im.CrmSettings.get_solo()
    row.api_key, row.webhook_basic_password = "key-for-viewers-1234567890", "basic-pass-for-viewers"
    row.save()
    viewer = django_user_model.objects.create_user("viewer", password="pw-viewer-123", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_crmsettings"))
    client.force_login(viewer)
    page = client.get(reverse("admin:integration_crmsettings_change")).content.decode()
    assert "/feeds/icml/" in page
    for secret in (row.feed_token, row.webhook_token, row.api_key, row.webhook_basic_password):
        assert secret not in page
