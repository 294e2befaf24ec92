"""I2: JobSchedule rows drive rq-scheduler; a tick only enqueues, never stacks runs."""

from datetime import UTC, datetime, timedelta

import django_rq
import pytest

from integration.exchange.jobs.schedule import database_scheduler, get_scheduler, sync_schedules, tick
from integration.exchange.messages import render
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
    assert "connection to RetailCRM" in render(refused.messages[-1])
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


@pytest.mark.django_db(transaction=True)
def test_an_entry_outlives_the_tick_a_worker_ran(run_queued_jobs):
    """rq-scheduler drops an entry whose job is gone: the job of a tick must survive its run."""
    JobSchedule.objects.all().delete()
    JobSchedule.objects.create(kind="test-record", enabled=True, interval_seconds=60)
    sync_schedules()
    scheduler = get_scheduler()
    for _ in range(2):
        scheduler.enqueue_jobs()
        assert django_rq.get_queue("default").job_ids == ["schedule-test-record"]
        run_queued_jobs()
        # re-armed an interval later, and still there after the worker finished the tick
        [(job, at)] = list(scheduler.get_jobs(with_times=True))
        assert job.id == "schedule-test-record" and job.get_status() == "finished"
        scheduler.change_execution_time(job, datetime.now(UTC) - timedelta(seconds=1))  # due again
    assert JobRun.objects.filter(trigger=JobRun.Trigger.SCHEDULE).count() == 2


@pytest.mark.django_db(transaction=True)  # the scheduler process closes stale connections between polls
def test_the_scheduler_process_rereads_the_rows_before_each_poll():
    """A row changed with no admin hook (a restored settings file) reaches the scheduler at its next poll."""
    JobSchedule.objects.all().delete()
    row = JobSchedule.objects.create(kind="test-record", enabled=True, interval_seconds=60)
    scheduler = database_scheduler(interval=1)
    scheduler.enqueue_jobs()
    assert [job.meta["interval"] for job in scheduler.get_jobs()] == [60]

    JobSchedule.objects.filter(pk=row.pk).update(interval_seconds=90)
    scheduler.enqueue_jobs()
    assert [job.meta["interval"] for job in scheduler.get_jobs()] == [90]

    JobSchedule.objects.filter(pk=row.pk).update(enabled=False)
    scheduler.enqueue_jobs()
    assert list(scheduler.get_jobs()) == []


@pytest.mark.django_db
def test_entries_left_by_an_older_version_that_vanish_after_one_run_are_replaced():
    JobSchedule.objects.all().delete()
    JobSchedule.objects.create(kind="test-record", enabled=True, interval_seconds=60)
    get_scheduler().schedule(scheduled_time=datetime.now(UTC), func=tick, args=["test-record"], interval=60,
                             id="schedule-test-record", queue_name="default", meta={"interval": 60}, result_ttl=0)
    sync_schedules()
    [job] = list(get_scheduler().get_jobs())
    assert job.result_ttl == -1


@pytest.mark.django_db
def test_a_row_for_an_unknown_kind_does_not_stop_the_others():
    JobSchedule.objects.all().delete()
    JobSchedule.objects.create(kind="no-such-kind", enabled=True, interval_seconds=60)
    JobSchedule.objects.create(kind="test-record", enabled=True, interval_seconds=60)
    assert sync_schedules() == {"no-such-kind": None, "test-record": 60}
    assert [job.id for job in get_scheduler().get_jobs()] == ["schedule-test-record"]


@pytest.mark.django_db(transaction=True)
def test_ticks_do_not_pile_up_while_no_worker_takes_them():
    JobSchedule.objects.all().delete()
    JobSchedule.objects.create(kind="test-record", enabled=True, interval_seconds=60)
    scheduler = database_scheduler(interval=1)
    scheduler.enqueue_jobs()
    for _ in range(2):
        [job] = list(scheduler.get_jobs())
        scheduler.change_execution_time(job, datetime.now(UTC) - timedelta(seconds=1))  # due again
        scheduler.enqueue_jobs()
    assert django_rq.get_queue("default").job_ids == ["schedule-test-record"]
    [(job, at)] = list(scheduler.get_jobs(with_times=True))
    assert at > datetime.now(UTC).replace(tzinfo=None)  # still armed
