"""RetailCRM API v5 client (no Django imports here; see factory.py for the configured instance)."""

from integration.retailcrm.client.client import RetailCrmClient, batched
from integration.retailcrm.client.errors import (
    CrmAccessDenied,
    CrmAuthError,
    CrmError,
    CrmMalformedResponse,
    CrmNetworkError,
    CrmNotConfigured,
    CrmNotFound,
    CrmPartialFailure,
    CrmRateLimited,
    CrmServerError,
    CrmValidationError,
)
from integration.exchange.secrets import SecretMaskingFilter, mask_secret
from integration.exchange.http.ratelimit import Grant, LocalRateLimiter, RedisRateLimiter
from integration.retailcrm.client.results import ClientStats, HistoryPage, Page, UploadResult

__all__ = [
    "ClientStats",
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
    "HistoryPage",
    "Grant",
    "LocalRateLimiter",
    "Page",
    "RedisRateLimiter",
    "RetailCrmClient",
    "SecretMaskingFilter",
    "UploadResult",
    "batched",
    "mask_secret",
]
