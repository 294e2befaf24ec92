"""Every failure becomes a specific, readable, typed error that never shows the API key."""

import logging

import pytest

from integration.retailcrm.client import (
    CrmAccessDenied,
    CrmAuthError,
    CrmError,
    CrmMalformedResponse,
    CrmNetworkError,
    CrmNotFound,
    CrmPartialFailure,
    CrmRateLimited,
    CrmServerError,
    CrmValidationError,
)

from .conftest import API_KEY, LIMITED_KEY, make_client


def test_a_wrong_key_is_an_auth_error(sandbox):
    with make_client(sandbox.url, "wrong-key-0000000000") as crm, pytest.raises(CrmAuthError) as caught:
        crm.statuses()
    assert caught.value.status == 403 and caught.value.error_msg == 'Wrong "apiKey" value.'
    assert "rejected the API key" in str(caught.value)


def test_a_missing_scope_is_access_denied(sandbox):
    with make_client(sandbox.url, LIMITED_KEY) as crm:
        assert crm.statuses()  # reference_read is granted
        with pytest.raises(CrmAccessDenied) as caught:
            crm.order_create({"customer": {"externalId": "C-0001"}}, site="second-shop")
    assert caught.value.status == 403 and caught.value.path == "/api/v5/orders/create"
    assert "may not call POST /api/v5/orders/create" in str(caught.value)


def test_an_unknown_entity_is_not_found(client):
    with pytest.raises(CrmNotFound) as caught:
        client.customer(424242)
    assert caught.value.status == 404
    assert str(caught.value) == f"GET /api/v5/customers/424242 at {client.base_url}/: not found (Not found)"


def test_a_rejected_entity_is_a_validation_error_with_the_field_map(client):
    with pytest.raises(CrmValidationError) as caught:
        client.order_create({"externalId": "ERP-BAD", "customer": {}})
    error = caught.value
    assert error.status == 400 and error.error_msg == "Errors in the entity format"
    assert error.errors == {"customer": "Set one of the following fields: id, externalId"}
    assert "customer: Set one of the following fields" in str(error)


def test_a_partial_batch_keeps_the_payload(client):
    good = {"externalId": "UP-1", "firstName": "A"}
    bad = {"externalId": "UP-2", "email": "not an email"}
    with pytest.raises(CrmPartialFailure) as caught:
        client.post("/customers/upload", {"customers": [good, bad], "site": "main-shop"})
    error = caught.value
    assert error.status == 460
    assert [c["externalId"] for c in error.payload["uploadedCustomers"]] == ["UP-1"]
    assert error.payload["failedCustomers"] == [{"externalId": "UP-2"}]
    assert isinstance(error.errors, list) and "customers[1].email" in error.error_list[0]


def test_503_is_retried_then_reported_as_rate_limited(sandbox, client):
    sandbox.set_faults(error_rate=1.0, status=503)
    with pytest.raises(CrmRateLimited) as caught:
        client.statuses()
    assert client.stats.requests == 4 and client.stats.retries == 3 and client.stats.by_status == {503: 4}
    assert "after 4 attempts" in str(caught.value)
    # a POST is repeated on 503 too: the server refused it before doing anything
    with pytest.raises(CrmRateLimited):
        client.customer_create({"firstName": "Nobody"})
    assert client.stats.by_status == {503: 8}


def test_other_5xx_are_retried_for_reads_but_never_for_writes(sandbox, client):
    sandbox.set_faults(error_rate=1.0, status=500)
    with pytest.raises(CrmServerError):
        client.statuses()
    assert client.stats.retries == 3
    with pytest.raises(CrmServerError) as caught:
        client.customer_create({"firstName": "Nobody"})
    assert client.stats.retries == 3  # unchanged: the write may have happened
    assert caught.value.status == 500 and "HTTP 500" in str(caught.value)


def test_a_malformed_answer_says_so_with_status_and_excerpt(sandbox, client):
    sandbox.set_faults(malformed_rate=1.0)
    with pytest.raises(CrmMalformedResponse) as caught:
        client.statuses()
    message = str(caught.value)
    assert caught.value.status == 200
    assert "with HTTP 200 and a body that is not JSON" in message
    assert '{"success":true,"statuses":' in message and len(message) < 500


def test_a_dropped_connection_is_a_network_error_retried_only_for_reads(sandbox, client):
    sandbox.set_faults(drop_rate=1.0)
    with pytest.raises(CrmNetworkError) as caught:
        client.statuses()
    assert caught.value.reason == "dropped" and client.stats.network_errors == 4
    assert str(caught.value) == (f"{client.base_url}/ did not answer GET /api/v5/reference/statuses: "
                                 "the server closed the connection without answering (tried 4 times)")
    with pytest.raises(CrmNetworkError) as caught:
        client.customer_create({"firstName": "Nobody"})
    assert client.stats.network_errors == 5  # one attempt: the server may have applied it
    assert "may or may not have been applied" in str(caught.value)


def test_an_unreachable_host_names_the_address_and_the_reason(closed_port):
    with make_client(f"http://127.0.0.1:{closed_port}", max_retries=1) as crm:
        with pytest.raises(CrmNetworkError) as caught:
            crm.order_create({"customer": {"id": 1}})
    assert caught.value.reason == "refused" and caught.value.status is None
    assert str(caught.value) == f"Cannot connect to http://127.0.0.1:{closed_port}/: connection refused (tried 2 times)"
    assert crm.stats.retries == 1  # refused before sending, so even a POST may be repeated


def test_a_slow_answer_is_a_timeout(sandbox):
    sandbox.set_faults(latency_ms=400)
    with make_client(sandbox.url, timeout=(1, 0.1), max_retries=0) as crm, pytest.raises(CrmNetworkError) as caught:
        crm.statuses()
    assert caught.value.reason == "read_timeout"
    assert "no answer came within 0.1 s" in str(caught.value)


def test_the_key_never_appears_in_errors_or_logs(sandbox, caplog, closed_port):
    caplog.set_level(logging.DEBUG)
    messages = []
    scenarios = [
        ({"error_rate": 1.0, "status": 503}, None),
        ({"error_rate": 1.0, "status": 502}, None),
        ({"malformed_rate": 1.0}, None),
        ({"drop_rate": 1.0}, None),
        ({}, f"http://127.0.0.1:{closed_port}"),
    ]
    for faults, url in scenarios:
        sandbox.set_faults(**faults)
        with make_client(url or sandbox.url, max_retries=1) as crm:
            for call in (crm.statuses, lambda: crm.order_create({"externalId": "X"}), lambda: crm.order(999_999)):
                with pytest.raises(CrmError) as caught:
                    call()
                messages.append(str(caught.value))
                messages.append(repr(caught.value.__dict__))
    sandbox.set_faults()
    with make_client(sandbox.url) as crm:
        crm.statuses()
    assert len(messages) == 30
    assert all(API_KEY not in text for text in messages)
    assert "GET /api/v5/reference/statuses -> 200" in caplog.text  # requests are logged…
    assert API_KEY not in caplog.text  # …without the key
