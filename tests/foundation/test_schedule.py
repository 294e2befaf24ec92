"""I2: JobSchedule rows drive rq-scheduler; a tick only enqueues, never stacks runs."""

import pytest

from integration.jobs.schedule import get_scheduler, sync_schedules, tick
from integration.models import JobRun, JobSchedule
from tests.foundation.test_jobs import calls  # noqa: F401  registers the test job kinds


@pytest.mark.django_db
def test_it_registers_enabled_schedules_and_removes_disabled_ones():
    JobSchedule.objects.all().delete()
    row = JobSchedule.objects.create(kind="test-record", enabled=True, interval_seconds=60)
    assert sync_schedules() == {"test-record": 60}
    jobs = {job.id: job for job in get_scheduler().get_jobs()}
    assert jobs["schedule-test-record"].meta["interval"] == 60

    row.interval_seconds = 120
    row.save()
    sync_schedules()
    jobs = list(get_scheduler().get_jobs())
    assert [job.meta["interval"] for job in jobs] == [120]

    row.enabled = False
    row.save()
    assert sync_schedules() == {"test-record": None}
    assert list(get_scheduler().get_jobs()) == []


@pytest.mark.django_db(transaction=True)
def test_a_tick_enqueues_once_while_the_previous_run_waits(run_queued_jobs):
    first = tick("test-record")
    second = tick("test-record")
    assert "queued" in first and "already queued" in second
    assert JobRun.objects.filter(trigger=JobRun.Trigger.SCHEDULE).count() == 1
    run_queued_jobs()
    assert JobRun.objects.get().status == JobRun.Status.SUCCEEDED


@pytest.mark.django_db
def test_a_tick_for_a_job_needing_the_crm_explains_why_it_did_not_start():
    assert "connection to RetailCRM" in tick("test-needs-crm")
    # Recorded, not silent; ticks that keep being refused for the same reason share one row.
    refused = JobRun.objects.get()
    assert (refused.status, refused.trigger, refused.counts) == (JobRun.Status.REFUSED, JobRun.Trigger.SCHEDULE, {"refusals": 1})
    assert "connection to RetailCRM" in refused.messages[-1]
    tick("test-needs-crm")
    assert JobRun.objects.get().counts == {"refusals": 2}


@pytest.mark.django_db
def test_the_scheduler_enqueues_due_ticks():
    JobSchedule.objects.all().delete()
    JobSchedule.objects.create(kind="test-record", enabled=True, interval_seconds=60)
    sync_schedules()
    scheduler = get_scheduler()
    scheduler.enqueue_jobs()
    import django_rq

    assert len(django_rq.get_queue("default").jobs) == 1


@pytest.mark.django_db
def test_orders_are_imported_every_minute_by_default():
    row = JobSchedule.objects.get(kind="import-orders")
    assert row.enabled and row.interval_seconds == 60
