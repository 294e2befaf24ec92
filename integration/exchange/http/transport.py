"""The HTTP layer every remote-system client stands on: session, timeouts, pacing, retries, typed failures.

A client for a new system subclasses :class:`HttpTransport` and supplies only what differs:

* ``base_url`` and its auth header(s): ``super().__init__(url, headers={"Authorization": ...},
  secrets=(token,))`` — every value in ``secrets`` is masked in every message and log record;
* ``system_name`` ("BonusPlus"), used in the operator-facing messages;
* ``error_types``: the classes it raises — ``ErrorTypes.under(BonusPlusError, rejected=...)`` makes
  each one a subclass of the system's root error and of the generic class of
  :mod:`integration.exchange.http.errors` (``except NotFound`` works whatever the system); the
  generic classes themselves when left alone;
* ``parse_error(response, payload, method, path, attempts)``: read the system's error body into a
  typed error (the default maps the status: 401 → auth, 403 → access denied, 404, 400/422 →
  rejected, 429/503 → rate limited, 5xx → server error, a 2xx without JSON → malformed);
* optionally ``is_success(response, payload)`` (default: a 2xx with a JSON body) and
  ``refused_statuses`` (statuses the system sends *before* doing anything; default 429);
* its limiter: ``rate_limiter=shared_limiter("bonusplus", token, rate=...)`` (one pacer per
  credential shared by every process through Redis; see :mod:`.ratelimit`).

Calls: ``request_json(method, path, params=, data=, json=, idempotent=None)`` returns the decoded
answer or raises the typed error; ``send(...)`` returns ``(Answer, attempts)`` after the
retry rule, for an adapter that decodes itself (RetailCRM's envelope: override ``decode``).
``path`` is appended to ``base_url``; ``params`` go to the query, ``data`` form-encoded, ``json`` as
JSON. ``stats`` (:class:`TransportStats`) counts attempts, retries, waits; ``retry_limit(n)``
lowers the retries for an interactive call; ``redact(text)``/``snippet(text)`` mask the secrets.

The retry rule: a call is repeated only when repeating cannot make anything happen twice —

* an idempotent call (GET/HEAD/OPTIONS/PUT/DELETE, or any call the caller marks
  ``idempotent=True``, e.g. "set the balance to X") is repeated after any transient network
  failure, a 429 or a 5xx;
* any other call (a POST) is repeated only when it provably never reached the server (connection
  refused, DNS, unreachable, connect timeout) or the server answered a ``refused_statuses``
  status; a read timeout, a reset or a 500/502/504 may come after the change was applied, so such
  a call is not repeated (a lost answer's message says the change may or may not have been applied).

The address must be https (plain http only to this computer: the credentials would cross the
network in clear), else ``error_types.not_configured``. Redirects are never followed (the auth header would go wherever ``Location`` points), pauses use
``Retry-After`` through the shared limiter when given, else exponential backoff with jitter.
"""

from __future__ import annotations

import contextlib
import json as jsonlib
import logging
import random
import re
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urljoin, urlsplit

from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)

from catalog.fields import is_loopback_host
from integration.exchange.http import errors
from integration.exchange.http.answer import Answer, connection_pool
from integration.exchange.http.ratelimit import LocalRateLimiter, RateLimiter
from integration.exchange.http.stats import TransportStats
from integration.exchange.secrets import install_log_record_factory, mask, register_secret

__all__ = ["ErrorTypes", "Failure", "HttpTransport", "IDEMPOTENT_METHODS", "classify", "shared_limiter"]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
SNIPPET_LENGTH = 200


@dataclass(frozen=True)
class ErrorTypes:
    """The classes a transport raises; an adapter passes its own subclasses."""

    base: type = errors.RemoteError
    not_configured: type = errors.NotConfigured
    network: type = errors.NetworkError
    auth: type = errors.AuthError
    access_denied: type = errors.AccessDenied
    not_found: type = errors.NotFound
    rejected: type = errors.Rejected
    rate_limited: type = errors.RateLimited
    server: type = errors.ServerError
    malformed: type = errors.MalformedResponse

    @classmethod
    def under(cls, base: type, **own: type) -> "ErrorTypes":
        """Every class a subclass of ``base`` (the system's root error) and of the generic one:
        ``own`` names the classes the adapter wrote itself, the rest are made (``<Base>NotFound``…)."""
        made = {"base": base}
        for name, generic in vars(cls()).items():
            if name != "base":
                made[name] = own.get(name) or type(base.__name__ + generic.__name__, (base, generic),
                                                   {"__module__": base.__module__})
        return cls(**made)


def _causes(exc: BaseException):
    """Walk an exception and everything it wraps (urllib3 → http.client → socket error)."""
    seen, queue = set(), [exc]
    while queue:
        item = queue.pop(0)
        if item is None or id(item) in seen or not isinstance(item, BaseException):
            continue
        seen.add(id(item))
        yield item
        queue.extend([getattr(item, "reason", None), item.__cause__, item.__context__])
        queue.extend(arg for arg in item.args if isinstance(arg, BaseException))


class Failure:
    """A network failure in plain words, and whether the request can have reached the server."""

    def __init__(self, reason: str, words: str, reached_server: bool, transient: bool = True):
        self.reason, self.words, self.reached_server, self.transient = reason, words, reached_server, transient


# What urllib3 (with its own retries off) raises when no answer came: everything else is a bug of ours.
NETWORK_ERRORS = (HTTPError, OSError)


def classify(exc: BaseException, host: str, timeout: tuple[float, float]) -> Failure:
    connect_timeout, read_timeout = timeout
    causes = list(_causes(exc))
    if any(isinstance(c, NameResolutionError) for c in causes):
        return Failure("dns", f"the host name {host} could not be found (DNS)", False)
    if any(isinstance(c, NewConnectionError) for c in causes):
        # NewConnectionError is raised only while opening the socket: the request was not sent
        if any(isinstance(c, ConnectionRefusedError) for c in causes) or "refused" in str(exc).lower():
            return Failure("refused", "connection refused", False)
        if any(isinstance(c, (TimeoutError, ConnectTimeoutError)) and not isinstance(c, NewConnectionError)
               for c in causes) or "timed out" in str(exc).lower():
            return Failure("connect_timeout", f"no answer within {connect_timeout:g} s while connecting", False)
        return Failure("unreachable", "the host cannot be reached", False)
    if isinstance(exc, ConnectTimeoutError):
        # the TCP connection was never established, so not a byte of the request was sent
        return Failure("connect_timeout", f"no answer within {connect_timeout:g} s while connecting", False)
    if any(isinstance(c, ReadTimeoutError) for c in causes):
        return Failure("read_timeout", f"the request was sent but no answer came within {read_timeout:g} s", True)
    if any(isinstance(c, SSLError) for c in causes):
        return Failure("tls", "the secure (TLS) connection failed — check the certificate and the https address",
                       False, transient=False)
    if any(isinstance(c, (ProtocolError, ConnectionResetError, BrokenPipeError)) for c in causes):
        return Failure("dropped", "the server closed the connection without answering", True)
    return Failure("network", f"network error ({type(exc).__name__})", True)


def shared_limiter(name: str, credential: str, rate: int):
    """The Redis pacer for one credential of system ``name`` (Redis keys ``<name>:ratelimit:<fingerprint>``)."""
    import django_rq

    from integration.exchange.http.ratelimit import RedisRateLimiter

    return RedisRateLimiter(django_rq.get_connection("default"), credential, rate=rate, name=name)


class HttpTransport:
    """One connection pool per client (keep-alive): headers, timeouts, limiter, the retry rule, typed errors."""

    system_name = "the remote system"
    logger_name = "integration.exchange.http"
    error_types = ErrorTypes()
    # statuses a server sends before doing anything (load shedding): any call may be repeated
    refused_statuses = frozenset({429})
    # statuses an idempotent call is repeated on
    retry_statuses = frozenset({429}) | frozenset(range(500, 600))

    def __init__(
        self,
        base_url: str,
        *,
        headers: dict | None = None,
        secrets=(),
        timeout: tuple[float, float] | float = (5, 30),
        rate_limiter: RateLimiter | None = None,
        max_retries: int = 5,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        user_agent: str = "backoffice/1.0",
    ):
        self.base_url = (base_url or "").strip().rstrip("/")
        parts = urlsplit(self.base_url)
        if parts.scheme not in {"http", "https"} or not parts.netloc or (
                parts.scheme == "http" and not is_loopback_host(parts.hostname)):
            raise self.error_types.not_configured(
                f"The {self.system_name} address {base_url!r} is not an https:// address "
                f"(http:// only for 127.0.0.1, ::1, localhost).")
        self.host = parts.hostname or self.base_url
        self.timeout = timeout if isinstance(timeout, tuple) else (min(5.0, timeout), timeout)
        # None: still pace this process (sharing across processes needs Redis: shared_limiter)
        self.rate_limiter = rate_limiter if rate_limiter is not None else LocalRateLimiter()
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.stats = TransportStats()
        self.log = logging.getLogger(self.logger_name)
        self._secrets = tuple(sorted({s for s in secrets if s}, key=len, reverse=True))
        for secret in self._secrets:
            register_secret(secret)
        if self._secrets:
            install_log_record_factory()  # idempotent; every record is then masked, whoever logs it
        self.headers = {"User-Agent": user_agent, "Accept": "application/json",
                        "Accept-Encoding": "gzip, deflate", **(headers or {})}
        self._path_prefix = parts.path
        self._pool = connection_pool(self.base_url, self.timeout)

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        close = getattr(self.rate_limiter, "close", None)
        if close is not None:
            close()  # the limiter's own Redis connection goes back to the pool
        self._pool.close()

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

    def request_json(self, method: str, path: str, *, params=None, data=None, json=None,
                     idempotent: bool | None = None):
        """Send one call (``path`` relative to ``base_url``) and return its decoded answer, or raise."""
        method = method.upper()
        response, attempts = self.send(method, path, params=params, data=data, json=json, idempotent=idempotent)
        return self.decode(response, method, path, attempts)

    def send(self, method: str, path: str, *, params=None, data=None, json=None,
             idempotent: bool | None = None) -> tuple[Answer, int]:
        """The answer after the retry rule (see the module docstring), and how many attempts it took.

        Raises ``error_types.network`` when no answer came; a redirect raises ``error_types.base``.
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        target, body, headers = self._encode(path, params, data, json)
        retry_statuses = self.retry_statuses if idempotent else self.refused_statuses
        attempt = 0
        while True:
            grant = self._wait_for_slot()
            self.stats.requests += 1
            started = time.monotonic()
            try:
                # Never redirected: following would resend the auth header to wherever Location points.
                raw = self._pool.urlopen(method, target, body=body, headers=headers, redirect=False,
                                         assert_same_host=False, preload_content=True)
                response = Answer(raw.status, raw.headers, raw.data, self.base_url + path)
            except NETWORK_ERRORS as exc:
                self.rate_limiter.release(grant)
                self.stats.network_errors += 1
                failure = classify(exc, self.host, self.timeout)
                self.log.debug("%s %s failed after %.0f ms: %s", method, path,
                               (time.monotonic() - started) * 1000, failure.reason)
                # A non-idempotent call is repeated only when it provably never left this machine:
                # the socket could not be opened (refused, DNS, unreachable) or the handshake timed
                # out. Anything later — a read timeout, a reset or a closed connection — may come
                # after the server applied the change, and a second order or payment is worse than
                # an error the operator sees. (A pooled keep-alive connection that the server had
                # closed is detected by urllib3 before reuse and replaced, so such a failure really
                # happened while our request was in flight.)
                repeatable = failure.transient and (idempotent or not failure.reached_server)
                if repeatable and attempt < self.max_retries:
                    attempt += 1
                    self._pause(attempt, None, f"{method} {path}", failure.reason)
                    continue
                raise self.network_error(failure, method, path, attempt + 1, idempotent) from exc
            self.rate_limiter.release(grant)  # the server has counted it by now: its window starts no later
            status = response.status_code
            self.stats.count_status(status)
            self.log.debug("%s %s -> %s in %.0f ms", method, path, status, (time.monotonic() - started) * 1000)
            if status in retry_statuses and attempt < self.max_retries:
                attempt += 1
                self._pause(attempt, response.headers.get("Retry-After"), f"{method} {path}", f"HTTP {status}")
                continue
            if response.is_redirect:
                raise self.redirected(response, method, path)
            return response, attempt + 1

    def _encode(self, path: str, params, data, json) -> tuple[str, bytes | None, dict]:
        """The request target (path and query), the body and the headers of one call."""
        target = self._path_prefix + path
        if params:
            target += ("&" if "?" in target else "?") + urlencode(_pairs(params), doseq=True)
        headers = self.headers
        if json is not None:
            body = jsonlib.dumps(json, ensure_ascii=False, allow_nan=False).encode()
            headers = {**headers, "Content-Type": "application/json"}
        elif data:
            body = urlencode(_pairs(data), doseq=True).encode()
            headers = {**headers, "Content-Type": "application/x-www-form-urlencoded"}
        else:
            body = None
        return target, body, headers

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
            # The server said how long the credential must rest: every process holds back, not
            # only this one, so the pause goes to the shared pacer and the retry waits there.
            self.stats.backoff_seconds += delay
            self.log.info("Retrying %s after %s; %s asked for a pause of %.2f s (attempt %d of %d)", what, why,
                          self.system_name, delay, attempt + 1, self.max_retries + 1)
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
        self.log.info("Retrying %s after %s in %.2f s (attempt %d of %d)", what, why, delay, attempt + 1,
                      self.max_retries + 1)
        time.sleep(delay)

    # -- redaction -------------------------------------------------------------------------

    def redact(self, text: str) -> str:
        """``text`` with every secret of this transport masked (longest first, so overlaps stay masked)."""
        if not text:
            return text
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, mask(secret))
        return text

    def snippet(self, text: str) -> str:
        """The start of a body for a message: whitespace folded, cut, secrets masked (even cut ones)."""
        text = re.sub(r"\s+", " ", text or "").strip()
        cut = text[:SNIPPET_LENGTH] + ("…" if len(text) > SNIPPET_LENGTH else "")
        # mask after cutting too: a secret cut in half by the limit must not survive as a prefix
        cut = self.redact(cut)
        for secret in self._secrets:
            for size in range(len(secret) - 1, 5, -1):
                if cut.endswith(secret[:size] + "…"):
                    return cut[: -size - 1] + "•" * 8 + "…"
        return cut

    # -- answers and errors ----------------------------------------------------------------

    def where(self) -> str:
        return self.base_url + "/"

    def network_error(self, failure: Failure, method: str, path: str, attempts: int, idempotent: bool):
        if failure.reached_server:
            message = f"{self.where()} did not answer {method} {path}: {failure.words}"
            if not idempotent:
                message += " (the change may or may not have been applied, so it was not repeated)"
        else:
            message = f"Cannot connect to {self.where()}: {failure.words}"
        if attempts > 1:
            message += f" (tried {attempts} times)"
        return self.error_types.network(self.redact(message), reason=failure.reason, method=method, path=path)

    def redirected(self, response: Answer, method: str, path: str):
        target = urlsplit(urljoin(response.url, response.headers.get("Location", "")))
        origin = f"{target.scheme}://{target.netloc}" if target.netloc else "?"
        message = (f"{self.where()} answered {method} {path} with a redirect (HTTP {response.status_code}) to "
                   f"{origin}; the credentials are never sent on to another address. If {self.system_name} "
                   f"moved, enter its new address and the credentials again in the settings.")
        return self.error_types.base(self.redact(message), status=response.status_code, method=method, path=path)

    def is_success(self, response: Answer, payload) -> bool:
        return 200 <= response.status_code < 300 and payload is not None

    def decode(self, response: Answer, method: str, path: str, attempts: int):
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if self.is_success(response, payload):
            return payload
        raise self.parse_error(response, payload, method, path, attempts)

    def parse_error(self, response: Answer, payload, method: str, path: str, attempts: int):
        """A typed error for an answer that is not a success; adapters read their error body here."""
        status = response.status_code
        types = self.error_types
        what = f"{method} {path}"
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        said = f": {self.snippet(response.text)!r}" if response.text else ""
        if status < 300:
            cls = types.malformed
            shape = "a body that is not JSON" if payload is None else "JSON of another shape"
            message = (f"{self.where()} answered {what} with HTTP {status} and {shape}, "
                       f"which is not how the {self.system_name} API answers{said}")
        elif status == 401:
            cls, message = types.auth, f"{self.system_name} at {self.where()} rejected the credentials{said}"
        elif status == 403:
            cls, message = types.access_denied, f"The credentials may not call {what} at {self.where()}{said}"
        elif status == 404:
            cls, message = types.not_found, f"{what} at {self.where()}: not found{said}"
        elif status in (400, 422):
            cls, message = types.rejected, f"{self.system_name} rejected {what}{said}"
        elif status in (429, 503):
            cls = types.rate_limited
            message = f"{self.system_name} at {self.where()} is refusing requests (HTTP {status}){tries}{said}"
        elif status >= 500:
            cls = types.server
            message = f"{self.system_name} at {self.where()} failed on {what} with HTTP {status}{tries}{said}"
        else:
            cls, message = types.base, f"{self.system_name} answered {what} with HTTP {status}{said}"
        return cls(self.redact(message), status=status, method=method, path=path, payload=payload)


def _pairs(values) -> list:
    """Query or form fields as pairs, ``None`` values left out (a dict or a list of pairs)."""
    items = values.items() if hasattr(values, "items") else values
    return [(name, value) for name, value in items if value is not None]
