"""Two CRM shops of the sandbox, "multiple organizations" on: each shop its organization, warehouses, groups."""

from dataclasses import dataclass

import pytest
import requests

from catalog.models import Organization, ProductGroup, Warehouse
from integration import models as im
from tests.exports.conftest import map_exports, register_offers
from tests.sandbox_world import connected_sandbox, order_state


@dataclass
class Shops:
    server: object
    main: im.ShopOrganization
    second: im.ShopOrganization


def b8_row(code: str, organization, *, group: str, warehouse: str, **values) -> im.ShopOrganization:
    row = im.ShopOrganization.objects.create(
        crm_site=im.CrmSite.objects.get(code=code), organization=organization,
        default_warehouse=Warehouse.objects.get(code=warehouse), **values)
    row.catalog_groups.set([ProductGroup.objects.get(name=group)])
    row.warehouses.set([Warehouse.objects.get(code=warehouse)])
    return row


@pytest.fixture
def shops(db, settings, tmp_path):
    settings.ICML_DIR = tmp_path
    with connected_sandbox() as server:
        map_exports()
        register_offers(server)
        im.StatusImportMapping.objects.create(crm_status=im.CrmStatus.objects.get(code="new"),
                                              local_state=order_state("pending-approval"))
        row = im.CrmSettings.get_solo()
        row.multiple_organizations = True
        row.default_organization = Organization.objects.get()
        row.default_warehouse = Warehouse.objects.get(code="main")
        row.save()
        first = Organization.objects.create(name="Food LLC", currency="RUB")
        second = Organization.objects.create(name="Clothes LLC", currency="KZT",
                                             taxation=Organization.Taxation.ENVD)
        yield Shops(
            server,
            b8_row("main-shop", first, group="Food", warehouse="main"),
            b8_row("second-shop", second, group="Clothes", warehouse="north", priority="urgent", terminal="T-2",
                   default_delivery_method=im.DeliveryMethod.COURIER),
        )


def crm_order(server, site: str, **fields) -> int:
    """An order placed in the sandbox's shop ``site``; returns its CRM id."""
    body = {
        "site": site, "status": "new", "firstName": "Anna", "lastName": "Smirnova", "phone": "+79005550101",
        "items": [{"offer": {"externalId": "DEMO-0001"}, "quantity": 1}], **fields,
    }
    response = requests.post(f"{server.url}/sandbox/orders", json=body, timeout=5)
    assert response.status_code == 201, response.text
    return response.json()["id"]
