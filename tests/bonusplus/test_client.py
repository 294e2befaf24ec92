"""The client's rules over real HTTP: 412 bodies become typed errors, repeats only where nothing can happen twice."""

import pytest

from loyalty.bonusplus import errors
from loyalty.bonusplus.transport import Transport

from .conftest import MANUAL_PHONE


def test_a_business_error_keeps_code_msg_and_dev_msg(bp, client_bp):
    with pytest.raises(errors.BusinessError) as refused:
        client_bp.reserve(MANUAL_PHONE, "ORDER-X", 100000)
    assert refused.value.status == 412 and refused.value.code and refused.value.msg
    assert refused.value.msg in str(refused.value)


def test_customer_not_found_is_none_not_an_error(client_bp):
    assert client_bp.customer_by_phone("79990009999") is None


def test_a_calculation_is_repeated_after_a_server_error(bp, client_bp):
    bp.set_faults(error_rate=1.0, status=500, match="retail/calc", count=1)
    item = {"ext": "1", "product": "p1", "qnt": 1, "price": 100.0, "sum": 100.0, "ds": 0}
    assert "maxDebitBonuses" in client_bp.calc({"phone": MANUAL_PHONE, "items": [item], "bonusDebit": 0, "store": "S"})
    assert client_bp.requests_sent == 2


def test_an_sms_is_never_sent_twice_after_a_lost_answer(bp, client_bp):
    bp.set_faults(error_after_rate=1.0, status=500, match="sendCode", count=1)
    with pytest.raises(errors.ServerError) as failed:
        client_bp.send_code("79995550044")
    assert failed.value.nothing_happened is None
    assert len([sms for sms in bp.snapshot()["sms"] if sms["phone"] == "79995550044"]) == 1


def test_a_wrong_key_is_an_auth_error(bp):
    with Transport(bp.api_url, "11111111-2222-3333-4444-555555555555") as transport, pytest.raises(errors.AuthError):
        transport.call("GET", "account", safe=True)


def test_plain_http_only_on_loopback():
    with pytest.raises(errors.NotConfigured):
        Transport("http://bonusplus.example.com/api/", "key-123456")
