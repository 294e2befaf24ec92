"""I5: the exchange's logs (job runs, exchange events, and the adapters' own logs) kept for a number of days.

Rows are deleted in small batches, so the clean-up never holds a long transaction or loads a
year of log into memory. What still needs a person is never deleted: an unresolved parked,
failed or skipped event stays whatever its age, and so does the run it belongs to (events are
deleted with their run). A run still queued or running is never touched.

The exchange knows no adapter: an adapter says how long the logs are kept (``register_retention``)
and adds the clean-up of its own log tables (``register``), both from its AppConfig.ready.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from integration.exchange.models import ExchangeEvent, JobRun

BATCH_SIZE = 500
Result = ExchangeEvent.Result
# Results that stand for something not done yet; until a later run resolves them they are the
# operator's to-do list, not log.
OPEN_RESULTS = (Result.PARKED, Result.FAILED, Result.SKIPPED)


@dataclass(frozen=True)
class Retention:
    job_runs_days: int
    events_days: int


@dataclass(frozen=True)
class Cleanup:
    """An adapter's log: ``run(now)`` deletes its rows that are too old (with ``delete_in_batches``)
    and returns how many went; ``message`` (a stored message with ``%(count)s``) reports it."""

    name: str  # the count: the run shows "<name>_deleted"
    run: Callable[[datetime], int]
    message: Any


_cleanups: dict[str, Cleanup] = {}
_retention: list[Callable[[], Retention]] = []


def register(cleanup: Cleanup) -> None:
    _cleanups[cleanup.name] = cleanup


def register_retention(provider: Callable[[], Retention]) -> None:
    """``provider()`` → how many days runs and events are kept (read at every clean-up)."""
    _retention[:] = [provider]


def cleanups() -> list[Cleanup]:
    return list(_cleanups.values())


@dataclass
class Cleaned:
    job_runs: int = 0
    events: int = 0
    others: dict[str, int] = field(default_factory=dict)  # cleanup name → rows deleted

    def __getattr__(self, name):
        others = self.__dict__.get("others", {})
        if name in others:
            return others[name]
        raise AttributeError(name)


def open_events_q() -> Q:
    return Q(resolved=False, result__in=OPEN_RESULTS)


def delete_in_batches(queryset) -> int:
    """Delete ``queryset``'s rows a batch at a time; returns how many rows of its model went."""
    model = queryset.model
    deleted = 0
    while True:
        batch = list(queryset.order_by("pk").values_list("pk", flat=True)[:BATCH_SIZE])
        if not batch:
            return deleted
        _total, per_model = model.objects.filter(pk__in=batch).delete()
        deleted += per_model.get(model._meta.label, 0)


def clean_up(now: datetime | None = None, retention: Retention | None = None) -> Cleaned:
    now = now or timezone.now()
    if retention is None:
        if not _retention:
            raise LookupError("no adapter registered how long the exchange's logs are kept")
        retention = _retention[0]()
    cleaned = Cleaned()
    cleaned.events = delete_in_batches(
        ExchangeEvent.objects.filter(created_at__lt=now - timedelta(days=retention.events_days))
        .exclude(open_events_q())
    )
    # The adapters' logs may point at runs (a webhook request at the run it queued): before the runs.
    for cleanup in cleanups():
        cleaned.others[cleanup.name] = cleanup.run(now)
    # Runs go after their events, and only runs none of whose events is still kept: deleting a
    # run deletes its events (on_delete=CASCADE), which would drop an open problem or a young event.
    cleaned.job_runs = delete_in_batches(
        JobRun.objects.filter(created_at__lt=now - timedelta(days=retention.job_runs_days),
                              status__in=JobRun.FINISHED)
        .exclude(pk__in=ExchangeEvent.objects.filter(run__isnull=False).values("run_id"))
    )
    return cleaned
