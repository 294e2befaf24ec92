"""Finding 1: a catalog file name stays inside the catalog folder, for reading and for writing."""

import json

import pytest
from django.urls import reverse

from catalog.demo import seed_demo_catalog
from integration import models as im
from integration.exchange.jobs import run_inline
from integration.exchange.messages import render
from tests.security.conftest import form_errors, post_settings, upload_settings_file

pytestmark = pytest.mark.django_db

OUTSIDE = ["../db.sqlite3", "/etc/passwd", "../../db.sqlite3", "sub/../../db.sqlite3", "~/x.xml", "a\x00.xml"]


@pytest.fixture
def private_file(icml_dir):
    """Stands for var/db.sqlite3: a file next to the catalog folder."""
    icml_dir.mkdir(parents=True)
    secret = icml_dir.parent / "db.sqlite3"
    secret.write_bytes(b"SQLite format 3\x00 api key and sessions")
    return secret


def feed(client, shop="main-shop"):
    token = im.CrmSettings.get_solo().feed_token
    return client.get(reverse("icml-feed", kwargs={"token": token, "shop": shop}))


def served(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def store_directly(**values):
    """As an old row or a database edit would: no form, no validator."""
    im.CrmSettings.get_solo()
    im.CrmSettings.objects.update(site_code="main-shop", **values)


@pytest.mark.parametrize("name", ["../db.sqlite3", "/etc/passwd", "../../../../../../etc/passwd", "x/../../db.sqlite3"])
def test_the_feed_never_serves_a_file_outside_the_catalog_folder(client, private_file, name):
    store_directly(catalog_path=name)
    response = feed(client)
    assert response.status_code == 404
    body = served(response)
    assert b"SQLite" not in body and b"root:" not in body


def test_the_feed_refuses_a_symlink_that_leaves_the_folder(client, private_file, icml_dir):
    (icml_dir / "catalog_icml.xml").symlink_to(private_file)
    store_directly(catalog_path="catalog_icml.xml")
    response = feed(client)
    assert response.status_code == 404 and b"SQLite" not in served(response)


def test_a_per_shop_file_name_is_confined_too(client, private_file):
    seed_demo_catalog()
    store_directly(multiple_organizations=True)
    site = im.CrmSite.objects.create(code="main-shop", name="Main")
    from catalog.models import Organization

    im.ShopOrganization.objects.create(crm_site=site, organization=Organization.objects.first(),
                                       catalog_path="../db.sqlite3")
    response = feed(client)
    assert response.status_code == 404 and b"SQLite" not in served(response)
    run = run_inline("generate-catalog")
    assert run.status == "failed" and "../db.sqlite3" in render(run.error)
    assert private_file.read_bytes().startswith(b"SQLite format 3")


def test_generate_catalog_refuses_to_write_outside(private_file, icml_dir):
    seed_demo_catalog()
    store_directly(catalog_path="../db.sqlite3")
    run = run_inline("generate-catalog")
    assert run.status == "failed"
    assert "not allowed" in render(run.error)
    assert private_file.read_bytes().startswith(b"SQLite format 3")  # not replaced by a catalog
    assert not list(icml_dir.parent.glob(".db.sqlite3.*"))  # no temp file left beside it either


def test_a_generated_catalog_in_a_subfolder_is_served(client, icml_dir):
    seed_demo_catalog()
    store_directly(catalog_path="feeds/main.xml")
    run = run_inline("generate-catalog")
    assert run.status in ("succeeded", "warnings"), render(run.error)
    response = feed(client)
    assert response.status_code == 200
    assert served(response) == (icml_dir / "feeds" / "main.xml").read_bytes()


@pytest.mark.parametrize("name", OUTSIDE)
def test_the_settings_form_refuses_names_outside_the_folder(admin_client, name):
    errors = form_errors(post_settings(admin_client, catalog_path=name))
    assert "catalog_path" in errors and "not allowed" in errors["catalog_path"]
    assert im.CrmSettings.get_solo().catalog_path == "catalog_icml.xml"


def test_the_shop_form_refuses_names_outside_the_folder(admin_client):
    seed_demo_catalog()
    from catalog.models import Organization

    site = im.CrmSite.objects.create(code="main-shop", name="Main")
    response = admin_client.post(reverse("admin:integration_shoporganization_add"), {
        "crm_site": site.pk, "organization": Organization.objects.first().pk, "catalog_path": "/etc/passwd",
        "default_delivery_method": "pickup", "export_stock": "on", "export_prices": "on", "export_catalog": "on",
        "vat_included": "on",
    })
    assert response.status_code == 200
    assert "catalog_path" in response.context["adminform"].form.errors
    assert not im.ShopOrganization.objects.exists()


@pytest.mark.parametrize("name", ["../db.sqlite3", "/etc/passwd"])
def test_the_settings_file_refuses_names_outside_the_folder(admin_client, name):
    from integration.retailcrm.settings_file import export_settings

    data = export_settings()
    data["settings"]["catalog_path"] = name
    response = upload_settings_file(admin_client, json.dumps(data).encode())
    assert response.status_code == 200
    errors = dict(response.context["file_errors"])
    assert "not allowed" in errors["settings.catalog_path"]
    assert im.CrmSettings.get_solo().catalog_path == "catalog_icml.xml"
