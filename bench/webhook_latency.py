"""Webhook latency (DESIGN §6): trigger → order committed, with one worker.

    .venv/bin/python bench/webhook_latency.py [--orders 30]

The sandbox CRM runs in this process; a real `rqworker orders` process does the imports; each
webhook is posted through the real view, then the database is polled until the order is
committed. Figures (p50, p95, max in ms) are merged into bench/results.json as `webhook_latency`.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

import common  # noqa: E402,F401  (Django set-up: must come first)


ROOT = common.ROOT
TOKEN = "bench-webhook-secret-0123456789"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=30)
    args = parser.parse_args()

    import requests
    from django.core.management import call_command
    from django.test import Client

    from integration import models as im
    from tests.sandbox_world import connected_sandbox

    call_command("migrate", verbosity=0)
    latencies = []
    with connected_sandbox() as server:
        im.CrmSettings.objects.update(webhook_token=TOKEN)
        im.StatusImportMapping.objects.get_or_create(
            crm_status=im.CrmStatus.objects.get(code="new"), defaults={"local_state": im.OrderState.objects.get(code="to-fulfil")})
        worker = subprocess.Popen([sys.executable, "manage.py", "rqworker", "orders"], cwd=ROOT, env=os.environ.copy(),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(3)  # worker start-up is not part of the figure
            client = Client(HTTP_HOST="localhost")
            for i in range(args.orders):
                crm_id = requests.post(f"{server.url}/sandbox/orders", timeout=10, json={
                    "site": "main-shop", "status": "new", "phone": f"+7922{i:07d}",
                    "items": [{"offer": {"externalId": "DEMO-0001"}, "quantity": 1}]}).json()["id"]
                started = time.perf_counter()
                response = client.post(f"/webhooks/retailcrm/{TOKEN}/", f"id={crm_id}",
                                       content_type="application/x-www-form-urlencoded")
                assert response.status_code == 200, response.content
                while not im.Order.objects.filter(crm_id=crm_id).exists():
                    if time.perf_counter() - started > 30:
                        raise SystemExit(f"order {crm_id} was not imported within 30 s")
                    time.sleep(0.005)
                latencies.append((time.perf_counter() - started) * 1000)
        finally:
            worker.terminate()
            worker.wait(10)
    latencies.sort()
    figures = {
        "orders": len(latencies),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(latencies[max(0, int(len(latencies) * 0.95) - 1)], 1),
        "max_ms": round(latencies[-1], 1),
    }
    common.save_figures("webhook_latency", figures)


if __name__ == "__main__":
    main()
