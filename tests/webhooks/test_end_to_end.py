"""E7 end to end: the seed 001 trigger posts, the worker imports the order from the sandbox CRM."""

import pytest
import requests

from integration import models as im
from integration.exchange.messages import render
from integration.models import JobRun, WebhookRequest
from tests.sandbox_world import connected_sandbox
from tests.webhooks.conftest import SOAP_TYPE, TOKEN, soap_envelope, token_url


@pytest.fixture
def crm(db):
    """The demo sandbox with the demo catalog, references loaded, and "new" orders mapped for import."""
    with connected_sandbox() as server:
        im.CrmSettings.objects.update(webhook_token=TOKEN)
        im.StatusImportMapping.objects.update_or_create(
            crm_status=im.CrmStatus.objects.get(code="new"),
            defaults={"local_state": im.OrderState.objects.get(code="pending-approval")},
        )
        yield server


def test_a_trigger_call_imports_the_order(client, crm, run_queued_jobs, django_capture_on_commit_callbacks):
    created = requests.post(f"{crm.url}/sandbox/orders", timeout=5, json={
        "site": "main-shop", "status": "new", "firstName": "Ivan", "lastName": "Petrov", "phone": "+79001234567",
        "items": [{"offer": {"externalId": "DEMO-0001"}, "quantity": 2}],
    })
    assert created.status_code == 201, created.text
    crm_id = created.json()["id"]

    # A plain (rolled-back) test keeps the order states the migrations seed; the view's
    # on_commit enqueue is run by hand, as the commit would in production.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.generic("POST", token_url(), soap_envelope(crm_id), content_type=SOAP_TYPE)
    assert response.status_code == 200
    row = WebhookRequest.objects.get()
    assert row.status == WebhookRequest.Status.ENQUEUED and row.run is not None

    run_queued_jobs()

    run = JobRun.objects.get(kind="import-order")
    assert row.run_id == run.pk
    assert run.status not in (JobRun.Status.QUEUED, JobRun.Status.RUNNING)
    assert run.status == JobRun.Status.SUCCEEDED, (render(run.error), run.messages)
    assert im.Order.objects.get(crm_id=crm_id).customer.last_name == "Petrov"
