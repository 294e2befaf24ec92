"""E7: bad credentials, bodies and methods are refused, recorded, and queue nothing."""

import json

import pytest
from lxml import etree

from integration.exchange.messages import render
from integration.models import WebhookRequest
from integration.retailcrm.webhooks import MAX_BODY_BYTES
from tests.webhooks.conftest import (
    PASSWORD, SOAP_TYPE, USER, basic_header, basic_url, nothing_enqueued, only_row, soap_envelope, token_url,
)

pytestmark = pytest.mark.django_db(transaction=True)

FORM = "application/x-www-form-urlencoded"


def _assert_rejected(response, status, error, body_format=None):
    assert response.status_code == status, response.content
    row = only_row()
    assert (row.status, row.http_status, render(row.error)) == (WebhookRequest.Status.REJECTED, status, error)
    assert row.order_crm_id is None and row.run is None
    if body_format is not None:
        assert row.body_format == body_format
    assert nothing_enqueued()
    return row


# --- authentication -------------------------------------------------------------------------

def test_a_wrong_token_is_401_without_a_basic_challenge(post):
    response = post("id=1", FORM, url=token_url("not-the-token"))
    _assert_rejected(response, 401, "wrong token")
    assert response.json() == {"success": False, "error": "wrong token"}
    assert "WWW-Authenticate" not in response


def test_a_wrong_token_is_not_rescued_by_correct_basic_credentials(post):
    response = post("id=1", FORM, url=token_url("not-the-token"), HTTP_AUTHORIZATION=basic_header())
    _assert_rejected(response, 401, "wrong token")


def test_basic_without_credentials_is_401_with_a_challenge(post):
    response = post("id=1", FORM, url=basic_url())
    _assert_rejected(response, 401, "missing credentials")
    assert response["WWW-Authenticate"] == 'Basic realm="RetailCRM webhook"'


@pytest.mark.parametrize("user, password", [(USER, "wrong-password"), ("someone", PASSWORD), ("", "")])
def test_basic_with_a_wrong_user_or_password_is_401(post, user, password):
    response = post("id=1", FORM, url=basic_url(), HTTP_AUTHORIZATION=basic_header(user, password))
    _assert_rejected(response, 401, "wrong user or password")
    assert response["WWW-Authenticate"] == 'Basic realm="RetailCRM webhook"'


def test_basic_with_garbage_instead_of_base64_is_401(post):
    response = post("id=1", FORM, url=basic_url(), HTTP_AUTHORIZATION="Basic %%%not-base64")
    _assert_rejected(response, 401, "malformed Basic credentials")


def test_basic_is_refused_while_no_webhook_user_is_configured(post, crm_settings):
    crm_settings.webhook_basic_user = ""
    crm_settings.save()
    response = post("id=1", FORM, url=basic_url(), HTTP_AUTHORIZATION=basic_header("", PASSWORD))
    _assert_rejected(response, 401, "HTTP Basic is not enabled: no webhook user is set in RetailCRM settings")
    assert response["WWW-Authenticate"] == 'Basic realm="RetailCRM webhook"'


def test_a_soap_caller_gets_a_soap_fault(post):
    response = post(soap_envelope(1), SOAP_TYPE, url=token_url("not-the-token"))
    _assert_rejected(response, 401, "wrong token", body_format="soap")
    fault = etree.fromstring(response.content).find(".//{http://schemas.xmlsoap.org/soap/envelope/}Fault")
    assert (fault.findtext("faultcode"), fault.findtext("faultstring")) == ("soap:Client", "wrong token")


# --- methods and sizes ----------------------------------------------------------------------

@pytest.mark.parametrize("method", ["GET", "PUT", "HEAD"])
def test_only_post_is_allowed(client, crm_settings, method):
    response = client.generic(method, token_url())
    _assert_rejected(response, 405, f"method {method} is not allowed; use POST")
    assert response["Allow"] == "POST"


def test_an_oversized_body_is_413_and_not_stored(post):
    body = "id=1&padding=" + "x" * MAX_BODY_BYTES
    row = _assert_rejected(post(body, FORM), 413, "body larger than 64 KB")
    assert row.body_excerpt == ""


def test_an_oversized_body_from_a_stranger_is_still_401(post):
    _assert_rejected(post("x" * (MAX_BODY_BYTES + 1), FORM, url=token_url("nope")), 401, "wrong token")


# --- bodies ---------------------------------------------------------------------------------

@pytest.mark.parametrize("body, error", [
    ("<SOAP-ENV:Envelope xmlns:SOAP-ENV='http://schemas.xmlsoap.org/soap/envelope/'><SOAP-ENV:Body>",
     "malformed XML: "),
    (soap_envelope(1).replace("ns1:Order", "ns1:Customer"), "no order id in the SOAP body"),
    (soap_envelope("{{order.id}}"), "id must be a positive whole number"),
    (soap_envelope(""), "id must be a positive whole number"),
    (soap_envelope("0"), "id must be a positive whole number"),
    (soap_envelope("-5"), "id must be a positive whole number"),
    (soap_envelope("12.5"), "id must be a positive whole number"),
    (soap_envelope("99999999999"), "id must be a positive whole number"),
])
def test_bad_soap_is_400(post, body, error):
    response = post(body, SOAP_TYPE)
    assert response.status_code == 400
    row = only_row()
    assert row.status == WebhookRequest.Status.REJECTED and render(row.error).startswith(error)
    assert row.body_format == "soap" and nothing_enqueued()
    assert etree.fromstring(response.content).findtext(".//faultstring") == render(row.error)


@pytest.mark.parametrize("body", [
    # billion laughs
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
    "<Envelope><Body><EditOrder><Order>&lol2;</Order></EditOrder></Body></Envelope>",
    # external entity
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    "<Envelope><Body><EditOrder><Order>&xxe;</Order></EditOrder></Body></Envelope>",
    '<!doctype Envelope><Envelope><Body><EditOrder><Order>1</Order></EditOrder></Body></Envelope>',
])
def test_doctype_and_entities_are_refused(post, body):
    _assert_rejected(post(body, "text/xml"), 400, "DOCTYPE and ENTITY declarations are not accepted", "soap")


@pytest.mark.parametrize("body, error", [
    ("order=1", "no id in the form body"),
    ("id=", "id must be a positive whole number"),
    ("id=abc", "id must be a positive whole number"),
    ("id=1%202", "id must be a positive whole number"),
    ("id=%B2", "the form body cannot be decoded"),
])
def test_bad_form_is_400(post, body, error):
    response = post(body, FORM)
    _assert_rejected(response, 400, error, "form")
    assert response.json() == {"success": False, "error": error}


@pytest.mark.parametrize("body, error", [
    ("{not json", "malformed JSON"),
    ('{"orderId": 1}', "no id in the JSON body"),
    ("[1]", "no id in the JSON body"),
    ('{"id": true}', "id must be a positive whole number"),
    ('{"id": 1.0}', "id must be a positive whole number"),
    ('{"id": -3}', "id must be a positive whole number"),
    ('{"id": null}', "id must be a positive whole number"),
    ('{"order": {"id": "x"}}', "id must be a positive whole number"),
])
def test_bad_json_is_400(post, body, error):
    _assert_rejected(post(body, "application/json"), 400, error, "json")


@pytest.mark.parametrize("content_type", [FORM, SOAP_TYPE, "application/json", ""])
def test_an_empty_body_is_400(client, crm_settings, content_type):
    response = client.generic("POST", token_url(), b"", CONTENT_TYPE=content_type)
    _assert_rejected(response, 400, "empty body")


def test_an_unsupported_content_type_is_400(post):
    response = post(json.dumps({"id": 1}), "text/plain")
    _assert_rejected(response, 400, "unsupported content type “text/plain”; send SOAP, form or JSON", "")


def test_a_soap_1_2_caller_gets_a_soap_1_2_fault(post):
    body = (
        '<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body>'
        '<EditOrder xmlns="urn:shop"><Order>abc</Order></EditOrder></e:Body></e:Envelope>'
    )
    response = post(body, "application/soap+xml")
    _assert_rejected(response, 400, "id must be a positive whole number", "soap")
    ns = {"e": "http://www.w3.org/2003/05/soap-envelope"}
    fault = etree.fromstring(response.content).find("e:Body/e:Fault", ns)
    assert fault.findtext("e:Code/e:Value", namespaces=ns) == "soap:Sender"
    assert fault.findtext("e:Reason/e:Text", namespaces=ns) == "id must be a positive whole number"
