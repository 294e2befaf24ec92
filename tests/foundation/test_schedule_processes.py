"""I2 end to end: the real ``run_scheduler`` and a real ``rqworker`` keep a schedule ticking.

Both processes run against the test database and the test Redis for the whole test and are
never restarted: the schedule repeats, an interval changed in the admin takes effect, and a
schedule switched off in the database (as a restored settings file does, with no admin hook)
stops ticking, noticed by the scheduler process on its own. Alongside, a document export (on the
``orders`` queue, its exchange mode on) ticks at its own interval, each run finding nothing waiting
and so sending nothing: the CRM address points at a closed port.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import django_rq
import pytest
from django.urls import reverse
from django.utils import timezone
from rq import Worker as RqWorker

from integration.exchange.jobs.schedule import get_scheduler, schedule_id
from integration.exchange.messages import render
from integration.models import CrmSettings, JobRun, JobSchedule
from tests.workers import ROOT, Worker, wait_until, worker_env

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

KIND = "housekeeping"  # needs no CRM and takes milliseconds
FIRST_INTERVAL = 5
NEW_INTERVAL = 10  # the admin accepts nothing shorter
SLACK = 2.0  # the scheduler polls every second, and a tick waits for the worker to take it
EXPORT = "export-payments"  # a switched kind on another queue; with nothing waiting it sends no request


class SchedulerProcess:
    """``manage.py run_scheduler --interval 1`` in its own process group."""

    def __init__(self, log_path):
        self.log = open(log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "run_scheduler", "--interval", "1"], cwd=ROOT, env=worker_env(),
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # rq-scheduler registers its death on SIGTERM
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()


def scheduled_runs(since=None, kind=KIND) -> list[JobRun]:
    runs = JobRun.objects.filter(kind=kind, trigger=JobRun.Trigger.SCHEDULE)
    if since is not None:
        runs = runs.filter(created_at__gte=since)
    return list(runs.order_by("created_at", "id"))


def finished_exports() -> list[JobRun]:
    return [run for run in scheduled_runs(kind=EXPORT) if run.is_finished]


def gaps(runs: list[JobRun]) -> list[float]:
    return [(later.created_at - earlier.created_at).total_seconds() for earlier, later in zip(runs, runs[1:])]


def entry_interval() -> int | None:
    """The interval of the kind's entry in rq-scheduler's registry; None when there is none."""
    jobs = {job.id: job for job in get_scheduler().get_jobs()}
    job = jobs.get(schedule_id(KIND))
    return None if job is None else job.meta.get("interval")


def test_the_scheduler_keeps_ticking_and_follows_the_admin_without_a_restart(admin_client, tmp_path):
    JobSchedule.objects.all().delete()
    row = JobSchedule.objects.create(kind=KIND, enabled=True, interval_seconds=FIRST_INTERVAL)
    JobSchedule.objects.create(kind=EXPORT, enabled=True, interval_seconds=FIRST_INTERVAL)
    crm = CrmSettings.get_solo()
    crm.crm_url, crm.api_key, crm.connection_ok, crm.export_payments = "http://127.0.0.1:9", "k" * 32, True, True
    crm.save()
    logs = tmp_path / "processes.log"
    worker = Worker("default", "orders", log_path=logs)
    scheduler = None
    try:
        # The worker first, so the first tick does not wait for it and the spacing is the scheduler's.
        queue = django_rq.get_queue("default")
        wait_until(lambda: RqWorker.all(queue=queue), 30, "the worker to start")
        scheduler = SchedulerProcess(logs)
        # 1. It repeats: at least three scheduled runs at the first interval (once it ran exactly one).
        # The export's entry ticks in step, so waiting for both costs no extra time.
        wait_until(lambda: len(scheduled_runs()) >= 3 and len(finished_exports()) >= 3, 25 + 10,
                   "three scheduled runs of each")
        first = scheduled_runs()
        assert all(run.status != JobRun.Status.FAILED for run in first), [render(run.error) for run in first]
        assert min(gaps(first)) >= FIRST_INTERVAL - SLACK, gaps(first)  # ticks at the interval, not every poll
        exports = finished_exports()
        # Separate runs, each done (no request: nothing is waiting, and a request would have failed).
        assert len({run.pk for run in exports}) == len(exports)
        assert all(run.status == JobRun.Status.SUCCEEDED for run in exports), \
            [(run.status, render(run.error), [render(m) for m in run.messages]) for run in exports]
        assert min(gaps(exports)) >= FIRST_INTERVAL - SLACK, gaps(exports)
        html = admin_client.get(reverse("admin:integration_jobrun_dashboard")).content.decode()
        assert 'id="dashboard-processes-warning"' not in html  # both processes are there

        # 2. The interval changed on the schedule's admin page applies to the running scheduler.
        response = admin_client.post(reverse("admin:integration_jobschedule_change", args=[row.pk]), {
            "kind": KIND, "enabled": "on", "interval_seconds": NEW_INTERVAL})
        assert response.status_code == 302, response.content.decode()[:2000]
        changed_at = timezone.now()
        wait_until(lambda: entry_interval() == NEW_INTERVAL, 10, "the new interval in the scheduler")
        # A tick taken at the old interval, and the one the change fires at once, land just after
        # the change: measure the spacing from half an interval later.
        settled = changed_at + timedelta(seconds=NEW_INTERVAL / 2)
        wait_until(lambda: len(scheduled_runs(since=settled)) >= 2, 3 * NEW_INTERVAL + 10,
                   "two runs at the new interval")
        after = scheduled_runs(since=settled)
        assert min(gaps(after)) >= NEW_INTERVAL - SLACK, gaps(after)

        # 3. Switched off behind the admin's back (no admin hook re-syncs): the scheduler notices by itself.
        JobSchedule.objects.filter(pk=row.pk).update(enabled=False)
        wait_until(lambda: entry_interval() is None, 10, "the scheduler to drop the entry")
        stopped_at = timezone.now()
        seen = len(scheduled_runs())
        # Nothing to poll for when nothing may happen: wait for more than one old interval and look.
        time.sleep(NEW_INTERVAL + SLACK)
        late = scheduled_runs(since=stopped_at + timedelta(seconds=SLACK))
        assert late == [], [run.created_at for run in late]
        assert len(scheduled_runs()) <= seen + 1  # at most the tick that was in flight when it was switched off
        assert scheduler.process.poll() is None and worker.process.poll() is None  # never restarted
    finally:
        if scheduler is not None:
            scheduler.stop()
        worker.stop()

    # 4. With both processes gone, the dashboard says which ones are missing.
    JobSchedule.objects.filter(pk=row.pk).update(enabled=True)
    html = admin_client.get(reverse("admin:integration_jobrun_dashboard")).content.decode()
    assert 'id="dashboard-processes-warning"' in html
    assert "the scheduler is not running" in html
    assert "no worker listens on the “default” queue" in html
