"""The BonusPlus parts of the HTTP layer, on the shared base (integration/exchange/http/transport.py).

The base brings the session, timeouts, pacing, redaction and the retry rule; here are only the
``ApiKey`` header, 204 answers, the 412 ``{code, msg, devMsg}`` body and our typed errors. Each
call says whether it is ``safe`` to repeat (reads, the basket calculation, the code check, the
catalog upsert); anything else — an SMS, a registration, a reserve, a purchase — is repeated only
when it provably never reached BonusPlus or was refused up front (429), so nothing happens twice.
"""

from __future__ import annotations

import base64
import logging
import re
from urllib.parse import quote, urlsplit

from integration.exchange.http.transport import ErrorTypes, HttpTransport
from loyalty.bonusplus import errors

log = logging.getLogger("loyalty.bonusplus")

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_STATUS_ERRORS = {400: errors.BadRequest, 401: errors.AuthError, 403: errors.AccessDenied, 404: errors.NotFound,
                  429: errors.RateLimited}


def auth_header(api_key: str) -> str:
    """``ApiKey <Base64(key)>`` (reference §1). The cabinet shows a GUID; a key pasted already in its
    Base64 form (one client's config held that) is recognised by decoding to a GUID and sent as it is."""
    key = api_key.strip()
    try:
        if _GUID.match(base64.b64decode(key, validate=True).decode()):
            return f"ApiKey {key}"
    except (ValueError, UnicodeDecodeError):
        pass
    return "ApiKey " + base64.b64encode(key.encode()).decode()


def path(*parts) -> str:
    """Join path segments, quoting each one (phones and codes are typed by people)."""
    return "/".join(quote(str(part), safe="") for part in parts)


def _check_address(base_url: str) -> None:
    parts = urlsplit(base_url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise errors.NotConfigured()
    if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise errors.NotConfigured()  # the key would cross the network in clear text


class Transport(HttpTransport):
    system_name = "BonusPlus"
    logger_name = "loyalty.bonusplus"
    error_types = ErrorTypes(base=errors.BonusPlusError, not_configured=errors.NotConfigured,
                             network=errors.NetworkError, auth=errors.AuthError, access_denied=errors.AccessDenied,
                             not_found=errors.NotFound, rejected=errors.BadRequest, rate_limited=errors.RateLimited,
                             server=errors.ServerError, malformed=errors.MalformedResponse)

    def __init__(self, base_url: str, api_key: str, *, rate_limiter=None, timeout=(5, 20), max_retries: int = 3,
                 backoff: float = 0.5):
        if not api_key:
            raise errors.NotConfigured()
        _check_address(base_url)
        header = auth_header(api_key)
        super().__init__(base_url, headers={"Authorization": header}, secrets=(api_key, header.split(" ", 1)[1]),
                         timeout=timeout, rate_limiter=rate_limiter, max_retries=max_retries, backoff=backoff,
                         user_agent="retailcrm-backoffice-bonusplus/1.0")

    @property
    def requests_sent(self) -> int:
        return self.stats.requests

    def call(self, method: str, url_path: str, *, params=None, body=None, safe: bool = False):
        """Send one call; the decoded JSON (None for 204 or an empty body), or a typed error."""
        return self.request_json(method, "/" + url_path, params=params, json=body, idempotent=safe)

    def is_success(self, response, payload) -> bool:
        return 200 <= response.status_code < 300 and (payload is not None or not response.content)

    def network_error(self, failure, method, path, attempts, idempotent):
        log.info("BonusPlus %s %s: no answer (%s) after %d attempt(s)", method, path, failure.reason, attempts)
        return errors.NetworkError(reached_server=failure.reached_server, reason=failure.reason, method=method,
                                   path=path)

    def redirected(self, response, method, path):
        return errors.BonusPlusError(status=response.status_code, method=method, path=path)

    def parse_error(self, response, payload, method, path, attempts):
        status = response.status_code
        if 200 <= status < 300:
            return errors.MalformedResponse(status=status, method=method, path=path)
        if status == 412:
            body = payload if isinstance(payload, dict) else {}
            code, msg, dev = str(body.get("code") or ""), str(body.get("msg") or ""), str(body.get("devMsg") or "")
            log.info("BonusPlus %s %s: 412 code=%s msg=%s devMsg=%s", method, path, code, msg, self.redact(dev))
            cls = errors.BUSINESS_CODES.get(code, errors.BusinessError)
            return cls(code=code, msg=msg, dev_msg=dev, status=status, method=method, path=path, payload=payload)
        if status in _STATUS_ERRORS:
            return _STATUS_ERRORS[status](status=status, method=method, path=path)
        if status >= 500:
            return errors.ServerError(status=status, method=method, path=path)
        return errors.BonusPlusError(status=status, method=method, path=path)
