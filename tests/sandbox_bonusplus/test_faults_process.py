"""Injected faults from sandbox.http: answers dropped after the change was applied, 5xx, timeouts; the CLI."""

import pytest
import requests

from sandbox.bonusplus.testing import BonusPlusProcess, BonusPlusServer

from .conftest import PHONE, business_error

RESERVE = f"customer/{PHONE}/balance/reserve"
SALE = {"phone": PHONE, "items": [{"sum": 1000, "qnt": 1, "product": "P", "ext": "1"}], "bonusDebit": 100,
        "externalId": "SALE-9"}


def test_a_dropped_answer_after_a_reserve_leaves_the_reserve_applied_once(bp, api):
    bp.set_faults(drop_after_rate=1.0, match="balance/reserve", count=1)
    with pytest.raises(requests.ConnectionError):
        api.patch(RESERVE, json={"id": "ORDER-7", "amount": 150})
    assert bp.snapshot()["reserves"] == [{"phone": PHONE, "id": "ORDER-7", "amount": 150}]
    # the fault was for one request only; the client's retry is answered and does not double the reserve
    assert api.patch(RESERVE, json={"id": "ORDER-7", "amount": 150}).status_code == 204
    assert bp.customer(PHONE)["reserved"] == 150 and bp.snapshot()["faults"]["drop_after_rate"] == 0


def test_a_dropped_answer_after_a_purchase_keeps_one_purchase_and_the_retry_is_refused(bp, api):
    bp.set_faults(drop_after_rate=1.0, match="^POST /api/retail$", count=1)
    with pytest.raises(requests.ConnectionError):
        api.post("retail", json=SALE)
    balance = bp.customer(PHONE)["bonuses"]
    assert balance == 500 - 100 + 45 and len(bp.snapshot()["purchases"]) == 1
    business_error(api.post("retail", json=SALE), "EXTERNAL_ID_ALREADY_EXISTS")
    assert bp.customer(PHONE)["bonuses"] == balance


def test_a_5xx_after_apply_and_a_5xx_before_apply_differ_only_in_the_state(bp, api):
    bp.set_faults(error_after_rate=1.0, status=502, count=1)
    answer = api.patch(RESERVE, json={"id": "A", "amount": 10})
    assert answer.status_code == 502 and answer.json() == {"Message": "An error has occurred."}
    assert bp.customer(PHONE)["reserved"] == 10
    bp.set_faults(error_rate=1.0, status=500, count=1)
    assert api.patch(RESERVE, json={"id": "B", "amount": 20}).status_code == 500
    assert bp.customer(PHONE)["reserved"] == 10


def test_a_timeout_after_apply_times_the_client_out_with_the_change_made(bp, api):
    bp.set_faults(timeout_after_rate=1.0, timeout_ms=30_000, match="balance/reserve", count=1)
    with pytest.raises(requests.Timeout):
        api.patch(RESERVE, json={"id": "T", "amount": 30}, timeout=1)
    assert bp.customer(PHONE)["reserved"] == 30


def test_a_timeout_before_apply_changes_nothing(bp, api):
    bp.set_faults(timeout_rate=1.0, timeout_ms=30_000, match="balance/reserve", count=1)
    with pytest.raises(requests.Timeout):
        api.patch(RESERVE, json={"id": "T", "amount": 30}, timeout=1)
    assert bp.customer(PHONE)["reserved"] == 0
    assert api.patch(RESERVE, json={"id": "T", "amount": 30}).status_code == 204  # count=1: the fault is gone


def test_faults_outside_the_match_do_not_apply(bp, api):
    bp.set_faults(error_rate=1.0, match="retail/calc")
    assert api.get("customer", params={"phone": PHONE}).status_code == 200
    assert api.put("retail/calc", json={"phone": PHONE, "items": SALE["items"], "bonusDebit": 0}).status_code == 503


def test_fault_settings_are_set_over_http_and_bad_ones_refused(bp, api):
    answer = requests.post(bp.url + "/sandbox/faults", json={"drop_after_rate": 1.0, "count": 2}, timeout=5)
    assert answer.json()["faults"]["drop_after_rate"] == 1.0
    for _ in range(2):
        with pytest.raises(requests.ConnectionError):
            api.get("account")
    assert api.get("account").status_code == 200
    assert requests.post(bp.url + "/sandbox/faults", json={"drop_after_rate": 3}, timeout=5).status_code == 400
    assert requests.post(bp.url + "/sandbox/faults", json={"match": "("}, timeout=5).status_code == 400


def test_over_the_rate_limit_the_answer_is_429():
    with BonusPlusServer(seed="empty", rps=2) as server:
        codes = [requests.get(server.api_url + "account", headers=server.headers, timeout=5).status_code
                 for _ in range(3)]
        assert codes == [200, 200, 429]
        assert server.rate_stats()[server.api_key]["rejected_503"] == 1  # the shared limiter's counter name


def test_reset_restores_the_seed(bp, api):
    api.post("customer", json={"phone": "79161111111"})
    bp.set_faults(latency_ms=1)
    assert requests.post(bp.url + "/sandbox/reset", timeout=5).json() == {"success": True}
    state = bp.snapshot()
    assert state["counts"]["customers"] == 0 and state["faults"]["latency_ms"] == 0


def test_unknown_paths_and_methods_answer_like_the_framework(api):
    assert api.get("nothing/here").status_code == 404
    assert api.call("DELETE", "retail").status_code == 405
    malformed = api.post("customer", data="{not json", headers=dict(api.server.headers))
    assert malformed.status_code == 400 and "Message" in malformed.json()


def test_the_emulator_runs_as_a_program_with_the_same_operator_endpoints(tmp_path):
    with BonusPlusProcess(seed="demo") as process:
        found = requests.get(process.api_url + "customer", params={"ean": "123456789"}, headers=process.headers,
                             timeout=10)
        assert found.json()["phone"] == "70001110000" and found.json()["availableBonuses"] == 100
        process.add_customers({"phone": "79995550000", "bonuses": 7})
        process.set_faults(drop_after_rate=1.0, count=1)
        with pytest.raises(requests.ConnectionError):
            requests.patch(process.api_url + "customer/79995550000/balance/reserve", json={"id": "X", "amount": 7},
                           headers=process.headers, timeout=10)
        assert process.customer("79995550000")["reserved"] == 7
