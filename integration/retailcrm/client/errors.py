"""Typed RetailCRM errors.

Callers decide what to do from the type alone: a bad key stops the whole exchange, a missing
order is recorded against that order, a rate limit is retried later. Every message is meant to
be read by a shop operator in the exchange log, so it says what was asked, of whom, and what
came back, in plain words; the client redacts the API key before an error is built.
"""

from __future__ import annotations

from typing import Any

from integration.exchange.http import errors as generic

__all__ = [
    "CrmAccessDenied",
    "CrmAuthError",
    "CrmError",
    "CrmMalformedResponse",
    "CrmNetworkError",
    "CrmNotConfigured",
    "CrmNotFound",
    "CrmPartialFailure",
    "CrmRateLimited",
    "CrmServerError",
    "CrmValidationError",
    "is_transient",
]


class CrmError(generic.RemoteError):
    """Anything that went wrong talking to RetailCRM.

    ``status`` is the HTTP status (None when no answer arrived), ``error_msg`` the server's
    ``errorMsg``, ``errors`` its ``errors`` member as sent (a field → message dict or a list of
    strings), ``payload`` the whole decoded answer when there was one.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error_msg: str | None = None,
        errors: dict | list | None = None,
        method: str | None = None,
        path: str | None = None,
        payload: dict | None = None,
    ):
        super().__init__(message, status=status, method=method, path=path, payload=payload)
        self.error_msg = error_msg
        self.errors = errors if errors is not None else {}

    @property
    def error_list(self) -> list[str]:
        """``errors`` flattened to "field: message" lines, whichever shape the server used."""
        if isinstance(self.errors, dict):
            return [f"{field}: {text}" for field, text in self.errors.items()]
        return [str(item) for item in self.errors]


class CrmNotConfigured(CrmError, generic.NotConfigured):
    """The address or the API key is not filled in; nothing was sent."""


class CrmAuthError(CrmError, generic.AuthError):
    """403 because the key itself is wrong or missing: no request with it can succeed."""


class CrmAccessDenied(CrmError, generic.AccessDenied):
    """403 "Access denied": the key is valid but lacks the scope (or shop) this method needs."""


class CrmNotFound(CrmError, generic.NotFound):
    """404: the entity (or, with a wrong address, the API method) does not exist."""


class CrmValidationError(CrmError, generic.Rejected):
    """400: the server rejected the parameters or the entity; ``errors`` says which fields."""


class CrmPartialFailure(CrmError):
    """460: a batch was applied only in part; ``payload`` keeps what was and was not applied."""


class CrmRateLimited(CrmError, generic.RateLimited):
    """503/429 still answered after every retry: the account's request budget is exhausted."""


class CrmServerError(CrmError, generic.ServerError):
    """Any other 5xx after every retry the method allows."""


class CrmNetworkError(CrmError, generic.NetworkError):
    """No HTTP answer at all: refused, unresolvable host, timeout, dropped connection, TLS."""

    def __init__(self, message: str, *, reason: str, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.reason = reason


class CrmMalformedResponse(CrmError, generic.MalformedResponse):
    """An answer that is not the RetailCRM envelope (not JSON, or JSON without ``success``)."""


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc`` passes by itself: the CRM busy (429/503), a server error, the network.

    Everything else needs a person — a wrong key (:class:`CrmAuthError`), a missing scope or shop
    (:class:`CrmAccessDenied`), a wrong address (:class:`CrmNotFound`, :class:`CrmMalformedResponse`),
    a certificate that does not match (a TLS failure) — and retrying only spends the rate budget.
    """
    return generic.is_transient(exc)
