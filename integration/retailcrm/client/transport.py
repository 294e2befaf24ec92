"""The HTTP layer of the RetailCRM client, on the shared transport (integration/exchange/http/).

The rules about *when* a request may be repeated, the failure classes, pacing and redaction are
the shared transport's; this module adds RetailCRM's address rules, its key header, its
``/api/v5`` paths and form encoding, and the reading of its answer envelope into typed errors.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit


from catalog.fields import is_loopback_host
from integration.exchange.http.answer import Answer
from integration.exchange.http.transport import ErrorTypes, HttpTransport
from integration.retailcrm.client import errors
from integration.retailcrm.client.encoding import form_fields, query_params
from integration.exchange.secrets import LOGGER_NAME, protect
from integration.retailcrm.client.results import ClientStats

__all__ = ["CLIENT_VERSION", "CrmTransport"]

CLIENT_VERSION = "1.0"

# A POST is repeated only on 503/429: RetailCRM sends those when it refuses the call up front
# (rate limit, maintenance), before doing anything. A 500/502/504 on a POST may come after the
# change was made (e.g. a proxy timed out waiting for the answer), and repeating would create a
# second order. A GET changes nothing, so any 5xx or 429 may be retried (the shared rule).
_RETRY_POST = frozenset({429, 503})


def _normalise_base_url(base_url: str) -> str:
    url = (base_url or "").strip().rstrip("/")
    # operators paste the address in many forms; the API root is always <account>/api
    url = re.sub(r"/api(/v\d+)?$", "", url)
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise errors.CrmNotConfigured(
            f"The RetailCRM address {base_url!r} is not a web address (expected e.g. https://myshop.retailcrm.ru)."
        )
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        # the API key would cross the network in clear text
        raise errors.CrmNotConfigured(
            f"The RetailCRM address {base_url!r} uses http://; use https:// (http:// only for 127.0.0.1, ::1, localhost)."
        )
    return url


class CrmTransport(HttpTransport):
    """The shared transport with RetailCRM's key header, address rules and answer envelope."""

    system_name = "RetailCRM"
    logger_name = LOGGER_NAME
    refused_statuses = _RETRY_POST
    error_types = ErrorTypes(
        base=errors.CrmError, not_configured=errors.CrmNotConfigured, network=errors.CrmNetworkError,
        auth=errors.CrmAuthError, access_denied=errors.CrmAccessDenied, not_found=errors.CrmNotFound,
        rejected=errors.CrmValidationError, rate_limited=errors.CrmRateLimited, server=errors.CrmServerError,
        malformed=errors.CrmMalformedResponse,
    )

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: tuple[float, float] | float = (5, 30),
        rate_limiter=None,
        max_retries: int = 5,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        user_agent: str = f"retailcrm-backoffice/{CLIENT_VERSION}",
        site: str | None = None,
    ):
        if not api_key:
            raise errors.CrmNotConfigured("The RetailCRM API key is empty.")
        protect(api_key)
        # the key goes in a header only: URLs end up in access logs, proxies and tracebacks
        super().__init__(
            _normalise_base_url(base_url), headers={"X-API-KEY": api_key}, secrets=(api_key,), timeout=timeout,
            rate_limiter=rate_limiter, max_retries=max_retries, backoff=backoff, max_backoff=max_backoff,
            user_agent=user_agent,
        )
        self._api_key = api_key
        self.site = site or None
        self.stats = ClientStats()

    # -- requests --------------------------------------------------------------------------

    def get(self, path: str, params: dict | None = None, *, versioned: bool = True) -> dict:
        return self.request("GET", path, params=params, versioned=versioned)

    def post(self, path: str, data: dict | None = None, *, params: dict | None = None,
             idempotent: bool = False) -> dict:
        return self.request("POST", path, params=params, data=data, idempotent=idempotent)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict | None = None,
        data: dict | None = None,
        versioned: bool = True,
        idempotent: bool | None = None,
    ) -> dict:
        """Send one API call and return the decoded envelope of a successful answer.

        ``path`` is relative to ``/api/v5`` (or to ``/api`` when ``versioned`` is False).
        Raises a :class:`~integration.retailcrm.client.errors.CrmError` subclass otherwise.
        ``idempotent=True`` marks a POST that may be repeated after a lost answer.
        """
        method = method.upper()
        api_path = ("/api/v5" if versioned else "/api") + path
        body = form_fields(data) if method != "GET" else None
        response, attempts = self.send(method, api_path, params=query_params(params), data=body,
                                       idempotent=idempotent)
        return self.decode(response, method, api_path, attempts)

    # -- answers and errors ----------------------------------------------------------------

    def redirected(self, response: Answer, method: str, path: str) -> errors.CrmError:
        target = urlsplit(urljoin(response.url, response.headers.get("Location", "")))
        origin = f"{target.scheme}://{target.netloc}" if target.netloc else "?"
        message = (f"{self.where()} answered {method} {path} with a redirect (HTTP {response.status_code}) to {origin}; "
                   f"the API key is never sent on to another address. If RetailCRM moved, enter its new "
                   f"address and the API key again in the RetailCRM settings.")
        return errors.CrmError(self.redact(message), status=response.status_code, method=method, path=path)

    def decode(self, response: Answer, method: str, path: str, attempts: int) -> dict:
        status = response.status_code
        try:
            payload = response.json()
        except ValueError:
            payload = None
        envelope_ok = isinstance(payload, dict) and "success" in payload
        if not envelope_ok and status < 500:
            raise self._malformed(response, payload, method, path)
        if envelope_ok and payload.get("success") is True and status < 400:
            return payload
        raise self._status_error(status, payload if envelope_ok else None, method, path, attempts)

    def _malformed(self, response, payload, method: str, path: str) -> errors.CrmMalformedResponse:
        status = response.status_code
        shape = "a body that is not JSON" if payload is None else "JSON without the \"success\" flag"
        message = (
            f"{self.where()} answered {method} {path} with HTTP {status} and {shape}, "
            f"which is not how the RetailCRM API answers: {self.snippet(response.text)!r}"
        )
        if status == 405 and response.text.lstrip().startswith("<"):
            message += " (RetailCRM answers like this when the account does not exist — check the address)"
        return errors.CrmMalformedResponse(self.redact(message), status=status, method=method, path=path)

    def _status_error(self, status: int, payload: dict | None, method: str, path: str, attempts: int):
        payload = payload or {}
        error_msg = payload.get("errorMsg") or None
        if error_msg is not None:
            error_msg = self.redact(str(error_msg))
        raw_errors = payload.get("errors")
        errors_value = raw_errors if isinstance(raw_errors, (dict, list)) else {}
        what = f"{method} {path}"
        details = ""
        if errors_value:
            lines = errors.CrmError("", errors=errors_value).error_list
            details = "; ".join(lines[:5]) + (f"; … {len(lines) - 5} more" if len(lines) > 5 else "")
        said = f" ({error_msg})" if error_msg else ""
        tries = f" after {attempts} attempts" if attempts > 1 else ""

        if status == 403 and error_msg and "apikey" in error_msg.lower():
            cls = errors.CrmAuthError
            message = (f"RetailCRM at {self.where()} rejected the API key{said}. "
                       f"Check the key in the RetailCRM settings.")
        elif status == 403:
            cls = errors.CrmAccessDenied
            message = (f"The API key may not call {what} at {self.where()}{said}. "
                       f"Allow this method (its scope) and the shop for the key in RetailCRM.")
        elif status == 404:
            cls = errors.CrmNotFound
            message = f"{what} at {self.where()}: not found{said}"
        elif status == 400:
            cls = errors.CrmValidationError
            message = f"RetailCRM rejected {what}{said}" + (f": {details}" if details else "")
        elif status == 460:
            cls = errors.CrmPartialFailure
            message = f"RetailCRM applied {what} only in part{said}" + (f": {details}" if details else "")
        elif status in (429, 503):
            cls = errors.CrmRateLimited
            answer = f"HTTP {status}: {error_msg}" if error_msg else f"HTTP {status}"
            message = (f"RetailCRM at {self.where()} is refusing requests ({answer}){tries}; "
                       f"the request limit of the API key is probably exhausted, try again later.")
        elif status >= 500:
            cls = errors.CrmServerError
            message = f"RetailCRM at {self.where()} failed on {what} with HTTP {status}{said}{tries}"
        else:
            cls = errors.CrmError
            message = f"RetailCRM answered {what} with HTTP {status}{said}" + (f": {details}" if details else "")
        return cls(self.redact(message), status=status, error_msg=error_msg, errors=errors_value,
                   method=method, path=path, payload=payload or None)
