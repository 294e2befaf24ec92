"""Crash: a real RQ worker exporting 500 posted orders is SIGKILLed at random points and started again.

Every order's state changed here (and every fifth got a new line); the export runs at the
production rate (10 requests/s), so the kills land inside HTTP calls, between an answer and its
commit, anywhere. The seed of the kill points is printed and named in every assertion. In the
end every change is in the CRM exactly once: each order has our status and a single status edit
of ours, and each added line exists once (a resent line is matched by our externalIds).
"""

import random
import time

import pytest

from catalog.models import Product
from integration import models as im
from integration.documents import posting
from integration.exchange.jobs import enqueue, run_inline
from integration.exchange.messages import render as shown
from integration.models import JobRun
from sandbox.retailcrm.handlers.operator import create_order
from tests.order_export.conftest import CrmApi, prepare_exchange
from tests.sandbox_world import connected_sandbox, order_state
from tests.workers import Worker, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ORDERS = 500
KILLS = 4
LOCK_TTL = 2
RPS = 10


def _start_run(seed) -> JobRun:
    """Queue the export; until a killed run's claim is found stale (30 s) the answer is "running"."""
    deadline = time.monotonic() + 90
    while True:
        result = enqueue("export-order-changes", trigger=JobRun.Trigger.COMMAND)
        if result.created:
            return result.run
        assert time.monotonic() < deadline, (seed, shown(result.message))
        time.sleep(0.5)


def _pending() -> int:
    return im.Order.objects.filter(export_pending=True).count()


def test_a_worker_killed_at_random_points_sends_every_change_once(settings, tmp_path):
    seed = random.randrange(1 << 30)
    print(f"kill points seed: {seed}")
    rng = random.Random(seed)
    settings.EXCHANGE_LOCK_TTL_SECONDS = LOCK_TTL
    settings.RETAILCRM_RATE_LIMIT_RPS = RPS
    env = {"EXCHANGE_LOCK_TTL_SECONDS": LOCK_TTL, "RETAILCRM_RATE_LIMIT_RPS": RPS}
    with connected_sandbox(rps=RPS) as server:
        prepare_exchange()
        api = CrmApi(server)
        im.CrmSettings.objects.update(history_since_id=server.state.history[-1]["id"])
        with server.state.lock:
            for n in range(ORDERS):
                create_order(server.app, {"site": "main-shop", "status": "new", "items": [
                    {"offer": {"externalId": "DEMO-0001"}, "quantity": 1 + n % 3, "initialPrice": 100}]}, None)
        assert run_inline("import-orders").status == JobRun.Status.SUCCEEDED
        orders = list(im.Order.objects.filter(crm_id__isnull=False).order_by("crm_id"))
        assert len(orders) == ORDERS
        extra = Product.objects.get(code="DEMO-0004")
        for n, order in enumerate(orders):
            order.state = order_state("to-fulfil")
            if n % 5 == 0:
                im.OrderLine.objects.create(order=order, product=extra, quantity=2, price=10)
            posting.post(order)  # the first posting queues the export; the others find it queued
        assert _pending() == ORDERS

        targets = sorted(rng.sample(range(20, ORDERS - 100), KILLS))
        killed = []
        run = JobRun.objects.get(kind="export-order-changes", status=JobRun.Status.QUEUED)
        for target in targets:
            worker = Worker("orders", log_path=tmp_path / "worker.log", **env)
            try:
                wait_until(lambda: ORDERS - _pending() >= target or JobRun.objects.get(pk=run.pk).is_finished,
                           180, f"{target} orders exported (seed {seed})")
                time.sleep(rng.uniform(0, 0.3))
            finally:
                worker.kill()
            killed.append(run.pk)
            run = _start_run(seed)

        worker = Worker("orders", burst=True, log_path=tmp_path / "worker.log", **env)
        assert worker.wait(timeout=300) == 0, (seed, (tmp_path / "worker.log").read_text()[-3000:])

        run.refresh_from_db()
        odd = [(event.crm_id, event.result, shown(event.message))
               for event in im.ExchangeEvent.objects.exclude(result=im.ExchangeEvent.Result.UPDATED)]
        assert run.status == JobRun.Status.SUCCEEDED, (seed, shown(run.error), run.messages[-3:], odd[:5])
        assert [JobRun.objects.get(pk=pk).status for pk in killed] == [JobRun.Status.FAILED] * KILLS, seed
        assert _pending() == 0, seed
        server.set_rps(1000)  # the checks below read the CRM through its API, 500 orders quickly
        for n, order in enumerate(orders):
            crm_order = api.order(order.crm_id)
            assert crm_order["status"] == "assembling", (seed, order.crm_id)
            assert len(api.our_edits(order.crm_id, "status")) == 1, (seed, order.crm_id)
            added = [item for item in crm_order["items"] if item["offer"]["externalId"] == "DEMO-0004"]
            assert len(added) == (1 if n % 5 == 0 else 0), (seed, order.crm_id, crm_order["items"])
