"""E7: the endpoint RetailCRM triggers call when an order changes.

Only a hint travels here — the order id. The view authenticates the caller, finds the id,
stores a ``WebhookRequest`` row and queues an ``import-order`` run for that order. It never
calls RetailCRM itself, so it answers within milliseconds; the job re-reads the order
through the API (the trigger's payload is never trusted as order data).

Authentication depends on the address the trigger was given:

* ``/webhooks/retailcrm/<token>/`` — the token must equal ``CrmSettings.webhook_token``.
  An ``Authorization`` header is ignored there (the 1C-style trigger of seed 001 sends one
  anyway), so a correct token is enough and a wrong token is never rescued by a header.
* ``/webhooks/retailcrm/`` — HTTP Basic with ``webhook_basic_user`` / ``webhook_basic_password``,
  refused while no user is configured. 401 answers carry ``WWW-Authenticate`` here only.

Bodies (at most ``MAX_BODY_BYTES``):

* SOAP — the seed 001 ``EditOrder`` envelope, any prefix or namespace: the first element whose
  local name is ``Order`` holds the id. ``application/soap+xml``, ``text/xml``, ``application/xml``.
* form — ``id=1234`` (RetailCRM's "in the request body (urlencode)").
* JSON — ``{"id": 1234}`` or ``{"order": {"id": 1234}}``.
* no Content-Type at all — guessed from the first byte (``<``, ``{``, else form).

Answers: 200 ``{"success": true, "order": id, "status": "enqueued"|"coalesced"|"off"}`` ("off": the
"import orders" switch is off, nothing is queued), or for a
SOAP request an ``EditOrderResponse`` envelope with ``<return>true</return>``. Errors are
``{"success": false, "error": "..."}`` or a SOAP Fault: 405 (not POST), 401 (credentials),
413 (body too large), 400 (content type, XML, id), 503 (job refused: connection not checked),
500 (anything unexpected — the row is kept, then the exception is re-raised for Django to log,
as dj-stripe and anymail do).

Every request that passes authentication leaves exactly one row, rejected ones included; calls
refused before that (401, 405: anyone can post here) are counted per window and only a few of
each window are kept, shortened (``services/webhook_rejections.py``). The URL is not stored (it
carries the secret), nor are headers; stored text passes through ``loggable`` (secrets masked). The remote
address is ``REMOTE_ADDR`` only: ``X-Forwarded-For`` is set by whoever calls, and the row is
an audit trail, so behind the reverse proxy it shows the proxy's address.
"""

import base64
import binascii
import ipaddress
import json
import logging
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from lxml import etree

from integration.exchange import messages as stored_messages
from integration.exchange.jobs import JobRefused, SwitchedOff, enqueue
from integration.exchange.messages import render, stored
from integration.models import CrmSettings, JobRun, WebhookRequest
from integration.retailcrm.models.settings import MIN_WEBHOOK_SECRET_LENGTH
from integration.exchange.secrets import mask
from integration.retailcrm import webhook_rejections

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
EXCERPT_CHARS = 2000
MAX_ORDER_ID = 2**31 - 1  # WebhookRequest.order_crm_id is a PositiveIntegerField
BASIC_CHALLENGE = 'Basic realm="RetailCRM webhook"'

SOAP_TYPES = {"application/soap+xml", "text/xml", "application/xml"}
FORM_TYPES = {"application/x-www-form-urlencoded"}
JSON_TYPES = {"application/json"}
SOAP11_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope"

_DIGITS = re.compile(r"[0-9]+")
_DECLARATIONS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class Rejected(Exception):
    """The request is refused with ``status``; ``message`` goes to the row and the answer."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class SoapContext:
    envelope_ns: str = SOAP11_NS
    service_ns: str | None = None


def _safe_parser() -> etree.XMLParser:
    # No entity expansion, no DTD loading, no network: nothing in the body can reach out or blow up.
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False,
        remove_comments=True, remove_pis=True,
    )


def _order_id(value) -> int:
    """A positive whole number from JSON or text; anything else (bools, floats, '12a') is refused."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        value = int(value.strip())
    if isinstance(value, int) and 0 < value <= MAX_ORDER_ID:
        return value
    raise Rejected(400, stored(gettext_noop("id must be a positive whole number")))


def _remote_addr(request) -> str | None:
    value = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _format_from_content_type(content_type: str) -> str:
    if content_type in SOAP_TYPES:
        return "soap"
    if content_type in FORM_TYPES:
        return "form"
    if content_type in JSON_TYPES:
        return "json"
    return ""


def _sniff_format(body: bytes) -> str:
    start = body.lstrip()[:1]
    if start == b"<":
        return "soap"
    if start in (b"{", b"["):
        return "json"
    return "form"


class _Intake:
    """One webhook call: authenticate → read → parse → store → enqueue → answer."""

    def __init__(self, request, token: str | None):
        self.request = request
        self.token = token
        self.content_type = request.content_type or ""
        self.format = _format_from_content_type(self.content_type)
        self.soap = SoapContext()
        self.row = WebhookRequest(
            remote_addr=_remote_addr(request),
            content_type=request.META.get("CONTENT_TYPE", "")[:100],
            body_format=self.format,
        )
        self.config: CrmSettings | None = None
        self.authenticated = False  # until then a refusal is only counted and sampled (anyone can call)

    # --- the steps -------------------------------------------------------------------------

    def handle(self) -> HttpResponse:
        try:
            if self.request.method != "POST":
                raise Rejected(405, stored(gettext_noop("method %(method)s is not allowed; use POST")) % {
                    "method": self.request.method[:10]})
            self.config = CrmSettings.get_solo()
            body = self._read_body()
            self._authenticate()
            self.authenticated = True
            if body is None:
                raise Rejected(413, stored(gettext_noop(
                    "body larger than %(size)s KB")) % {"size": MAX_BODY_BYTES // 1024})
            order_id = self._parse(body)
        except Rejected as exc:
            return self._finish(exc.status, WebhookRequest.Status.REJECTED, exc.message)
        except Exception as exc:
            self._save_failure(exc)
            raise

        self.row.order_crm_id = order_id
        try:
            # Stored before queueing, so even a crash inside enqueue leaves a trace.
            self._store(500, WebhookRequest.Status.FAILED, stored(gettext_noop(
                "interrupted before the import was queued")))
            result = enqueue("import-order", trigger=JobRun.Trigger.WEBHOOK, scope=str(order_id),
                             options={"id": order_id})
        except SwitchedOff:
            # "Import orders" is off: the CRM must not retry, and nothing is queued; the row's status says why.
            return self._finish(200, WebhookRequest.Status.SWITCHED_OFF, "")
        except JobRefused as exc:
            return self._finish(503, WebhookRequest.Status.FAILED, stored_messages.of_exception(exc))
        except Exception as exc:
            self._save_failure(exc)
            raise
        self.row.run = result.run
        status = WebhookRequest.Status.ENQUEUED if result.created else WebhookRequest.Status.COALESCED
        return self._finish(200, status, "")

    def _read_body(self) -> bytes | None:
        """The body, or None when it is larger than allowed (then it is not read at all)."""
        try:
            declared = int(self.request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > MAX_BODY_BYTES:
            return None
        body = self.request.read(MAX_BODY_BYTES + 1)
        if len(body) > MAX_BODY_BYTES:
            return None
        self.row.body_excerpt = self._scrub(body[: EXCERPT_CHARS * 4].decode("utf-8", "replace")[:EXCERPT_CHARS])
        if not self.format and not self.content_type and body.strip():
            self.format = self.row.body_format = _sniff_format(body)
        return body

    def _authenticate(self) -> None:
        config = self.config
        if self.token is not None:
            usable = len(config.webhook_token) >= MIN_WEBHOOK_SECRET_LENGTH
            if not (usable and constant_time_compare(self.token, config.webhook_token)):
                raise Rejected(401, stored(gettext_noop("wrong token")))
            return
        if not config.webhook_basic_user:
            raise Rejected(401, stored(gettext_noop(
                "HTTP Basic is not enabled: no webhook user is set in RetailCRM settings")))
        if len(config.webhook_basic_password) < MIN_WEBHOOK_SECRET_LENGTH:
            raise Rejected(401, stored(gettext_noop(
                "HTTP Basic is not enabled: set a webhook password of at least %(n)d characters "
                "in RetailCRM settings")) % {"n": MIN_WEBHOOK_SECRET_LENGTH})
        scheme, _sep, value = self.request.META.get("HTTP_AUTHORIZATION", "").strip().partition(" ")
        if scheme.lower() != "basic" or not value.strip():
            raise Rejected(401, stored(gettext_noop("missing credentials")))
        try:
            user, sep, password = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise Rejected(401, stored(gettext_noop("malformed Basic credentials"))) from None
        # Both compared every time, so the timing does not tell which one was wrong.
        user_ok = constant_time_compare(user, config.webhook_basic_user)
        password_ok = constant_time_compare(password, config.webhook_basic_password)
        if not (sep and user_ok & password_ok):
            raise Rejected(401, stored(gettext_noop("wrong user or password")))

    def _parse(self, body: bytes) -> int:
        if not body.strip():
            raise Rejected(400, stored(gettext_noop("empty body")))
        if self.format == "soap":
            return self._parse_soap(body)
        if self.format == "form":
            return self._parse_form(body)
        if self.format == "json":
            return self._parse_json(body)
        raise Rejected(400, stored(gettext_noop("unsupported content type “%(type)s”; send SOAP, form or JSON")) % {
            "type": self.content_type[:100]})

    def _parse_soap(self, body: bytes) -> int:
        if _DECLARATIONS.search(body):
            raise Rejected(400, stored(gettext_noop("DOCTYPE and ENTITY declarations are not accepted")))
        try:
            root = etree.fromstring(body, parser=_safe_parser())
        except etree.XMLSyntaxError as exc:
            raise Rejected(400, stored(gettext_noop("malformed XML: %(error)s")) % {"error": exc}) from None
        if root is None or root.getroottree().docinfo.doctype:
            raise Rejected(400, stored(gettext_noop("DOCTYPE and ENTITY declarations are not accepted")))
        root_name = etree.QName(root)
        if root_name.localname == "Envelope" and root_name.namespace in (SOAP11_NS, SOAP12_NS):
            self.soap.envelope_ns = root_name.namespace
        for element in root.iter(etree.Element):
            if etree.QName(element).localname == "Order":
                parent = element.getparent()
                self.soap.service_ns = etree.QName(parent if parent is not None else element).namespace
                return _order_id(element.text or "")
        raise Rejected(400, stored(gettext_noop("no order id in the SOAP body")))

    def _parse_form(self, body: bytes) -> int:
        charset = self.request.content_params.get("charset", "utf-8")
        try:
            fields = dict(parse_qsl(
                body.decode(charset), keep_blank_values=True, max_num_fields=100, encoding=charset, errors="strict"))
        except (LookupError, UnicodeDecodeError, ValueError):
            raise Rejected(400, stored(gettext_noop("the form body cannot be decoded"))) from None
        if "id" not in fields:
            raise Rejected(400, stored(gettext_noop("no id in the form body")))
        return _order_id(fields["id"])

    def _parse_json(self, body: bytes) -> int:
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: [[[[…]]]] nested too deep
            raise Rejected(400, stored(gettext_noop("malformed JSON"))) from None
        if isinstance(data, dict) and "id" not in data and isinstance(data.get("order"), dict):
            data = data["order"]
        if not isinstance(data, dict) or "id" not in data:
            raise Rejected(400, stored(gettext_noop("no id in the JSON body")))
        return _order_id(data["id"])

    # --- bookkeeping and answers -----------------------------------------------------------

    def _scrub(self, text) -> str:
        """Mask registered secrets, and the current webhook secrets even when too short to register."""
        text = stored_messages.for_text(text)
        config = self.config or CrmSettings.get_solo()
        for secret in (config.webhook_token, config.webhook_basic_password):
            if secret and len(secret) >= 4 and secret in text:
                text = text.replace(secret, mask(secret))
        return text

    def _store(self, http_status: int, status: str, error: str) -> None:
        self.row.http_status, self.row.status, self.row.error = http_status, status, self._scrub(error)
        if not self.authenticated and not webhook_rejections.admit(self.row):
            return  # counted in its window only
        self.row.save()

    def _save_failure(self, exc: Exception) -> None:
        try:
            self._store(500, WebhookRequest.Status.FAILED, f"{exc.__class__.__name__}: {exc}")
        except Exception:  # the database itself may be what failed; the original error matters more
            logger.exception("Could not store the failed webhook request")

    def _finish(self, http_status: int, status: str, error: str) -> HttpResponse:
        self._store(http_status, status, error)
        if http_status == 200:
            logger.info("RetailCRM webhook: order %s %s (run %s)", self.row.order_crm_id, status, self.row.run_id)
        else:
            logger.warning("RetailCRM webhook %s from %s: %s", http_status, self.row.remote_addr, render(self.row.error))
        response = self._answer(http_status, status)
        if http_status == 401 and self.token is None:
            response["WWW-Authenticate"] = BASIC_CHALLENGE
        if http_status == 405:
            response["Allow"] = "POST"
        # Logged above without the URL; Django's own line would print the path, which holds the secret.
        response._has_been_logged = True
        return response

    def _answer(self, http_status: int, status: str) -> HttpResponse:
        if self.format == "soap":
            body = self._soap_body(http_status)
            content_type = "application/soap+xml" if self.content_type == "application/soap+xml" else "text/xml"
            return HttpResponse(body, status=http_status, content_type=f"{content_type}; charset=utf-8")
        if http_status == 200:
            payload = {"success": True, "order": self.row.order_crm_id, "status": status}
        else:
            payload = {"success": False, "error": render(self.row.error)}
        return JsonResponse(payload, status=http_status, json_dumps_params={"ensure_ascii": False})

    def _soap_body(self, http_status: int) -> bytes:
        env = self.soap.envelope_ns
        envelope = etree.Element(etree.QName(env, "Envelope"), nsmap={"soap": env})
        soap_body = etree.SubElement(envelope, etree.QName(env, "Body"))
        if http_status == 200:
            ns = self.soap.service_ns
            nsmap = {"m": ns} if ns else None
            answer = etree.SubElement(soap_body, etree.QName(ns, "EditOrderResponse") if ns else "EditOrderResponse",
                                      nsmap=nsmap)
            etree.SubElement(answer, etree.QName(ns, "return") if ns else "return").text = "true"
        else:
            fault = etree.SubElement(soap_body, etree.QName(env, "Fault"))
            client_side = http_status < 500
            if env == SOAP12_NS:
                code = etree.SubElement(fault, etree.QName(env, "Code"))
                value = etree.SubElement(code, etree.QName(env, "Value"))
                value.text = "soap:" + ("Sender" if client_side else "Receiver")
                reason = etree.SubElement(fault, etree.QName(env, "Reason"))
                text = etree.SubElement(reason, etree.QName(env, "Text"))
                text.set("{http://www.w3.org/XML/1998/namespace}lang", translation.get_language() or "en")
                text.text = render(self.row.error)
            else:
                etree.SubElement(fault, "faultcode").text = "soap:" + ("Client" if client_side else "Server")
                etree.SubElement(fault, "faultstring").text = render(self.row.error)
        return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


@csrf_exempt
@login_not_required
@never_cache
@transaction.non_atomic_requests  # the row must survive a failure, and enqueue relies on on_commit
def retailcrm_webhook(request, token=None):
    # Rows and answers in the site's language, whatever Accept-Language the CRM sends.
    with translation.override(settings.LANGUAGE_CODE):
        return _Intake(request, token).handle()
