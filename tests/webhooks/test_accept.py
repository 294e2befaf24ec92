"""E7: an authenticated trigger call with an order id queues one import of that order."""

import json

import pytest
from lxml import etree

from integration.exchange.jobs import get_kind
from integration.exchange.jobs.runner import rq_job_id
from integration.exchange.messages import render
from integration.models import JobRun, WebhookRequest
from tests.webhooks.conftest import (
    SOAP_TYPE, USER, basic_header, basic_url, only_row, queued_job_ids, soap_envelope,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _job_id(order_id):
    return rq_job_id(get_kind("import-order"), str(order_id))


def test_it_accepts_the_seed_001_soap_envelope_and_answers_in_soap(post):
    response = post(soap_envelope(1234), SOAP_TYPE)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/soap+xml; charset=utf-8"
    answer = etree.fromstring(response.content)
    ns = {"soap": "http://schemas.xmlsoap.org/soap/envelope/", "m": "http://127.0.0.1:8080"}
    assert answer.xpath("/soap:Envelope/soap:Body/m:EditOrderResponse/m:return/text()", namespaces=ns) == ["true"]

    row = only_row()
    assert (row.status, row.http_status, render(row.error)) == (WebhookRequest.Status.ENQUEUED, 200, "")
    assert (row.body_format, row.order_crm_id, row.remote_addr) == ("soap", 1234, "127.0.0.1")
    assert row.content_type == SOAP_TYPE and "<ns1:Order>1234</ns1:Order>" in row.body_excerpt
    run = JobRun.objects.get()
    assert row.run == run
    assert (run.kind, run.scope, run.trigger, run.options, run.status) == (
        "import-order", "1234", JobRun.Trigger.WEBHOOK, {"id": 1234}, JobRun.Status.QUEUED)
    assert queued_job_ids() == [_job_id(1234)]


def test_it_finds_the_order_under_any_prefix_and_namespace(post):
    body = (
        '<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body>'
        '<EditOrder xmlns="urn:shop"><Order> 77 </Order></EditOrder></e:Body></e:Envelope>'
    )
    response = post(body, "text/xml")
    assert response.status_code == 200 and response["Content-Type"] == "text/xml; charset=utf-8"
    answer = etree.fromstring(response.content)
    assert answer.nsmap["soap"] == "http://www.w3.org/2003/05/soap-envelope"
    assert answer.findtext(".//{urn:shop}return") == "true"
    assert only_row().order_crm_id == 77


def test_it_accepts_a_form_body_like_the_retailcrm_http_action(post):
    response = post("id=555", "application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert response.json() == {"success": True, "order": 555, "status": "enqueued"}
    row = only_row()
    assert (row.body_format, row.order_crm_id, row.status) == ("form", 555, WebhookRequest.Status.ENQUEUED)
    assert queued_job_ids() == [_job_id(555)]


@pytest.mark.parametrize("payload", [{"id": 42}, {"id": "42"}, {"order": {"id": 42}}])
def test_it_accepts_json(post, payload):
    response = post(json.dumps(payload), "application/json")
    assert response.status_code == 200
    assert response.json() == {"success": True, "order": 42, "status": "enqueued"}
    assert only_row().body_format == "json" and queued_job_ids() == [_job_id(42)]


def test_it_guesses_the_format_when_no_content_type_is_sent(post):
    assert post("id=9", "").status_code == 200
    assert post('{"id": 10}', "").status_code == 200
    assert [row.body_format for row in WebhookRequest.objects.order_by("id")] == ["form", "json"]


def test_it_accepts_http_basic_on_the_plain_address(post):
    response = post("id=8", "application/x-www-form-urlencoded", url=basic_url(), HTTP_AUTHORIZATION=basic_header())
    assert response.status_code == 200
    assert only_row().status == WebhookRequest.Status.ENQUEUED and queued_job_ids() == [_job_id(8)]


def test_the_token_address_ignores_an_authorization_header(post):
    """The seed 001 trigger adds ``Authorization: Basic …`` for 1C; with the right token it is irrelevant."""
    response = post(soap_envelope(3), SOAP_TYPE, HTTP_AUTHORIZATION=basic_header(USER, "not-the-password"))
    assert response.status_code == 200


def test_a_second_call_before_the_worker_runs_joins_the_queued_import(post):
    first = post(soap_envelope(1234), SOAP_TYPE)
    second = post("id=1234", "application/x-www-form-urlencoded")

    assert first.status_code == second.status_code == 200
    assert second.json() == {"success": True, "order": 1234, "status": "coalesced"}
    rows = list(WebhookRequest.objects.order_by("id"))
    assert [row.status for row in rows] == [WebhookRequest.Status.ENQUEUED, WebhookRequest.Status.COALESCED]
    run = JobRun.objects.get()
    assert rows[0].run == rows[1].run == run
    assert queued_job_ids() == [_job_id(1234)]


def test_different_orders_get_separate_imports(post):
    for order_id in (1, 2, 3):
        assert post(f"id={order_id}", "application/x-www-form-urlencoded").status_code == 200
    assert sorted(queued_job_ids()) == sorted(_job_id(order_id) for order_id in (1, 2, 3))
    assert sorted(JobRun.objects.values_list("scope", flat=True)) == ["1", "2", "3"]
    assert set(WebhookRequest.objects.values_list("status", flat=True)) == {WebhookRequest.Status.ENQUEUED}


def test_it_answers_503_and_queues_nothing_until_the_connection_is_checked(post, crm_settings):
    crm_settings.connection_ok = False
    crm_settings.save()

    response = post("id=5", "application/x-www-form-urlencoded")

    assert response.status_code == 503
    assert response.json()["success"] is False and "Check connection" in response.json()["error"]
    row = only_row()
    assert (row.status, row.http_status, row.order_crm_id) == (WebhookRequest.Status.FAILED, 503, 5)
    assert "Check connection" in render(row.error) and row.run is None
    assert queued_job_ids() == [] and not JobRun.objects.exists()


def test_an_unexpected_error_keeps_a_failed_row_and_answers_500(post, client, monkeypatch, crm_settings):
    def broken_enqueue(*args, **kwargs):
        raise RuntimeError(f"Redis exploded while holding {crm_settings.webhook_token}")

    monkeypatch.setattr("integration.retailcrm.webhooks.enqueue", broken_enqueue)
    client.raise_request_exception = False

    response = post(soap_envelope(6), SOAP_TYPE)

    assert response.status_code == 500
    row = only_row()
    assert (row.status, row.http_status, row.order_crm_id) == (WebhookRequest.Status.FAILED, 500, 6)
    assert row.error.startswith("RuntimeError: Redis exploded")
    assert crm_settings.webhook_token not in render(row.error)
