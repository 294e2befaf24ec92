"""Exports carry natural keys and re-import into an emptied catalog unchanged; who may do what."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from catalog.demo import seed_demo_catalog
from catalog.models import Characteristic, Price, Product, ProductGroup, StockBalance
from tests.catalog_io.conftest import export_file, import_file, to_bytes, upload
from tests.catalog_io.files import PRICES

pytestmark = pytest.mark.django_db

MODELS = ["productgroup", "product", "characteristic", "price", "stockbalance"]


def _rows(dataset) -> list[tuple]:
    return sorted(tuple("" if value is None else str(value) for value in row) for row in dataset)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_into_an_emptied_catalog_gives_identical_rows(admin_client, fmt):
    seed_demo_catalog(products_per_group=3)
    exported = {model: export_file(admin_client, model, fmt) for model in MODELS}
    assert "id" not in exported["price"].headers and exported["price"][0][0].startswith("DEMO-")

    for model in (Price, StockBalance, Characteristic, Product):
        model.objects.all().delete()
    for group in ProductGroup.objects.order_by("-path"):
        group.delete()
    for model in MODELS:
        data = exported[model].export(fmt)
        import_file(admin_client, model, data.encode() if isinstance(data, str) else data, fmt)

    for model in MODELS:
        assert _rows(export_file(admin_client, model, fmt)) == _rows(exported[model]), model
    assert StockBalance.objects.count() == len(exported["stockbalance"]) > 0


def test_group_export_lists_parents_first_whatever_the_changelist_order(admin_client):
    seed_demo_catalog(products_per_group=1)
    dataset = export_file(admin_client, "productgroup", query="?o=-1")  # changelist sorted by name, descending
    seen = set()
    for row in dataset.dict:
        assert not row["parent"] or row["parent"] in seen
        seen.add(row["code"])


def test_exported_numbers_do_not_depend_on_the_interface_language(admin_client, settings):
    seed_demo_catalog(products_per_group=1)
    settings.LANGUAGE_CODE = "ru"
    settings.USE_THOUSAND_SEPARATOR = True
    admin_client.cookies["django_language"] = "ru"
    prices = export_file(admin_client, "price")
    assert prices.dict and all(row["price"].replace(".", "").isdigit() for row in prices.dict)


@pytest.fixture
def clerk(django_user_model, client):
    user = django_user_model.objects.create_user("bob", password="pw-bob-123", is_staff=True)
    client.force_login(user)
    return user


def _grant(user, *codenames):
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="catalog", codename__in=codenames))


def test_a_viewer_may_export_but_not_import(client, clerk, references):
    _grant(clerk, "view_price")

    assert client.get(reverse("admin:catalog_price_export")).status_code == 200
    assert client.get(reverse("admin:catalog_price_import")).status_code == 403
    assert upload(client, "price", to_bytes(PRICES)).status_code == 403
    assert client.post(reverse("admin:catalog_price_process_import"), {}).status_code == 403


def test_import_needs_both_add_and_change(client, clerk, references):
    _grant(clerk, "view_price", "add_price")
    assert client.get(reverse("admin:catalog_price_import")).status_code == 403

    _grant(clerk, "change_price")
    assert client.get(reverse("admin:catalog_price_import")).status_code == 200


def test_without_view_permission_there_is_no_export(client, clerk):
    _grant(clerk, "add_product")
    assert client.get(reverse("admin:catalog_product_export")).status_code == 403


def test_changelists_show_import_and_export_buttons(admin_client):
    for model in MODELS:
        page = admin_client.get(reverse(f"admin:catalog_{model}_changelist")).content.decode()
        assert reverse(f"admin:catalog_{model}_import") in page and reverse(f"admin:catalog_{model}_export") in page


def test_reimporting_an_export_is_all_skipped(admin_client):
    seed_demo_catalog(products_per_group=2)
    for model in MODELS:
        dataset = export_file(admin_client, model)
        result = import_file(admin_client, model, dataset.export("csv").encode())
        assert result.totals["skip"] == len(dataset), model
