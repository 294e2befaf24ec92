"""Building the client from the stored settings, with the rate limit every worker shares."""

from django.conf import settings

from integration.exchange.http.transport import shared_limiter
from loyalty.bonusplus import assumptions, errors
from loyalty.bonusplus.client import BonusPlusClient
from loyalty.bonusplus.models import BonusPlusSettings
from loyalty.bonusplus.transport import Transport


def rate_per_second() -> int:
    return int(getattr(settings, "BONUSPLUS_RATE_LIMIT_RPS", assumptions.RATE_PER_SECOND))


def client_from_settings(row: BonusPlusSettings | None = None) -> BonusPlusClient:
    row = row or BonusPlusSettings.get_solo()
    if not row.is_configured:
        raise errors.NotConfigured()
    limiter = shared_limiter("bonusplus", row.api_key, rate_per_second())
    return BonusPlusClient(Transport(row.base_url, row.api_key, rate_limiter=limiter))
