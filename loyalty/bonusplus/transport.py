"""The HTTP layer under the BonusPlus client: session, auth header, timeouts, pacing, retry rule.

A thin adapter: when integration/exchange/http grows the shared session base, this module shrinks
to the BonusPlus parts (the ``ApiKey`` header, the 412 body, which calls are safe to repeat).

Repeating rule: a call marked ``safe`` (reads, the basket calculation, the code check) is
repeated on 429, 5xx and network failures; any other call (SMS sending, registration, reserve,
purchase, catalog upload) only when the request provably never reached BonusPlus (the connection
was not established) or was refused up front (429), so nothing can happen twice.
"""

from __future__ import annotations

import base64
import json
import logging
import random
import re
import time
from urllib.parse import quote, urlsplit

import requests

from integration.exchange.http.ratelimit import LocalRateLimiter, RateLimiter
from integration.exchange.secrets import redact, register_secret
from loyalty.bonusplus import errors

log = logging.getLogger("loyalty.bonusplus")

_STATUS_ERRORS = {400: errors.BadRequest, 401: errors.AuthError, 403: errors.AccessDenied, 404: errors.NotFound,
                  429: errors.RateLimited}


_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


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


class Transport:
    def __init__(self, base_url: str, api_key: str, *, rate_limiter: RateLimiter | None = None,
                 timeout: tuple[float, float] = (5, 20), max_retries: int = 3, backoff: float = 0.5):
        if not api_key:
            raise errors.NotConfigured()
        parts = urlsplit(base_url or "")
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise errors.NotConfigured()
        if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise errors.NotConfigured()  # the key would cross the network in clear text
        self.base_url = base_url.rstrip("/") + "/"
        self.timeout, self.max_retries, self.backoff = timeout, max_retries, backoff
        self.rate_limiter = rate_limiter or LocalRateLimiter(rate=1)
        self.requests_sent = 0
        header = auth_header(api_key)
        register_secret(api_key)
        register_secret(header.split(" ", 1)[1])
        self.session = requests.Session()
        self.session.headers.update({"Authorization": header, "Accept": "application/json",
                                     "User-Agent": "retailcrm-backoffice-bonusplus/1.0"})

    def close(self):
        self.session.close()

    def call(self, method: str, url_path: str, *, params=None, body=None, safe: bool = False):
        """Send one call; the decoded JSON (None for 204 or an empty body), or a typed error."""
        attempt = 0
        while True:
            try:
                return self._once(method, url_path, params, body)
            except errors.BonusPlusError as exc:
                repeatable = isinstance(exc, errors.RateLimited) or (
                    safe and isinstance(exc, (errors.ServerError, errors.NetworkError, errors.MalformedResponse))
                ) or (isinstance(exc, errors.NetworkError) and exc.nothing_happened)
                if not repeatable or attempt >= self.max_retries:
                    raise
                attempt += 1
                delay = min(10.0, self.backoff * 2 ** (attempt - 1)) * (0.5 + random.random() / 2)
                log.info("BonusPlus %s %s: %s; again in %.1f s", method, url_path, type(exc).__name__, delay)
                time.sleep(delay)

    def _once(self, method, url_path, params, body):
        data = None if body is None else json.dumps(body, ensure_ascii=False, default=str).encode()
        headers = {"Content-Type": "application/json"}
        if data is None and method in ("PUT", "POST", "PATCH"):
            headers["Content-Length"] = "0"  # sendCode/checkCode want an empty body declared (§1)
        grant = self.rate_limiter.acquire()
        self.requests_sent += 1
        try:
            response = self.session.request(method, self.base_url + url_path, params=params, data=data, headers=headers,
                                            timeout=self.timeout, allow_redirects=False)
        except requests.exceptions.ConnectTimeout:
            raise errors.NetworkError(reached_server=False) from None
        except requests.exceptions.ConnectionError as exc:
            raise errors.NetworkError(reached_server=not _not_connected(exc)) from None
        except requests.exceptions.RequestException:
            raise errors.NetworkError(reached_server=True) from None
        finally:
            self.rate_limiter.release(grant)
        return self._decode(response)

    def _decode(self, response):
        status = response.status_code
        if status == 204 or (200 <= status < 300 and not response.content):
            return None
        if 200 <= status < 300:
            try:
                return response.json()
            except ValueError:
                raise errors.MalformedResponse(status=status) from None
        if status == 412:
            try:
                body = response.json() or {}
            except ValueError:
                body = {}
            code, msg, dev = str(body.get("code") or ""), str(body.get("msg") or ""), str(body.get("devMsg") or "")
            log.info("BonusPlus 412 code=%s msg=%s devMsg=%s", code, msg, redact(dev))
            cls = errors.BUSINESS_CODES.get(code, errors.BusinessError)
            raise cls(code=code, msg=msg, dev_msg=dev, status=status)
        if status in _STATUS_ERRORS:
            if status == 429 and (wait := _retry_after(response)) is not None:
                self.rate_limiter.pause(wait)
            raise _STATUS_ERRORS[status](status=status)
        if status >= 500:
            raise errors.ServerError(status=status)
        raise errors.BonusPlusError(status=status)


def _not_connected(exc) -> bool:
    """True when the connection was never established, so BonusPlus received nothing."""
    text = repr(exc).lower()
    return any(word in text for word in ("newconnectionerror", "connection refused", "name or service not known",
                                         "nameresolution", "failed to establish"))


def _retry_after(response) -> float | None:
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None
