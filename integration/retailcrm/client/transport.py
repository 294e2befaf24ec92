"""The HTTP layer of the RetailCRM client: one session, rate limiting, retries, typed errors.

Kept apart from the typed API methods (client.py) so the rules about *when* a request may be
repeated are in one place and can be read without scrolling past fifty endpoints.
"""

from __future__ import annotations

import contextlib
import logging
import random
import re
import time
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import NameResolutionError, NewConnectionError, ProtocolError

from catalog.fields import is_loopback_host
from integration.retailcrm.client import errors
from integration.retailcrm.client.encoding import form_fields, query_params
from integration.exchange.secrets import LOGGER_NAME, protect, redact
from integration.exchange.http.ratelimit import LocalRateLimiter, RateLimiter
from integration.retailcrm.client.results import ClientStats

__all__ = ["CLIENT_VERSION", "CrmTransport"]

log = logging.getLogger(LOGGER_NAME)

CLIENT_VERSION = "1.0"
SNIPPET_LENGTH = 200

# Statuses worth repeating. A GET changes nothing, so any 5xx or 429 may be retried. A POST is
# repeated only on 503/429: RetailCRM sends those when it refuses the call up front (rate limit,
# maintenance), before doing anything. A 500/502/504 on a POST may come after the change was
# made (e.g. a proxy timed out waiting for the answer), and repeating would create a second order.
_RETRY_GET = frozenset({429}) | frozenset(range(500, 600))
_RETRY_POST = frozenset({429, 503})


def _causes(exc: BaseException):
    """Walk an exception and everything it wraps (requests → urllib3 → socket error)."""
    seen, queue = set(), [exc]
    while queue:
        item = queue.pop(0)
        if item is None or id(item) in seen or not isinstance(item, BaseException):
            continue
        seen.add(id(item))
        yield item
        queue.extend([getattr(item, "reason", None), item.__cause__, item.__context__])
        queue.extend(arg for arg in item.args if isinstance(arg, BaseException))


class _Failure:
    """A network failure in plain words, and whether the request can have reached the server."""

    def __init__(self, reason: str, words: str, reached_server: bool, transient: bool = True):
        self.reason, self.words, self.reached_server, self.transient = reason, words, reached_server, transient


def _classify(exc: requests.RequestException, host: str, timeout: tuple[float, float]) -> _Failure:
    connect_timeout, read_timeout = timeout
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        # the TCP connection was never established, so not a byte of the request was sent
        return _Failure("connect_timeout", f"no answer within {connect_timeout:g} s while connecting", False)
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return _Failure("read_timeout", f"the request was sent but no answer came within {read_timeout:g} s", True)
    if isinstance(exc, requests.exceptions.SSLError):
        return _Failure("tls", "the secure (TLS) connection failed — check the certificate and the https address",
                        False, transient=False)
    causes = list(_causes(exc))
    if any(isinstance(c, NameResolutionError) for c in causes):
        return _Failure("dns", f"the host name {host} could not be found (DNS)", False)
    if any(isinstance(c, NewConnectionError) for c in causes):
        # NewConnectionError is raised only while opening the socket: the request was not sent
        if any(isinstance(c, ConnectionRefusedError) for c in causes) or "refused" in str(exc).lower():
            return _Failure("refused", "connection refused", False)
        return _Failure("unreachable", "the host cannot be reached", False)
    if isinstance(exc, requests.exceptions.ChunkedEncodingError) or any(
        isinstance(c, (ProtocolError, ConnectionResetError, BrokenPipeError)) for c in causes
    ):
        return _Failure("dropped", "the server closed the connection without answering", True)
    return _Failure("network", f"network error ({type(exc).__name__})", True)


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


class CrmTransport:
    """One ``requests.Session`` per client: auth header, timeouts, limiter, retries, typed errors."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: tuple[float, float] | float = (5, 30),
        rate_limiter: RateLimiter | None = None,
        max_retries: int = 5,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        user_agent: str = f"retailcrm-backoffice/{CLIENT_VERSION}",
        site: str | None = None,
    ):
        if not api_key:
            raise errors.CrmNotConfigured("The RetailCRM API key is empty.")
        self.base_url = _normalise_base_url(base_url)
        self.host = urlsplit(self.base_url).hostname or self.base_url
        self._api_key = api_key
        self.timeout = timeout if isinstance(timeout, tuple) else (min(5.0, timeout), timeout)
        # None: still never exceed RetailCRM's 10 rps from this process (shared limiting is
        # the factory's job, since it knows the Redis connection)
        self.rate_limiter = rate_limiter if rate_limiter is not None else LocalRateLimiter()
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.site = site or None
        self.stats = ClientStats()
        protect(api_key)
        self.session = requests.Session()
        # the key goes in a header only: URLs end up in access logs, proxies and tracebacks
        self.session.headers.update(
            {"X-API-KEY": api_key, "User-Agent": user_agent, "Accept": "application/json"}
        )

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.base_url}>"

    @contextlib.contextmanager
    def retry_limit(self, max_retries: int):
        """Temporarily fewer retries, e.g. for an interactive "check connection" that must answer fast."""
        previous = self.max_retries
        self.max_retries = min(previous, max_retries)
        try:
            yield self
        finally:
            self.max_retries = previous

    # -- requests --------------------------------------------------------------------------

    def get(self, path: str, params: dict | None = None, *, versioned: bool = True) -> dict:
        return self.request("GET", path, params=params, versioned=versioned)

    def post(self, path: str, data: dict | None = None, *, params: dict | None = None) -> dict:
        return self.request("POST", path, params=params, data=data)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict | None = None,
        data: dict | None = None,
        versioned: bool = True,
    ) -> dict:
        """Send one API call and return the decoded envelope of a successful answer.

        ``path`` is relative to ``/api/v5`` (or to ``/api`` when ``versioned`` is False).
        Raises a :class:`~integration.retailcrm.client.errors.CrmError` subclass otherwise.
        """
        method = method.upper()
        api_path = ("/api/v5" if versioned else "/api") + path
        url = self.base_url + api_path
        query = query_params(params)
        body = form_fields(data) if method != "GET" else None
        retry_statuses = _RETRY_GET if method == "GET" else _RETRY_POST
        attempt = 0
        while True:
            grant = self._wait_for_slot()
            self.stats.requests += 1
            started = time.monotonic()
            try:
                # Never redirected: requests would resend X-API-KEY to wherever Location points.
                response = self.session.request(method, url, params=query, data=body, timeout=self.timeout,
                                                allow_redirects=False)
            except requests.RequestException as exc:
                self.rate_limiter.release(grant)
                self.stats.network_errors += 1
                failure = _classify(exc, self.host, self.timeout)
                log.debug("%s %s failed after %.0f ms: %s", method, api_path,
                          (time.monotonic() - started) * 1000, failure.reason)
                # A POST is repeated only when it provably never left this machine: the socket
                # could not be opened (refused, DNS, unreachable) or the handshake timed out.
                # Anything later — a read timeout, a reset or a closed connection — may come
                # after RetailCRM applied the change, and a second order or payment is worse
                # than an error the operator sees. (A pooled keep-alive connection that the
                # server had closed is detected by urllib3 before reuse and replaced, so such a
                # failure really happened while our request was in flight.)
                repeatable = failure.transient and (method == "GET" or not failure.reached_server)
                if repeatable and attempt < self.max_retries:
                    attempt += 1
                    self._pause(attempt, None, f"{method} {api_path}", failure.reason)
                    continue
                raise self._network_error(failure, method, api_path, attempt + 1) from exc
            self.rate_limiter.release(grant)  # the CRM has counted it by now: its window starts no later
            status = response.status_code
            self.stats.count_status(status)
            log.debug("%s %s -> %s in %.0f ms", method, api_path, status, (time.monotonic() - started) * 1000)
            if status in retry_statuses and attempt < self.max_retries:
                attempt += 1
                self._pause(attempt, response.headers.get("Retry-After"), f"{method} {api_path}", f"HTTP {status}")
                continue
            if response.is_redirect:
                raise self._redirected(response, method, api_path)
            return self._decode(response, method, api_path, attempt + 1)

    # -- pacing ----------------------------------------------------------------------------

    def _wait_for_slot(self):
        grant = self.rate_limiter.acquire()  # blocks until the shared pacer grants this request
        if grant.waited > 0:
            self.stats.rate_limit_waits += 1
            self.stats.seconds_waited += grant.waited
        return grant

    def _pause(self, attempt: int, retry_after: str | None, what: str, why: str) -> None:
        self.stats.retries += 1
        delay = None
        if retry_after:
            with contextlib.suppress(ValueError):
                delay = min(max(float(retry_after), 0.0), self.max_backoff)
        if delay is not None:
            # The CRM said how long the key must rest: every process holds back, not only this
            # one, so the pause goes to the shared pacer and the retry waits there for its grant.
            self.stats.backoff_seconds += delay
            log.info("Retrying %s after %s; RetailCRM asked for a pause of %.2f s (attempt %d of %d)", what, why,
                     delay, attempt + 1, self.max_retries + 1)
            pause = getattr(self.rate_limiter, "pause", None)
            if pause is not None:
                pause(delay)
            else:
                time.sleep(delay)
            return
        # exponential with "equal jitter": workers that failed together do not retry together
        ceiling = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        delay = ceiling / 2 + random.uniform(0, ceiling / 2)
        self.stats.backoff_seconds += delay
        log.info("Retrying %s after %s in %.2f s (attempt %d of %d)", what, why, delay, attempt + 1,
                 self.max_retries + 1)
        time.sleep(delay)

    # -- answers and errors ----------------------------------------------------------------

    def _redact(self, text: str) -> str:
        return redact(text, (self._api_key,))

    def _where(self) -> str:
        return self.base_url + "/"

    def _network_error(self, failure: _Failure, method: str, path: str, attempts: int) -> errors.CrmNetworkError:
        if failure.reached_server:
            message = f"{self._where()} did not answer {method} {path}: {failure.words}"
            if method != "GET":
                message += " (the change may or may not have been applied, so it was not repeated)"
        else:
            message = f"Cannot connect to {self._where()}: {failure.words}"
        if attempts > 1:
            message += f" (tried {attempts} times)"
        return errors.CrmNetworkError(self._redact(message), reason=failure.reason, method=method, path=path)

    def _snippet(self, text: str) -> str:
        text = re.sub(r"\s+", " ", text or "").strip()
        cut = text[:SNIPPET_LENGTH] + ("…" if len(text) > SNIPPET_LENGTH else "")
        # mask after cutting too: a key cut in half by the limit must not survive as a prefix
        cut = self._redact(cut)
        for size in range(len(self._api_key) - 1, 5, -1):
            if cut.endswith(self._api_key[:size] + "…"):
                cut = cut[: -size - 1] + "•" * 8 + "…"
                break
        return cut

    def _decode(self, response: requests.Response, method: str, path: str, attempts: int) -> dict:
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

    def _redirected(self, response: requests.Response, method: str, path: str) -> errors.CrmError:
        target = urlsplit(requests.compat.urljoin(response.url, response.headers.get("Location", "")))
        origin = f"{target.scheme}://{target.netloc}" if target.netloc else "?"
        message = (f"{self._where()} answered {method} {path} with a redirect (HTTP {response.status_code}) to {origin}; "
                   f"the API key is never sent on to another address. If RetailCRM moved, enter its new "
                   f"address and the API key again in the RetailCRM settings.")
        return errors.CrmError(self._redact(message), status=response.status_code, method=method, path=path)

    def _malformed(self, response, payload, method: str, path: str) -> errors.CrmMalformedResponse:
        status = response.status_code
        shape = "a body that is not JSON" if payload is None else "JSON without the \"success\" flag"
        message = (
            f"{self._where()} answered {method} {path} with HTTP {status} and {shape}, "
            f"which is not how the RetailCRM API answers: {self._snippet(response.text)!r}"
        )
        if status == 405 and response.text.lstrip().startswith("<"):
            message += " (RetailCRM answers like this when the account does not exist — check the address)"
        return errors.CrmMalformedResponse(self._redact(message), status=status, method=method, path=path)

    def _status_error(self, status: int, payload: dict | None, method: str, path: str, attempts: int):
        payload = payload or {}
        error_msg = payload.get("errorMsg") or None
        if error_msg is not None:
            error_msg = self._redact(str(error_msg))
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
            message = (f"RetailCRM at {self._where()} rejected the API key{said}. "
                       f"Check the key in the RetailCRM settings.")
        elif status == 403:
            cls = errors.CrmAccessDenied
            message = (f"The API key may not call {what} at {self._where()}{said}. "
                       f"Allow this method (its scope) and the shop for the key in RetailCRM.")
        elif status == 404:
            cls = errors.CrmNotFound
            message = f"{what} at {self._where()}: not found{said}"
        elif status == 400:
            cls = errors.CrmValidationError
            message = f"RetailCRM rejected {what}{said}" + (f": {details}" if details else "")
        elif status == 460:
            cls = errors.CrmPartialFailure
            message = f"RetailCRM applied {what} only in part{said}" + (f": {details}" if details else "")
        elif status in (429, 503):
            cls = errors.CrmRateLimited
            answer = f"HTTP {status}: {error_msg}" if error_msg else f"HTTP {status}"
            message = (f"RetailCRM at {self._where()} is refusing requests ({answer}){tries}; "
                       f"the request limit of the API key is probably exhausted, try again later.")
        elif status >= 500:
            cls = errors.CrmServerError
            message = f"RetailCRM at {self._where()} failed on {what} with HTTP {status}{said}{tries}"
        else:
            cls = errors.CrmError
            message = f"RetailCRM answered {what} with HTTP {status}{said}" + (f": {details}" if details else "")
        return cls(self._redact(message), status=status, error_msg=error_msg, errors=errors_value,
                   method=method, path=path, payload=payload or None)
