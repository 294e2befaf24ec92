"""DESIGN §4: a job killed at any point and run again ends in the same state as one clean run.

A real RQ worker process imports 2,000 orders from the sandbox; it is SIGKILLed (with its
work-horse) at 10 random points and started again each time. The end state must be exactly
the CRM's orders: none missing, none duplicated, every line, payment and customer once.
"""

import random
import time
from collections import Counter
from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from integration import models as im
from integration.exchange.jobs import enqueue
from integration.exchange.messages import render as shown
from integration.models import JobRun
from sandbox.retailcrm.domain.orders import render
from sandbox.retailcrm.handlers.operator import create_order
from tests.sandbox_world import connected_sandbox, order_state
from tests.workers import Worker, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ORDERS = 2000
KILLS = 10
LOCK_TTL = 2
RPS = 10


def _fill_crm(server, total: int) -> None:
    """Orders of the seed's customers (so orders share customers) with 1–5 lines and a payment."""
    state = server.state
    offers = sorted(offer["externalId"] for offer in state.offers.values() if offer.get("externalId"))
    customers = sorted(state.customers)
    rng = random.Random(5)
    with state.lock:
        while len(state.orders) < total:
            items = [{"offer": {"externalId": offer}, "quantity": rng.randint(1, 4), "initialPrice": rng.randint(100, 5000)}
                     for offer in rng.sample(offers, rng.randint(1, 5))]
            create_order(server.app, {"site": "main-shop", "status": "new", "items": items,
                                      "customer": {"id": rng.choice(customers)},
                                      "payments": [{"type": "cash", "amount": 100}]}, None)


def _start_run() -> JobRun:
    """Enqueue the scheduled import; while a killed worker's lock has not expired the answer is "running"."""
    deadline = time.monotonic() + 30
    while True:
        result = enqueue("import-orders", trigger=JobRun.Trigger.SCHEDULE)
        if result.created:
            return result.run
        assert time.monotonic() < deadline, shown(result.message)
        time.sleep(0.3)



def test_a_worker_killed_at_ten_random_points_ends_with_exactly_the_crm_orders(settings, tmp_path):
    settings.EXCHANGE_LOCK_TTL_SECONDS = LOCK_TTL
    # The production rate (10 requests/s) stretches the import over seconds, room for 10 kills.
    settings.RETAILCRM_RATE_LIMIT_RPS = RPS
    env = {"EXCHANGE_LOCK_TTL_SECONDS": LOCK_TTL, "RETAILCRM_RATE_LIMIT_RPS": RPS}
    rng = random.Random()
    with connected_sandbox(rps=RPS) as server:
        _fill_crm(server, ORDERS)
        for status in im.CrmStatus.objects.all():
            im.StatusImportMapping.objects.create(crm_status=status, local_state=order_state("to-fulfil"))
        im.CrmSettings.objects.update(history_start_date=timezone.make_aware(datetime(2020, 1, 1)))

        # Kill points: after a random number of orders has been committed, plus a random delay,
        # so the kill lands anywhere — inside an HTTP call, between pages, in a commit.
        # The last target leaves 800 orders (a few seconds at 10 requests/s), so no run ends before its kill.
        targets = [page * 100 + rng.randint(1, 99) for page in sorted(rng.sample(range(ORDERS // 100 - 8), KILLS))]
        killed = []
        for target in targets:
            run = _start_run()
            worker = Worker("orders", log_path=tmp_path / "worker.log", **env)
            try:
                wait_until(lambda: JobRun.objects.get(pk=run.pk).status != JobRun.Status.QUEUED, 60, "the worker")
                wait_until(lambda: im.Order.objects.count() >= target
                            or JobRun.objects.get(pk=run.pk).is_finished, 120, f"{target} orders")
                time.sleep(rng.uniform(0, 0.3))
            finally:
                worker.kill()
            killed.append(run.pk)

        run = _start_run()
        worker = Worker("orders", burst=True, log_path=tmp_path / "worker.log", **env)
        assert worker.wait(timeout=300) == 0, (tmp_path / "worker.log").read_text()[-3000:]

    run.refresh_from_db()
    assert run.status == JobRun.Status.SUCCEEDED, (shown(run.error), run.messages[-3:])
    # Every kill cut a run off mid-way: none of them finished; each was found interrupted later.
    cut_off = JobRun.objects.filter(pk__in=killed)
    assert [run.status for run in cut_off] == [JobRun.Status.FAILED] * KILLS
    assert all("stopped unexpectedly" in shown(run.error) for run in cut_off)
    assert not JobRun.objects.filter(status=JobRun.Status.RUNNING).exists()

    crm_orders = server.state.orders
    assert sorted(im.Order.objects.values_list("crm_id", flat=True)) == sorted(crm_orders)
    lines = Counter(im.OrderLine.objects.values_list("order__crm_id", flat=True))
    assert lines == Counter({crm_id: len(order["items"]) for crm_id, order in crm_orders.items() if order["items"]})
    assert sorted(im.OrderLine.objects.values_list("crm_item_id", flat=True)) == sorted(
        item["id"] for order in crm_orders.values() for item in order["items"])
    assert sorted(im.Payment.objects.values_list("crm_id", flat=True)) == sorted(
        payment["id"] for order in crm_orders.values() for payment in order["payments"])
    assert sorted(im.Customer.objects.values_list("crm_id", flat=True)) == sorted(
        {order["customerId"] for order in crm_orders.values()})
    totals = dict(im.Order.objects.values_list("crm_id", "total"))
    assert all(totals[crm_id] == Decimal(str(render(server.state, order)["totalSumm"])).quantize(Decimal("0.01"))
               for crm_id, order in crm_orders.items())
    assert im.CrmSettings.get_solo().history_since_id == max(entry["id"] for entry in server.state.history)
