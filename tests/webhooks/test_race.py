"""DESIGN §4: the webhook and the schedule importing the same orders at once never duplicate anything.

Three real RQ worker processes; a scheduled ``import-orders`` runs while 100 trigger calls for
the same 20 orders (5 each, from 10 threads) reach the live web server. The 20 orders share 5
customers that are new to the back office, so concurrent imports race to create them too.
"""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import django_rq
import pytest
import requests
from rq import Worker as RqWorker

from integration import models as im
from integration.exchange.jobs import enqueue
from integration.models import JobRun, WebhookRequest
from sandbox.retailcrm.domain import customers as sandbox_customers
from sandbox.retailcrm.handlers.operator import create_order, edit_order
from sandbox.retailcrm.state import Actor
from tests.sandbox_world import connected_sandbox, order_state
from tests.webhooks.conftest import TOKEN
from tests.workers import Worker, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

RPS = 10


def _new_orders(server) -> list[int]:
    """20 orders of 5 new customers, each edited twice, after the feed's current end."""
    state = server.state
    offers = sorted(offer["externalId"] for offer in state.offers.values() if offer.get("externalId"))
    with state.lock:
        people = [sandbox_customers.create(state, {"firstName": f"Race{n}", "phones": [{"number": f"+7999000{n:04d}"}]},
                                           "main-shop", Actor("user", None, next(iter(state.users))))["id"]
                  for n in range(5)]
        ids = []
        for n in range(20):
            items = [{"offer": {"externalId": offers[(n + k) % len(offers)]}, "quantity": 1 + k} for k in range(3)]
            status, body = create_order(server.app, {"site": "main-shop", "status": "new", "items": items,
                                                     "customer": {"id": people[n % 5]},
                                                     "payments": [{"type": "cash", "amount": 50}]}, None)
            ids.append(body["id"])
        for round_ in range(2):
            for order_id in ids:
                edit_order(server.app, {"managerComment": f"edit {round_}"}, None, str(order_id))
    return ids



def test_webhooks_during_a_scheduled_import_give_each_order_customer_and_line_once(live_server, settings, tmp_path):
    settings.RETAILCRM_RATE_LIMIT_RPS = RPS
    with connected_sandbox(rps=RPS) as server:
        im.CrmSettings.objects.update(webhook_token=TOKEN, history_since_id=server.state.history[-1]["id"])
        im.StatusImportMapping.objects.create(crm_status=im.CrmStatus.objects.get(code="new"),
                                              local_state=order_state("to-fulfil"))
        ids = _new_orders(server)
        workers = [Worker("orders", log_path=tmp_path / f"worker{n}.log", RETAILCRM_RATE_LIMIT_RPS=RPS)
                   for n in range(3)]
        try:
            # Every worker listening, and each CRM answer taking 150 ms (a real CRM's latency), so the
            # scheduled import is still running when the trigger calls arrive, whatever the machine's load.
            orders_queue = django_rq.get_queue("orders")
            wait_until(lambda: len(RqWorker.all(queue=orders_queue)) == 3, 60, "three workers")
            server.set_faults(latency_ms=150)
            scheduled = enqueue("import-orders", trigger=JobRun.Trigger.SCHEDULE).run
            wait_until(lambda: JobRun.objects.get(pk=scheduled.pk).status != JobRun.Status.QUEUED, 60,
                        "the scheduled import to start")
            url = f"{live_server.url}/webhooks/retailcrm/{TOKEN}/"
            with ThreadPoolExecutor(max_workers=10) as pool:
                answers = list(pool.map(lambda crm_id: requests.post(url, data={"id": crm_id}, timeout=10),
                                        [crm_id for _ in range(5) for crm_id in ids]))
            assert [answer.status_code for answer in answers] == [200] * 100, [a.text for a in answers[:3]]
            wait_until(lambda: not JobRun.objects.exclude(status__in=JobRun.FINISHED).exists(), 120,
                        "every import to finish")
        finally:
            for worker in workers:
                worker.stop()

    runs = JobRun.objects.all()
    assert {run.status for run in runs} <= {JobRun.Status.SUCCEEDED, JobRun.Status.SKIPPED}, [
        (run.kind, run.status, run.error) for run in runs if run.status not in ("succeeded", "skipped")]
    scheduled.refresh_from_db()
    webhook_runs = runs.filter(kind="import-order")
    # The race really happened: webhook imports ran while the scheduled one did.
    assert webhook_runs.filter(started_at__lt=scheduled.finished_at, finished_at__gt=scheduled.started_at).exists()
    assert WebhookRequest.objects.count() == 100

    assert sorted(im.Order.objects.values_list("crm_id", flat=True)) == sorted(ids)
    crm_orders = {crm_id: server.state.orders[crm_id] for crm_id in ids}
    assert Counter(im.OrderLine.objects.values_list("order__crm_id", flat=True)) == {crm_id: 3 for crm_id in ids}
    assert sorted(im.OrderLine.objects.values_list("crm_item_id", flat=True)) == sorted(
        item["id"] for order in crm_orders.values() for item in order["items"])
    assert im.Payment.objects.count() == 20
    assert sorted(im.Customer.objects.values_list("crm_id", flat=True)) == sorted(
        {order["customerId"] for order in crm_orders.values()})
    assert im.Customer.objects.count() == 5
