"""Webhook storm (issue 12): 50 concurrent triggers for one order → how many imports, CRM requests, answer times.

    .venv/bin/python bench/webhook_storm.py [--triggers 50] [--rounds 2]

Everything real: the sandbox CRM in its own process (10 requests/s, 150 ms per answer, as a
real account), the live web server (gunicorn, 2 processes × 8 threads, as in production), one
real ``rqworker orders`` process, the embedded Redis and a SQLite database. Each round creates a
new order in the CRM, fires ``--triggers`` concurrent trigger calls for it, waits until every
import has finished and counts the import runs (JobRun rows), the CRM requests they made and the
webhook answer times. Figures go to bench/results.json under ``webhook_storm``.
"""

import argparse
import math
import os
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import common  # noqa: E402,F401  (Django set-up: must come first)


ROOT = common.ROOT
TOKEN = "bench-storm-secret-0123456789"
CRM_LATENCY_MS = 150


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.05)


def _prepare(server) -> None:
    from django.core.management import call_command

    from catalog.demo import seed_demo_catalog
    from integration import models as im
    from integration.exchange.jobs import run_inline

    call_command("migrate", verbosity=0)
    seed_demo_catalog()
    row = im.CrmSettings.get_solo()
    row.crm_url, row.api_key, row.site_code, row.connection_ok = server.url, server.api_key, "main-shop", True
    row.webhook_token = TOKEN
    row.save()
    run_inline("sync-references")
    im.StatusImportMapping.objects.get_or_create(
        crm_status=im.CrmStatus.objects.get(code="new"), defaults={"local_state": im.OrderState.objects.get(code="to-fulfil")})


def _round(server, web_url: str, triggers: int, n: int) -> dict:
    import requests

    from integration.models import JobRun, Order

    crm_id = requests.post(f"{server.url}/sandbox/orders", timeout=10, json={
        "site": "main-shop", "status": "new", "phone": f"+7933{n:07d}",
        "items": [{"offer": {"externalId": "DEMO-0001"}, "quantity": 1}]}).json()["id"]
    before = server.rate_stats().get(server.api_key, {}).get("total", 0)
    url = f"{web_url}/webhooks/retailcrm/{TOKEN}/"

    def trigger(_i):
        started = time.perf_counter()
        answer = requests.post(url, data={"id": crm_id}, timeout=60)
        return answer.status_code, (time.perf_counter() - started) * 1000

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=triggers) as pool:
        answers = list(pool.map(trigger, range(triggers)))
    burst_ms = (time.perf_counter() - started) * 1000
    _wait_for(lambda: not JobRun.objects.filter(scope=str(crm_id)).exclude(status__in=JobRun.FINISHED).exists()
              and Order.objects.filter(crm_id=crm_id).exists(), 120, "the imports to finish")
    runs = JobRun.objects.filter(kind="import-order", scope=str(crm_id))
    times = sorted(ms for _status, ms in answers)
    return {
        "triggers": triggers,
        "answered_200": sum(1 for status, _ms in answers if status == 200),
        "imports": runs.exclude(status=JobRun.Status.SKIPPED).count(),
        "skipped_runs": runs.filter(status=JobRun.Status.SKIPPED).count(),
        "crm_requests": server.rate_stats()[server.api_key]["total"] - before,
        "rejected_503": server.rate_stats()[server.api_key]["rejected_503"],
        "burst_ms": round(burst_ms, 1),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[max(0, math.ceil(len(times) * 0.95) - 1)], 1),
        "max_ms": round(times[-1], 1),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--triggers", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    from django.conf import settings

    from sandbox.retailcrm.testing import SandboxProcess

    env = {**os.environ, "REDIS_URL": settings.REDIS_URL, "RETAILCRM_RATE_LIMIT_RPS": "10", "PYTHONUNBUFFERED": "1"}
    with SandboxProcess(seed="demo", rps=10) as server:
        _prepare(server)
        server.post("/sandbox/faults", {"latency_ms": CRM_LATENCY_MS})
        port = _free_port()
        web = subprocess.Popen([sys.executable, "-m", "gunicorn", "config.wsgi:application", "-b", f"127.0.0.1:{port}",
                                "--workers", "2", "--threads", "8", "--log-level", "warning"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        worker = subprocess.Popen([sys.executable, "manage.py", "rqworker", "orders"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            import requests

            def web_up():
                try:
                    return requests.get(f"http://127.0.0.1:{port}/webhooks/retailcrm/{TOKEN}/", timeout=15).status_code == 405
                except requests.RequestException:
                    return False

            _wait_for(web_up, 60, "the web server")
            time.sleep(3)  # worker start-up is not part of the figures
            rounds = [_round(server, f"http://127.0.0.1:{port}", args.triggers, n) for n in range(args.rounds)]
        finally:
            for process in (worker, web):
                process.terminate()
                process.wait(20)
    figures = {
        "triggers": args.triggers,
        "crm_latency_ms": CRM_LATENCY_MS,
        "crm_rps": 10,
        "server": "gunicorn 2 workers x 8 threads, one rqworker, SQLite, embedded Redis",
        "rounds": rounds,
        "imports": max(r["imports"] for r in rounds),
        "crm_requests": max(r["crm_requests"] for r in rounds),
        "p95_ms": max(r["p95_ms"] for r in rounds),
    }
    common.save_figures("webhook_storm", figures)


if __name__ == "__main__":
    main()
