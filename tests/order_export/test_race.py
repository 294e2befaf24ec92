"""Race: a trigger's import and a posting of the same orders at once, in real RQ worker processes.

Ten orders are posted here (a state change to export) while a manager has just changed their
delivery cost in the CRM and the trigger's imports are queued. Two workers run the export and
the imports side by side, every CRM answer taking 150 ms; the per-order locks serialise them. In
the end both changes are kept everywhere: the CRM has our status and the manager's cost, the
back office our state and the manager's cost, and each status went to the CRM once.
"""

import django_rq
import pytest
from rq import Worker as RqWorker

from integration import models as im
from integration.documents import posting
from integration.exchange.jobs import enqueue, run_inline
from integration.models import JobRun
from tests.order_export.conftest import CrmApi, prepare_exchange
from tests.sandbox_world import connected_sandbox, order_state
from tests.workers import Worker, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ORDERS = 10


def test_a_trigger_import_and_a_posting_at_once_keep_both_changes(tmp_path):
    with connected_sandbox() as server:
        prepare_exchange()
        api = CrmApi(server)
        ids = [api.create() for _ in range(ORDERS)]
        for crm_id in ids:
            assert run_inline("import-order", options={"id": crm_id}).status == JobRun.Status.SUCCEEDED
        workers = [Worker("orders", log_path=tmp_path / f"worker{n}.log") for n in range(2)]
        try:
            wait_until(lambda: len(RqWorker.all(queue=django_rq.get_queue("orders"))) == 2, 60, "two workers")
            server.set_faults(latency_ms=150)
            for crm_id in ids:
                api.manager_edit(crm_id, delivery={"cost": 450}, userId=12)
            for crm_id in ids:
                order = im.Order.objects.get(crm_id=crm_id)
                order.state = order_state("to-fulfil")
                posting.post(order)  # commits and queues the export at once (no test transaction here)
                enqueue("import-order", trigger=JobRun.Trigger.WEBHOOK, scope=str(crm_id), options={"id": crm_id})
            # Done when nothing is due or unfinished and every trigger's import ran (a rerun of the export
            # asked for by a late posting is created a moment after the run it follows).
            wait_until(lambda: not im.Order.objects.filter(export_pending=True).exists()
                       and not JobRun.objects.exclude(status__in=JobRun.FINISHED).exists()
                       and JobRun.objects.filter(kind="import-order", trigger=JobRun.Trigger.WEBHOOK,
                                                 status__in=JobRun.FINISHED).count() >= ORDERS, 180,
                       "the export and the imports to finish")
        finally:
            for worker in workers:
                worker.stop()
        server.set_faults()

        runs = JobRun.objects.all()
        assert all(run.status in (JobRun.Status.SUCCEEDED, JobRun.Status.WARNINGS) for run in runs), \
            [(run.kind, run.status, run.messages[-2:]) for run in runs]
        for crm_id in ids:
            crm_order = api.order(crm_id)
            assert (crm_order["status"], crm_order["delivery"]["cost"]) == ("assembling", 450)
            assert len(api.our_edits(crm_id, "status")) == 1
            order = im.Order.objects.get(crm_id=crm_id)
            assert (order.state.code, order.delivery_cost, order.export_pending) == ("to-fulfil", 450, False)
