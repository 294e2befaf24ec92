"""Operator endpoints for reference changes, state file persistence and the command line."""

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def test_rename_a_status_and_remove_a_store(sandbox, api):
    renamed = requests.post(f"{sandbox.url}/sandbox/references/statuses/assembling", json={"name": "Packing"},
                            timeout=5)
    assert renamed.status_code == 200
    added = requests.post(f"{sandbox.url}/sandbox/references/statuses/on-hold",
                          json={"name": "On hold", "group": "approval", "ordering": 25}, timeout=5)
    assert added.status_code == 201
    removed = requests.post(f"{sandbox.url}/sandbox/references/stores/north/delete", json={}, timeout=5)
    assert removed.json() == {"success": True}
    statuses = api.get("reference/statuses").json()["statuses"]
    assert statuses["assembling"]["name"] == "Packing" and statuses["on-hold"]["group"] == "approval"
    assert "on-hold" in api.get("reference/status-groups").json()["statusGroups"]["approval"]["statuses"]
    assert [s["code"] for s in api.get("reference/stores").json()["stores"]] == ["main", "shop-floor"]
    assert requests.post(f"{sandbox.url}/sandbox/references/stores/north/delete", json={}, timeout=5).status_code == 404
    assert requests.post(f"{sandbox.url}/sandbox/references/planets/x", json={}, timeout=5).status_code == 400


def test_operator_endpoint_errors(sandbox):
    assert requests.post(f"{sandbox.url}/sandbox/orders/1/edit", json={}, timeout=5).status_code == 404
    bad = requests.post(f"{sandbox.url}/sandbox/orders/1001/edit", json={"status": "nope"}, timeout=5)
    assert bad.status_code == 400 and bad.json()["errors"] == {"status": '"nope" is not a valid status code.'}
    assert requests.post(f"{sandbox.url}/sandbox/orders/1001/edit", data="{oops", timeout=5).status_code == 400
    assert requests.get(f"{sandbox.url}/sandbox/nothing", timeout=5).status_code == 404


def test_operator_payment_delete(sandbox, api):
    order = next(o for o in sandbox.state.orders.values() if o["payments"])
    payment_id = order["payments"][0]["id"]
    answer = requests.post(f"{sandbox.url}/sandbox/orders/{order['id']}/edit", timeout=5,
                           json={"payments": [{"id": payment_id, "delete": True}]})
    assert str(payment_id) not in answer.json()["order"]["payments"]
    last = api.get("orders/history", params={"filter[orderId]": order["id"], "limit": 100}).json()["history"][-1]
    assert last["field"] == "payments" and last["newValue"] is None and last["oldValue"]["id"] == payment_id


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_cli(*args):
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox.retailcrm", "--host", "127.0.0.1", *args],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    line = process.stdout.readline()
    assert "RetailCRM sandbox ready at http://127.0.0.1:" in line, process.stderr.read()
    return process, line.split(" ready at ")[1].split()[0]


def stop_cli(process):
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0


def test_cli_serves_persists_and_stops_on_sigterm(tmp_path):
    state_file = tmp_path / "crm.json"
    port = free_port()
    process, url = start_cli("--port", str(port), "--seed", "demo", "--api-key", "cli-key", "--rps", "50",
                             "--state", str(state_file))
    try:
        assert url == f"http://127.0.0.1:{port}"
        headers = {"X-API-KEY": "cli-key"}
        listed = requests.get(f"{url}/api/v5/orders", headers=headers, timeout=5).json()
        assert listed["pagination"]["totalCount"] == 200
        made = requests.post(f"{url}/api/v5/orders/create", headers=headers, timeout=5,
                             data={"site": "main-shop", "order": json.dumps({"externalId": "CLI-1"})})
        assert made.status_code == 201
        assert requests.get(f"{url}/api/v5/orders", headers={"X-API-KEY": "sandbox-key"}, timeout=5).status_code == 403
    finally:
        stop_cli(process)
    assert state_file.exists()

    process, url = start_cli("--port", "0", "--seed", "empty", "--state", str(state_file))
    try:
        again = requests.get(f"{url}/api/v5/orders/CLI-1", params={"site": "main-shop"},
                             headers={"X-API-KEY": "sandbox-key"}, timeout=5)
        assert again.status_code == 200  # the state file wins over the seed
    finally:
        stop_cli(process)


def test_cli_refuses_non_loopback_hosts():
    result = subprocess.run([sys.executable, "-m", "sandbox.retailcrm", "--host", "0.0.0.0", "--port", "0"],
                            cwd=ROOT, capture_output=True, text=True, timeout=30,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode != 0 and "loopback" in result.stderr
