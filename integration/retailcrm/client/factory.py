"""Building the client from the admin's CRM settings and Django settings.

The only module of the package that touches Django; everything is imported inside the
function so ``client.py`` stays usable from plain Python (benchmarks, sandbox tests).
"""

from __future__ import annotations

from integration.retailcrm.client import errors
from integration.retailcrm.client.client import RetailCrmClient

__all__ = ["client_from_settings"]


def client_from_settings(crm_settings=None, **overrides) -> RetailCrmClient:
    """A client for the configured account, rate-limited through the shared Redis.

    ``crm_settings`` defaults to the ``CrmSettings`` singleton; ``overrides`` go to the
    client's constructor (e.g. ``max_retries``). Raises :class:`CrmNotConfigured` with an
    operator-readable message when the address or the key is missing.
    """
    import django_rq
    from django.conf import settings

    from integration.exchange.http.ratelimit import RedisRateLimiter

    if crm_settings is None:
        from integration.models import CrmSettings

        crm_settings = CrmSettings.get_solo()
    if not crm_settings.crm_url or not crm_settings.api_key:
        from django.utils.translation import gettext as _

        raise errors.CrmNotConfigured(
            _("RetailCRM is not configured: enter the CRM address and the API key in RetailCRM settings.")
        )
    rps = int(getattr(settings, "RETAILCRM_RATE_LIMIT_RPS", 10))
    read_timeout = float(getattr(settings, "RETAILCRM_TIMEOUT", 30))
    limiter = RedisRateLimiter(django_rq.get_connection("default"), crm_settings.api_key, rate=rps)
    options = {
        "timeout": (min(5.0, read_timeout), read_timeout),
        "rate_limiter": limiter,
        "site": crm_settings.site_code or None,
        **overrides,
    }
    return RetailCrmClient(crm_settings.crm_url, crm_settings.api_key, **options)
