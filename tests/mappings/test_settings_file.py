"""A4: save → wipe → restore gives identical settings and mappings; a bad file changes nothing."""

import copy
import json

import pytest

from integration import models as im
from integration.retailcrm.settings_file import SettingsFileError, export_settings, import_settings
from tests.world import make_world


def _comparable(data):
    data = copy.deepcopy(data)
    data.pop("exported_at")
    return data


@pytest.fixture
def world(db):
    world = make_world()
    row = im.CrmSettings.get_solo()
    row.api_key, row.site_code, row.history_since_id = "KEY-abcdef-123456", "main-shop", 12345
    row.default_warehouse = world["warehouse"]
    row.save()
    row.catalog_groups.set([world["dairy"]])
    shop = im.ShopOrganization.objects.get()
    shop.warehouses.set([world["warehouse"]])
    return world


def test_it_round_trips_settings_and_mappings(world):
    saved = json.loads(json.dumps(export_settings()))
    assert "api_key" not in saved["settings"] and "webhook_token" not in saved["settings"]
    for model in (im.StatusImportMapping, im.StatusExportMapping, im.ManagerMapping, im.WarehouseMapping,
                  im.PriceTypeMapping, im.PaymentTypeMapping, im.DeliveryTypeMapping, im.ShopOrganization, im.JobSchedule):
        model.objects.all().delete()
    for model in (im.CrmStatus, im.CrmStore, im.CrmPriceType, im.CrmPaymentType, im.CrmDeliveryType, im.CrmSite, im.CrmUser):
        model.objects.all().delete()
    im.CrmSettings.objects.all().delete()

    counts = import_settings(saved)
    assert counts["status_import"] == 1 and counts["shop_organizations"] == 1
    assert _comparable(export_settings()) == _comparable(saved)
    assert im.CrmSettings.get_solo().catalog_groups.get() == world["dairy"]


def test_secrets_travel_only_when_asked(world):
    with_secrets = export_settings(include_secrets=True)
    assert with_secrets["settings"]["api_key"] == "KEY-abcdef-123456"
    im.CrmSettings.objects.update(api_key="")
    import_settings(json.loads(json.dumps(with_secrets)))
    assert im.CrmSettings.get_solo().api_key == "KEY-abcdef-123456"


@pytest.mark.parametrize(
    "change, path, message",
    [
        (lambda d: d["settings"].update(export_stock="yes"), "settings.export_stock", "true or false"),
        (lambda d: d["settings"].update(colour="red"), "settings.colour", "unknown field"),
        (lambda d: d["settings"].update(history_since_id="12"), "settings.history_since_id", "whole number"),
        (lambda d: d["settings"].update(offer_id_field="sku"), "settings.offer_id_field", "must be one of"),
        (lambda d: d["warehouses"][0].update(warehouse="no-such"), "warehouses[0].warehouse", "does not exist"),
        (lambda d: d.update(version=99), "version", "unsupported version"),
    ],
)
def test_a_bad_file_is_refused_with_a_specific_error_and_changes_nothing(world, change, path, message):
    before = _comparable(export_settings())
    data = json.loads(json.dumps(export_settings()))
    data["settings"]["site_code"] = "changed-shop"  # a valid change that must not be half-applied
    change(data)
    with pytest.raises(SettingsFileError) as excinfo:
        import_settings(data)
    assert message in excinfo.value.errors[path]
    assert _comparable(export_settings()) == before


def test_the_admin_downloads_and_restores_the_file(admin_client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    assert admin_client.get(reverse("admin:integration_crmsettings_file")).status_code == 200
    response = admin_client.post(reverse("admin:integration_crmsettings_export"))
    assert response["Content-Disposition"].startswith("attachment;")
    saved = json.loads(response.content)
    assert "KEY-abcdef-123456" not in response.content.decode()

    broken = copy.deepcopy(saved)
    broken["settings"]["export_stock"] = "yes"
    upload = SimpleUploadedFile("s.json", json.dumps(broken).encode(), content_type="application/json")
    page = admin_client.post(reverse("admin:integration_crmsettings_import"), {"file": upload})
    assert page.status_code == 200
    assert "settings.export_stock" in page.content.decode() and "true or false" in page.content.decode()

    saved["settings"]["site_code"] = "restored-shop"
    upload = SimpleUploadedFile("s.json", json.dumps(saved).encode(), content_type="application/json")
    response = admin_client.post(reverse("admin:integration_crmsettings_import"), {"file": upload})
    assert response.status_code == 302
    assert im.CrmSettings.get_solo().site_code == "restored-shop"

    upload = SimpleUploadedFile("s.json", b"{not json", content_type="application/json")
    page = admin_client.post(reverse("admin:integration_crmsettings_import"), {"file": upload})
    assert "not valid JSON" in page.content.decode()
