"""The two-way document flow against the sandbox over HTTP: the CRM's state is read back through its API."""

from decimal import Decimal

import pytest
import requests

from catalog.models import StockBalance
from integration import models as im
from integration.exchange.jobs import run_inline
from integration.exchange.messages import render
from tests.exports.conftest import map_exports, register_offers
from tests.sandbox_world import connected_sandbox

STATES = {"new": "pending-approval", "assembling": "to-fulfil", "for-shipment": "for-shipment", "complete": "closed",
          "return": "closed", "partially-returned": "closed"}


@pytest.fixture
def crm(db):
    with connected_sandbox() as server:
        map_exports()
        register_offers(server)
        for code, state in STATES.items():
            im.StatusImportMapping.objects.update_or_create(
                crm_status=im.CrmStatus.objects.get(code=code),
                defaults={"local_state": im.OrderState.objects.get(code=state)})
        yield server


def switch(**modes):
    im.CrmSettings.objects.update(**modes)


def crm_create(crm, items, **fields) -> int:
    body = {"site": "main-shop", "status": "new", "firstName": "Olga", "lastName": "Return", "phone": "+79005550101",
            "shipmentStore": "main", "items": [{"offer": {"externalId": key}, "quantity": qty} for key, qty in items],
            **fields}
    response = requests.post(f"{crm.url}/sandbox/orders", json=body, timeout=5)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def crm_edit(crm, crm_id, **fields) -> dict:
    response = requests.post(f"{crm.url}/sandbox/orders/{crm_id}/edit", json=fields, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()["order"]


def crm_order(crm, crm_id) -> dict:
    """The order as the CRM's API answers it (GET /api/v5/orders/{id})."""
    response = requests.get(f"{crm.url}/api/v5/orders/{crm_id}", params={"by": "id"},
                            headers={"X-API-KEY": crm.api_key}, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()["order"]


def items_of(data) -> list[dict]:
    return sorted(data["items"], key=lambda item: item["id"])


def payments_of(data) -> list[dict]:
    payments = data.get("payments") or {}
    return list(payments.values()) if isinstance(payments, dict) else payments


def import_order(crm_id) -> im.JobRun:
    run = run_inline("import-order", options={"id": crm_id})
    assert run.status in (im.JobRun.Status.SUCCEEDED, im.JobRun.Status.WARNINGS), (render(run.error), run.messages)
    return run


def stock(key: str, warehouse: str = "main") -> Decimal:
    code, _sep, variant = key.partition("#")
    rows = StockBalance.objects.filter(product__code=code, warehouse__code=warehouse)
    rows = rows.filter(characteristic__name=variant) if variant else rows.filter(characteristic=None)
    row = rows.first()
    return row.quantity if row else Decimal(0)


@pytest.fixture
def post_and_export(admin_user, django_capture_on_commit_callbacks, run_queued_jobs):
    """Post as the operator would (the export is queued after commit) and run what was queued."""
    from integration.retailcrm.orders.outbox import post_document

    def post(document, user=None):
        with django_capture_on_commit_callbacks(execute=True):
            post_document(document, user=user or admin_user)
        run_queued_jobs()

    return post
