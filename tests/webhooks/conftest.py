import base64

import django_rq
import pytest
from django.conf import settings
from django.urls import reverse

from integration.models import CrmSettings, JobRun, WebhookRequest

TOKEN = "whk-token-7f3a9c1e5b2d4f6a8c0e"
USER = "crm-trigger"
PASSWORD = "whk-pass-Q9v2Lm8Zr4"

# Seed 001, "Создание триггера", step 3: the body a 1C-style trigger posts ({{order.id}} rendered).
SEED_001_ENVELOPE = """<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"
xmlns:ns1="http://127.0.0.1:8080">
  <SOAP-ENV:Body>
    <ns1:EditOrder>
      <ns1:Order>{order_id}</ns1:Order>
    </ns1:EditOrder>
  </SOAP-ENV:Body>
</SOAP-ENV:Envelope>
"""
SOAP_TYPE = "application/soap+xml; charset=utf-8"


def soap_envelope(order_id) -> str:
    return SEED_001_ENVELOPE.format(order_id=order_id)


def basic_header(user=USER, password=PASSWORD) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def token_url(token=TOKEN) -> str:
    return reverse("retailcrm-webhook", kwargs={"token": token})


def basic_url() -> str:
    return reverse("retailcrm-webhook-basic")


def queued_job_ids() -> list[str]:
    return [job_id for name in settings.RQ_QUEUE_NAMES for job_id in django_rq.get_queue(name).job_ids]


def nothing_enqueued() -> bool:
    return queued_job_ids() == [] and not JobRun.objects.exists()


def only_row() -> WebhookRequest:
    return WebhookRequest.objects.get()


@pytest.fixture
def crm_settings(db):
    """Webhook secrets set and the connection marked as checked, so imports may be queued."""
    row = CrmSettings.get_solo()
    row.webhook_token, row.webhook_basic_user, row.webhook_basic_password = TOKEN, USER, PASSWORD
    row.connection_ok = True
    row.save()
    return row


@pytest.fixture
def post(client, crm_settings):
    """POST to the token URL (or ``url``) with a body and content type."""

    def send(body, content_type, url=None, **headers):
        return client.generic("POST", url or token_url(), body, content_type=content_type, **headers)

    return send
