"""Rate limit with its statistics, injected faults, reset."""

import time

import pytest
import requests

from sandbox.retailcrm.testing import SandboxServer


def test_more_than_rps_requests_per_second_get_503_and_are_counted():
    with SandboxServer(rps=5, extra_keys={"other": {}}) as server:
        session = requests.Session()
        codes = [session.get(f"{server.api_url}/reference/units", headers={"X-API-KEY": "sandbox-key"},
                             timeout=5).status_code for _ in range(8)]
        assert codes[:5] == [200] * 5 and codes[5:] == [503] * 3
        rejected = session.get(f"{server.api_url}/reference/units", headers={"X-API-KEY": "sandbox-key"}, timeout=5)
        assert rejected.json() == {"success": False, "errorMsg": "Rate limit exceeded"}
        # the limit is per key
        assert session.get(f"{server.api_url}/reference/units", headers={"X-API-KEY": "other"},
                           timeout=5).status_code == 200
        stats = session.get(f"{server.url}/sandbox/state", timeout=5).json()["rate"]
        assert stats["sandbox-key"] == {"max_per_second": 9, "total": 9, "rejected_503": 4}
        assert stats["other"]["rejected_503"] == 0


def test_a_paced_client_never_exceeds_the_window():
    with SandboxServer(rps=5) as server:
        session = requests.Session()
        for burst in range(2):
            for _ in range(5):
                assert session.get(f"{server.api_url}/reference/units", headers={"X-API-KEY": "sandbox-key"},
                                   timeout=5).status_code == 200
            if burst == 0:
                time.sleep(1.05)
        assert server.rate_stats()["sandbox-key"] == {"max_per_second": 5, "total": 10, "rejected_503": 0}


def test_rate_can_be_changed_at_run_time(sandbox):
    answer = requests.post(f"{sandbox.url}/sandbox/rate", json={"rps": 2}, timeout=5)
    assert answer.json() == {"success": True, "rps": 2}
    codes = [requests.get(f"{sandbox.api_url}/reference/units", headers={"X-API-KEY": "sandbox-key"},
                          timeout=5).status_code for _ in range(3)]
    assert codes == [200, 200, 503]


def test_error_rate_answers_with_the_configured_status(sandbox, api):
    answer = requests.post(f"{sandbox.url}/sandbox/faults", json={"error_rate": 1.0, "status": 502}, timeout=5)
    assert answer.json()["faults"]["error_rate"] == 1.0
    failed = api.get("reference/units")
    assert (failed.status_code, failed.json()["success"]) == (502, False)
    sandbox.set_faults(error_rate=1.0)
    assert api.get("reference/units").status_code == 503  # the default fault status
    requests.post(f"{sandbox.url}/sandbox/faults", json={}, timeout=5)
    assert api.get("reference/units").status_code == 200


def test_malformed_answers_are_not_json_but_the_write_happened(sandbox, api):
    import json

    sandbox.set_faults(malformed_rate=1.0)
    answer = api.post("customers/create", data={"site": "main-shop", "customer": json.dumps({"externalId": "MAL-1"})})
    assert answer.status_code == 200
    with pytest.raises(ValueError):
        answer.json()
    sandbox.set_faults()
    assert api.get("customers/MAL-1", params={"site": "main-shop"}).status_code == 200


def test_dropped_connections_close_without_an_answer(sandbox, api):
    sandbox.set_faults(drop_rate=1.0)
    with pytest.raises(requests.ConnectionError):
        api.get("reference/units")
    sandbox.set_faults()
    assert api.get("reference/units").status_code == 200


def test_fault_rates_apply_to_a_fraction_of_requests(sandbox, api):
    sandbox.set_faults(error_rate=0.5)
    codes = [api.get("reference/units").status_code for _ in range(60)]
    assert 10 < codes.count(503) < 50 and codes.count(200) + codes.count(503) == 60


def test_invalid_fault_settings_are_refused(sandbox):
    answer = requests.post(f"{sandbox.url}/sandbox/faults", json={"error_rate": 2}, timeout=5)
    assert answer.status_code == 400
    assert requests.post(f"{sandbox.url}/sandbox/faults", json={"typo": 1}, timeout=5).status_code == 400


def test_reset_restores_the_seed_and_clears_faults(sandbox, api):
    import json

    api.post("orders/create", data={"site": "main-shop", "order": json.dumps({"externalId": "TEMP"})})
    sandbox.set_faults(latency_ms=5)
    assert requests.post(f"{sandbox.url}/sandbox/reset", timeout=5).json() == {"success": True}
    state = requests.get(f"{sandbox.url}/sandbox/state", timeout=5).json()
    assert state["counts"]["orders"] == 200 and state["faults"]["latency_ms"] == 0
    assert state["lastHistoryId"] == len(sandbox.state.history)
    assert api.get("orders/TEMP", params={"site": "main-shop"}).status_code == 404


def test_an_answer_dropped_after_apply_leaves_the_write_made(sandbox, api):
    import json

    sandbox.set_faults(drop_after_rate=1.0, match="customers/create", count=1)
    with pytest.raises(requests.ConnectionError):
        api.post("customers/create", data={"site": "main-shop", "customer": json.dumps({"externalId": "DROP-1"})})
    assert api.get("customers/DROP-1", params={"site": "main-shop"}).status_code == 200
    assert sandbox.app.faults.config["drop_after_rate"] == 0  # count=1 switched the fault off
