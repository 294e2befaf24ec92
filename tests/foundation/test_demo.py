"""`make demo` runs on embedded defaults (SQLite, embedded Redis) and stops cleanly."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_the_demo_starts_answers_and_stops_everything(tmp_path):
    port, sandbox_port = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update({"DEBUG": "true", "VAR_DIR": str(tmp_path / "var")})
    demo = subprocess.Popen(
        [sys.executable, "manage.py", "demo", "--port", str(port), "--sandbox-port", str(sandbox_port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    output = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = demo.stdout.readline()
            if not line and demo.poll() is not None:
                break
            output.append(line)
            if "Press Ctrl-C" in line:
                break
        assert "Press Ctrl-C" in "".join(output), "".join(output)[-3000:]
        assert f"http://127.0.0.1:{port}/admin/" in "".join(output)
        text = "".join(output)
        # The first exchange: every step of it succeeded, with the demo's figures.
        for job in ("check-connection", "sync-references", "refresh-loyalty", "generate-catalog", "export-stock",
                    "export-prices", "import-orders"):
            assert f"  {job}… Succeeded" in text, text[-3000:]
        assert "offers 80" in text and "orders_created 200" in text and "accepted 72" in text
        # The demo maps B7 as an operator would: no order is written with a default delivery method.
        assert "import-orders… Succeeded (" in text and "orders_with_defaults" not in text, text[-3000:]
        assert requests.get(f"http://127.0.0.1:{port}/health/", timeout=10).json()["status"] == "ok"
        session = requests.Session()
        login = session.get(f"http://127.0.0.1:{port}/admin/login/", timeout=10)
        assert login.status_code == 200
        response = session.post(
            f"http://127.0.0.1:{port}/admin/login/?next=/admin/",
            data={"username": "admin", "password": "admin", "csrfmiddlewaretoken": session.cookies["csrftoken"]},
            headers={"Referer": login.url}, timeout=10,
        )
        assert response.status_code == 200 and "Log out" in response.text
        for page in ("integration/crmsettings/", "integration/jobrun/", "catalog/product/", "integration/statusimportmapping/",
                     "integration/jobrun/dashboard/", "loyalty/registrationcandidate/"):
            assert session.get(f"http://127.0.0.1:{port}/admin/{page}", timeout=10).status_code == 200, page
        orders = session.get(f"http://127.0.0.1:{port}/admin/integration/order/", timeout=10).text
        assert "200 orders" in orders or "200 заказ" in orders
        # The change the demo suggests arrives through the running scheduler and worker.
        suggestion = re.search(r"curl -X POST (\S+) -d '(.+?)'\n  then watch (\S+) ", text)
        assert suggestion, text[-3000:]
        assert "assembling" not in session.get(suggestion.group(3), timeout=10).text
        assert requests.post(suggestion.group(1), data=suggestion.group(2), timeout=10).ok
        deadline = time.monotonic() + 150
        while "assembling" not in session.get(suggestion.group(3), timeout=10).text:
            assert time.monotonic() < deadline, "the suggested CRM change did not arrive"
            time.sleep(3)
        children = psutil.Process(demo.pid).children(recursive=True)
        assert len(children) >= 3  # web, worker, scheduler (+ sandbox, embedded Redis)
        assert (tmp_path / "var" / "db.sqlite3").exists()
    finally:
        demo.send_signal(signal.SIGTERM)
        demo.wait(timeout=30)
    gone, alive = psutil.wait_procs(children, timeout=15)
    assert not alive, [p.cmdline() for p in alive]
