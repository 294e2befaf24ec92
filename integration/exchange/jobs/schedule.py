"""I2: periodic runs through rq-scheduler, with intervals kept on JobSchedule rows in the database.

The scheduler holds one repeating entry per enabled kind; each tick only *enqueues* the kind,
and the fixed RQ job id of the kind keeps ticks from piling up behind a slow run.

rq-scheduler keeps a repeating entry as an RQ job: after each tick the worker stores the job
according to its ``result_ttl``, and the scheduler re-arms the entry only while the job still
exists (``get_jobs`` drops entries whose job is gone). So an entry's job must never expire
(``result_ttl=-1``, what rq-scheduler itself uses for interval jobs); ``result_ttl=0`` made
every schedule fire once and vanish.

``run_scheduler`` runs :class:`DatabaseScheduler`, which re-reads the JobSchedule rows before
every poll, so an interval changed (or a schedule switched off) in the admin takes effect within
one poll without restarting anything.
"""

import logging
import time
from datetime import datetime, timezone

import django_rq
from django.db import close_old_connections
from django_rq.queues import DjangoScheduler

from integration.exchange.jobs.registry import get_kind
from integration.exchange.jobs.runner import JobRefused, enqueue
from integration.exchange.models import JobRun, JobSchedule

logger = logging.getLogger(__name__)

ENTRY_PREFIX = "schedule-"
KEEP_FOREVER = -1  # rq's "never expire" for a job's result (and so for the job itself)


def schedule_id(kind_name: str) -> str:
    return f"{ENTRY_PREFIX}{kind_name}"


def get_scheduler():
    return django_rq.get_scheduler("default")


def _is_current(job, interval: int) -> bool:
    return job.meta.get("interval") == interval and job.result_ttl == KEEP_FOREVER


def sync_schedules(scheduler=None) -> dict[str, int | None]:
    """Make the scheduler's entries match the JobSchedule rows; returns kind → interval (None = off)."""
    scheduler = scheduler or get_scheduler()
    wanted = {row.kind: row for row in JobSchedule.objects.all()}
    existing = {job.id: job for job in scheduler.get_jobs()}
    result = {}
    for kind_name, row in wanted.items():
        entry_id = schedule_id(kind_name)
        current = existing.get(entry_id)
        if not row.enabled:
            if current is not None:
                scheduler.cancel(current)
            result[kind_name] = None
            continue
        try:
            get_kind(kind_name)
        except KeyError as exc:  # a row for a kind this installation lacks: say so, keep the others ticking
            logger.error("Schedule %s not registered: %s", kind_name, exc)
            if current is not None:
                scheduler.cancel(current)
            result[kind_name] = None
            continue
        if current is not None and _is_current(current, row.interval_seconds):
            result[kind_name] = row.interval_seconds
            continue
        if current is not None:
            scheduler.cancel(current)
        scheduler.schedule(
            scheduled_time=datetime.now(timezone.utc), func=tick, args=[kind_name],
            interval=row.interval_seconds, repeat=None, id=entry_id, queue_name="default",
            meta={"interval": row.interval_seconds}, result_ttl=KEEP_FOREVER,
        )
        result[kind_name] = row.interval_seconds
    for entry_id, job in existing.items():
        if entry_id.startswith(ENTRY_PREFIX) and entry_id.removeprefix(ENTRY_PREFIX) not in wanted:
            scheduler.cancel(job)
    return result


def sync_after_edit() -> None:
    """After a schedule is saved in the admin: show it at once; if Redis does not answer, the
    scheduler process still applies the change at its next poll, so the save must not fail."""
    try:
        sync_schedules()
    except Exception:
        logger.warning("Could not update the scheduler now; it re-reads the schedules at its next poll", exc_info=True)


ALIVE_KEY = "exchange:scheduler:alive"


def scheduler_is_alive(connection) -> bool:
    """A ``run_scheduler`` process has polled within its interval + 10 s (one key, not a scan)."""
    return bool(connection.exists(ALIVE_KEY))


class DatabaseScheduler(DjangoScheduler):
    """rq-scheduler's loop, re-reading the JobSchedule rows before each poll (under its lock).

    Besides rq-scheduler's own per-instance key it keeps one fixed key alive for the dashboard,
    expiring as rq-scheduler's does: a killed scheduler is seen gone within its interval + 10 s.
    """

    def _announce(self) -> None:
        self.connection.set(ALIVE_KEY, self.name, ex=int(self._interval) + 10)

    def register_birth(self):
        super().register_birth()
        self._announce()

    def heartbeat(self):
        super().heartbeat()
        self._announce()

    def register_death(self):
        super().register_death()
        if self.connection.get(ALIVE_KEY) == self.name.encode():
            self.connection.delete(ALIVE_KEY)

    def enqueue_jobs(self):
        try:
            close_old_connections()  # a long-lived process: drop a connection the database closed
            sync_schedules(self)
        except Exception:  # a database hiccup must not stop the schedules already registered
            logger.exception("Could not re-read the schedules; keeping the registered ones")
        return super().enqueue_jobs()

    def enqueue_job(self, job):
        """A tick still waiting in its queue (no worker has taken it) is not pushed again, only
        re-armed: while the workers are down, ticks would otherwise pile up and burst later."""
        interval = job.meta.get("interval")
        if interval and job.id in self.get_queue_for_job(job).get_job_ids():
            self.connection.zadd(self.scheduled_jobs_key, {job.id: time.time() + int(interval)})
            return
        super().enqueue_job(job)


def database_scheduler(interval: int) -> DatabaseScheduler:
    queue = django_rq.get_queue("default")
    return DatabaseScheduler(queue_name="default", queue=queue, interval=interval, job_class=queue.job_class,
                             connection=queue.connection)


def tick(kind_name: str) -> str:
    """What the scheduler enqueues every interval: queue one run unless one is queued or running."""
    try:
        result = enqueue(kind_name, trigger=JobRun.Trigger.SCHEDULE)
    except JobRefused as exc:
        logger.warning("Scheduled %s not started: %s", kind_name, exc)
        return str(exc)
    return result.message
