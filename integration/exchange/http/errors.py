"""Failure classes shared by every remote system.

An adapter's errors subclass these (``class CrmAuthError(CrmError, AuthError)``), so the exchange
machinery can decide from the generic type alone — stop the exchange, record against one entity,
retry later — without knowing which system answered, while the adapter keeps its own names and
messages. Messages are built redacted by the transport; they are read by shop operators.
"""

from __future__ import annotations

__all__ = [
    "AccessDenied",
    "AuthError",
    "MalformedResponse",
    "NetworkError",
    "NotConfigured",
    "NotFound",
    "RateLimited",
    "Rejected",
    "RemoteError",
    "ServerError",
    "TIMEOUT_REASONS",
    "is_transient",
]

# NetworkError.reason values meaning "no answer in time"
TIMEOUT_REASONS = frozenset({"connect_timeout", "read_timeout"})


class RemoteError(Exception):
    """Anything that went wrong talking to a remote system.

    ``status`` is the HTTP status (None when no answer arrived), ``method``/``path`` the call,
    ``payload`` the decoded answer when there was one, ``reason`` a network failure's code.
    """

    def __init__(self, message: str, *, status: int | None = None, method: str | None = None,
                 path: str | None = None, payload=None, reason: str | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.method = method
        self.path = path
        self.payload = payload
        self.reason = reason

    def __str__(self) -> str:
        return self.message


class NotConfigured(RemoteError):
    """The address or the credentials are missing or unusable; nothing was sent."""


class AuthError(RemoteError):
    """The credentials themselves were refused: no request with them can succeed."""


class AccessDenied(RemoteError):
    """The credentials are valid but may not make this call."""


class NotFound(RemoteError):
    """404: the entity (or, with a wrong address, the API method) does not exist."""


class Rejected(RemoteError):
    """The server refused the parameters or the entity (400, 422)."""


class RateLimited(RemoteError):
    """The server still refused for load (429, 503) after every retry allowed."""


class ServerError(RemoteError):
    """Any other 5xx after every retry the call allows."""


class NetworkError(RemoteError):
    """No HTTP answer: refused, unresolvable host, timeout, dropped connection, TLS (see ``reason``)."""

    @property
    def timed_out(self) -> bool:
        return self.reason in TIMEOUT_REASONS


class MalformedResponse(RemoteError):
    """An answer that is not in the shape the system's API answers in."""


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc`` passes by itself (busy, server error, network), so a later retry makes sense.

    Everything else needs a person (wrong credentials, scope, address, a TLS certificate that does
    not match), and retrying only spends the rate budget.
    """
    if isinstance(exc, NetworkError):
        return exc.reason != "tls"
    return isinstance(exc, (RateLimited, ServerError))
