"""The document exports run on a schedule too: what a failed run left waiting is sent by the next tick.

Without a schedule a payment left "waiting for export" by a run that met a CRM not answering stayed
so until the next posting or "run now". The ticks here are the scheduler's own (``tick``: what
rq-scheduler enqueues), run by a worker against the sandbox over HTTP.
"""

import pytest
from django.urls import reverse

from integration import models as im
from integration.exchange.jobs.schedule import get_scheduler, schedule_id, sync_schedules, tick
from integration.exchange.messages import render
from integration.retailcrm.orders.outbox import post_document
from tests.documents_flow.conftest import crm_create, crm_order, import_order, payments_of, switch
from tests.documents_flow.test_payments import CASH, _local_payment, map_payment

SCHEDULED = ("export-payments", "export-sales", "export-returns", "export-order-changes")
EXPORT = "export-payments"


def test_the_exports_have_default_schedules_every_5_minutes_on_the_schedules_page(admin_client):
    rows = {row.kind: row for row in im.JobSchedule.objects.filter(kind__in=SCHEDULED)}
    assert set(rows) == set(SCHEDULED)
    assert all(row.enabled and row.interval_seconds == 300 for row in rows.values())
    assert {kind: sync_schedules()[kind] for kind in SCHEDULED} == dict.fromkeys(SCHEDULED, 300)
    assert {schedule_id(kind) for kind in SCHEDULED} <= {job.id for job in get_scheduler().get_jobs()}

    page = admin_client.get(reverse("admin:integration_jobschedule_changelist")).content.decode()
    assert "Export payments to RetailCRM" in page and "Export order changes to RetailCRM" in page
    row = rows[EXPORT]
    response = admin_client.post(reverse("admin:integration_jobschedule_change", args=[row.pk]),
                                 {"kind": EXPORT, "enabled": "on", "interval_seconds": 600})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert im.JobSchedule.objects.get(pk=row.pk).interval_seconds == 600


def requests_made(crm) -> int:
    return crm.rate_stats().get(crm.api_key, {}).get("total", 0)


def ours(crm, crm_id, payment) -> list[dict]:
    return [p for p in payments_of(crm_order(crm, crm_id)) if p.get("externalId") == f"bo-payment-{payment.pk}"]


@pytest.fixture
def scheduled_tick(django_capture_on_commit_callbacks, run_queued_jobs):
    """One tick of the schedule, as rq-scheduler enqueues it, and the worker running what it queued."""
    def run(kind=EXPORT) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            message = tick(kind)
        run_queued_jobs()
        return message

    return run


@pytest.fixture
def order_with_payment(crm):
    switch(export_payments=True)
    map_payment("cash", CASH, use_for_export=True)
    crm_id = crm_create(crm, [("DEMO-0001", 1)])
    import_order(crm_id)
    return crm_id, _local_payment(crm_id)


def test_a_payment_a_failed_run_left_waiting_is_sent_by_the_next_scheduled_run(crm, order_with_payment,
                                                                                post_and_export, scheduled_tick):
    crm_id, payment = order_with_payment
    crm.set_faults(drop_rate=1.0, match="payments/create")  # the CRM does not answer the create
    post_and_export(payment)
    crm.set_faults()

    payment.refresh_from_db()
    assert payment.export_pending and payment.crm_id is None, render(payment.export_message)
    assert "sent again on the next run" in render(payment.export_message)
    assert im.ExchangeEvent.objects.get(entity="payment").result == im.ExchangeEvent.Result.FAILED
    assert ours(crm, crm_id, payment) == []

    scheduled_tick()  # no posting, no "run now": the schedule alone

    run = im.JobRun.objects.get(kind=EXPORT, trigger=im.JobRun.Trigger.SCHEDULE)
    assert run.status == im.JobRun.Status.SUCCEEDED, (render(run.error), [render(m) for m in run.messages])
    [sent] = ours(crm, crm_id, payment)
    payment.refresh_from_db()
    assert not payment.export_pending and payment.crm_id == sent["id"] and sent["amount"] == 500.0

    # Nothing waiting any more: the next tick runs and sends no request.
    before = requests_made(crm)
    scheduled_tick()
    assert requests_made(crm) == before
    assert im.JobRun.objects.filter(kind=EXPORT, trigger=im.JobRun.Trigger.SCHEDULE,
                                    status=im.JobRun.Status.SUCCEEDED).count() == 2
    assert len(ours(crm, crm_id, payment)) == 1


def test_with_the_export_mode_off_a_tick_is_refused_and_the_payment_keeps_waiting(crm, order_with_payment, admin_user,
                                                                                    scheduled_tick):
    crm_id, payment = order_with_payment
    post_document(payment, user=admin_user)  # marked for export; its own run never comes (no worker took it)
    switch(export_payments=False)
    before = requests_made(crm)

    assert "switched off" in scheduled_tick()
    scheduled_tick()

    refused = im.JobRun.objects.get(kind=EXPORT)  # repeated refusals share one row
    assert (refused.status, refused.trigger, refused.counts) == (
        im.JobRun.Status.REFUSED, im.JobRun.Trigger.SCHEDULE, {"refusals": 2})
    assert "export payments" in render(refused.messages[-1])
    assert requests_made(crm) == before and im.Payment.objects.get(pk=payment.pk).export_pending

    switch(export_payments=True)
    scheduled_tick()
    assert len(ours(crm, crm_id, payment)) == 1 and not im.Payment.objects.get(pk=payment.pk).export_pending


def test_a_tick_meeting_a_postings_queued_run_joins_it(crm, order_with_payment, admin_user,
                                                       django_capture_on_commit_callbacks, run_queued_jobs):
    crm_id, payment = order_with_payment
    with django_capture_on_commit_callbacks(execute=True):
        post_document(payment, user=admin_user)  # queued after commit; no worker has taken it yet
    with django_capture_on_commit_callbacks(execute=True):
        assert "already queued" in tick(EXPORT)
    run_queued_jobs()

    [run] = im.JobRun.objects.filter(kind=EXPORT)
    assert run.trigger == im.JobRun.Trigger.BUTTON and run.status == im.JobRun.Status.SUCCEEDED
    assert len(ours(crm, crm_id, payment)) == 1
