"""I2: periodic runs through rq-scheduler, with intervals kept on JobSchedule rows in the database.

The scheduler holds one repeating entry per enabled kind; each tick only *enqueues* the kind,
and the fixed RQ job id of the kind keeps ticks from piling up behind a slow run.
"""

import logging
from datetime import datetime, timezone

import django_rq

from integration.jobs.registry import get_kind
from integration.jobs.runner import JobRefused, enqueue
from integration.models import JobRun, JobSchedule

logger = logging.getLogger(__name__)


def schedule_id(kind_name: str) -> str:
    return f"schedule-{kind_name}"


def get_scheduler():
    return django_rq.get_scheduler("default")


def sync_schedules() -> dict[str, int | None]:
    """Make the scheduler's entries match the JobSchedule rows; returns kind → interval (None = off)."""
    scheduler = get_scheduler()
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
        get_kind(kind_name)  # an unknown kind is an error the operator should see
        if current is not None and current.meta.get("interval") == row.interval_seconds:
            result[kind_name] = row.interval_seconds
            continue
        if current is not None:
            scheduler.cancel(current)
        scheduler.schedule(
            scheduled_time=datetime.now(timezone.utc), func=tick, args=[kind_name],
            interval=row.interval_seconds, repeat=None, id=entry_id, queue_name="default",
            meta={"interval": row.interval_seconds}, result_ttl=0,
        )
        result[kind_name] = row.interval_seconds
    for entry_id, job in existing.items():
        if entry_id.startswith("schedule-") and entry_id.removeprefix("schedule-") not in wanted:
            scheduler.cancel(job)
    return result


def tick(kind_name: str) -> str:
    """What the scheduler enqueues every interval: queue one run unless one is queued or running."""
    try:
        result = enqueue(kind_name, trigger=JobRun.Trigger.SCHEDULE)
    except JobRefused as exc:
        logger.warning("Scheduled %s not started: %s", kind_name, exc)
        return str(exc)
    return result.message
