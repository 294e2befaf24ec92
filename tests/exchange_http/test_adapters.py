"""Adapters on the shared base: RetailCRM's errors are the generic classes, limiters are per system."""

import pytest

from integration.exchange.http import errors
from integration.exchange.http.transport import shared_limiter
from integration.retailcrm.client import errors as crm
from integration.retailcrm.client.transport import CrmTransport
from tests.exchange_http.conftest import Step


@pytest.mark.parametrize(("specific", "generic"), [
    (crm.CrmError, errors.RemoteError), (crm.CrmNotConfigured, errors.NotConfigured),
    (crm.CrmAuthError, errors.AuthError), (crm.CrmAccessDenied, errors.AccessDenied),
    (crm.CrmNotFound, errors.NotFound), (crm.CrmValidationError, errors.Rejected),
    (crm.CrmRateLimited, errors.RateLimited), (crm.CrmServerError, errors.ServerError),
    (crm.CrmNetworkError, errors.NetworkError), (crm.CrmMalformedResponse, errors.MalformedResponse),
])
def test_every_retailcrm_error_is_its_generic_class(specific, generic):
    assert issubclass(specific, generic)


def test_retailcrm_repeats_a_post_after_a_lost_answer_only_when_the_caller_marks_it_idempotent(server, fast):
    server.on("POST", "/api/v5/store/inventories/upload", Step(delay=5), Step(200, {"success": True}))
    transport = CrmTransport(server.url, "crm-key-0123456789abcdef", **fast)
    with pytest.raises(crm.CrmNetworkError, match="not repeated"):
        transport.post("/store/inventories/upload", {"offers": []})
    assert server.count("POST", "/api/v5/store/inventories/upload") == 1
    server.on("POST", "/api/v5/store/inventories/upload", Step(delay=5), Step(200, {"success": True}))
    assert transport.post("/store/inventories/upload", {"offers": []}, idempotent=True) == {"success": True}
    assert server.count("POST", "/api/v5/store/inventories/upload") == 3


def test_each_system_paces_its_own_credential(clean_redis):
    bonusplus = shared_limiter("bonusplus", "same-credential-123", rate=5)
    retailcrm = shared_limiter("retailcrm", "same-credential-123", rate=10)
    assert bonusplus.key.startswith("bonusplus:ratelimit:") and retailcrm.key.startswith("retailcrm:ratelimit:")
    assert "same-credential-123" not in bonusplus.key
    grant = bonusplus.acquire()
    bonusplus.release(grant)
    assert clean_redis.exists(bonusplus.key) and not clean_redis.exists(retailcrm.key)
