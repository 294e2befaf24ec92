"""A burst of triggers for one order costs at most two imports (the live server, a real worker).

50 threads post the trigger for the same order at once to the live web server; a real
``rqworker orders`` process imports; the CRM answers with a real CRM's latency, so the burst
overlaps the first import, which is where concurrent requests used to start a dozen more.
"""

from concurrent.futures import ThreadPoolExecutor

import django_rq
import pytest
import requests
from rq import Worker as RqWorker

from integration import models as im
from integration.exchange.messages import render
from integration.models import JobRun, WebhookRequest
from tests.sandbox_world import connected_sandbox, order_state
from tests.webhooks.conftest import TOKEN
from tests.workers import Worker, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BURST = 50


def test_a_burst_of_50_triggers_for_one_order_costs_at_most_two_imports(live_server, tmp_path):
    with connected_sandbox() as server:
        im.CrmSettings.objects.update(webhook_token=TOKEN)
        im.StatusImportMapping.objects.create(crm_status=im.CrmStatus.objects.get(code="new"),
                                              local_state=order_state("to-fulfil"))
        order_id = next(o["id"] for o in server.state.orders.values() if o.get("status") == "new")
        worker = Worker("orders", log_path=tmp_path / "worker.log")
        try:
            wait_until(lambda: len(RqWorker.all(queue=django_rq.get_queue("orders"))) == 1, 60, "the worker")
            server.set_faults(latency_ms=150)
            before = server.rate_stats().get(server.api_key, {}).get("total", 0)
            url = f"{live_server.url}/webhooks/retailcrm/{TOKEN}/"
            with ThreadPoolExecutor(max_workers=BURST) as pool:
                answers = list(pool.map(lambda _n: requests.post(url, data={"id": order_id}, timeout=30), range(BURST)))
            assert [a.status_code for a in answers] == [200] * BURST, [a.text for a in answers[:3]]
            wait_until(lambda: not JobRun.objects.exclude(status__in=JobRun.FINISHED).exists(), 120,
                       "every import to finish")
            crm_requests = server.rate_stats()[server.api_key]["total"] - before
        finally:
            worker.stop()

    imports = JobRun.objects.filter(kind="import-order", scope=str(order_id))
    ran = imports.exclude(status=JobRun.Status.SKIPPED)
    assert 1 <= ran.count() <= 2, [(r.pk, r.status, r.trigger, r.started_at) for r in imports]
    assert all(run.status == JobRun.Status.SUCCEEDED for run in ran), [(r.status, render(r.error)) for r in ran]
    assert not imports.filter(status=JobRun.Status.SKIPPED).exists()  # coalesced before a run was made
    rows = WebhookRequest.objects.all()
    assert rows.count() == BURST and all(row.http_status == 200 for row in rows)
    assert {row.status for row in rows} <= {WebhookRequest.Status.ENQUEUED, WebhookRequest.Status.COALESCED}
    assert im.Order.objects.filter(crm_id=order_id).count() == 1
    assert crm_requests <= 2 * 3, crm_requests  # each import reads the order (and little else)
