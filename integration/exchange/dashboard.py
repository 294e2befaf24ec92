"""The exchange dashboard's data: one row per job kind, what needs attention, orders per hour.

Every figure comes from a fixed number of queries (a window function or an aggregate each), so
the page costs the same with ten events in the log or a million.

The frame is the exchange's (job rows, failed runs, the chart); what needs attention in a remote
system comes from its adapter: ``register(contribution)`` from the adapter's AppConfig.ready, where
``contribution(viewer)`` returns :class:`AttentionLine` rows, counted from the rows its producers
write (a contribution should cost a fixed number of queries too).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import django_rq
from django.db.models import Count, Max, Q
from django.db.models.functions import TruncHour
from django.utils import timezone
from django.utils.translation import gettext as _

from integration.exchange.jobs import JobKind, all_kinds, precondition_refusal
from integration.exchange.messages import render
from integration.exchange.models import ExchangeEvent, JobRun, JobSchedule

logger = logging.getLogger(__name__)

Result = ExchangeEvent.Result
IMPORTED_RESULTS = (Result.CREATED, Result.UPDATED)
ERROR_RESULTS = (Result.FAILED, Result.PARKED)
CHART_HOURS = 24
RECENT_FAILURES_SHOWN = 10


@dataclass
class Processes:
    """Which of the processes a schedule needs are alive, as Redis knows them."""

    known: bool  # False: Redis could not be asked, so nothing can be said
    scheduler_running: bool = False
    queues_without_worker: tuple[str, ...] = ()

    def missing_for(self, kind: JobKind) -> list[str]:
        """What keeps ``kind``'s schedule from running, one translated sentence per missing process."""
        if not self.known:
            return [_("the scheduler and the workers cannot be asked: Redis does not answer")]
        missing = []
        if not self.scheduler_running:
            missing.append(_("the scheduler is not running (start “manage.py run_scheduler”)"))
        # A tick runs on the default queue and enqueues the job on its own queue: both need a worker.
        for queue in dict.fromkeys(("default", kind.queue)):
            if queue in self.queues_without_worker:
                missing.append(_("no worker listens on the “%(queue)s” queue (start “manage.py rqworker %(queue)s”)")
                               % {"queue": queue})
        return missing


@dataclass
class NextRun:
    at: datetime | None  # None: enabled but nothing to go by yet (the first tick is due)
    interval_seconds: int
    from_scheduler: bool  # rq-scheduler's own time, not an estimate from the last scheduled run
    missing: list[str] = field(default_factory=list)  # why nothing will tick: the processes that are not there

    @property
    def overdue(self) -> bool:
        # A tick more than a minute late means no scheduler process is picking entries up.
        return self.at is not None and self.at < timezone.now() - timedelta(minutes=1)


@dataclass
class KindRow:
    kind: JobKind
    last_run: JobRun | None
    next_run: NextRun | None  # None: not scheduled
    can_run_now: bool  # False for kinds that need options the operator must type (an order id…)
    # Why its precondition refuses it now (translated; "" = it may run): the button is drawn as unavailable.
    unavailable: str = ""


@dataclass(frozen=True)
class AttentionLine:
    """One line of "Needs attention": a count and the list to open (texts already translated)."""

    key: str  # the line's data-kind on the page: "parked-orders", "unmapped-statuses", …
    title: str
    count: int
    url: str = ""
    link_text: str = ""  # the link's words, or
    codes: tuple[str, ...] = ()  # the codes to show as the link (the first five)


@dataclass(frozen=True)
class Viewer:
    """Who looks at the dashboard, as a contribution needs to know: ``can_open(model)`` says whether
    the console lets this reader open the model's list (a line whose list is hidden is left out)."""

    now: datetime
    can_open: Callable[[type], bool] = lambda model: True


Contribution = Callable[[Viewer], list[AttentionLine]]
_contributions: list[Contribution] = []


def register(contribution: Contribution) -> None:
    """An adapter adds its "Needs attention" lines (called from its AppConfig.ready)."""
    if contribution not in _contributions:
        _contributions.append(contribution)


@dataclass
class Attention:
    failed_runs: int
    recent_failures: list[JobRun] = field(default_factory=list)
    since: datetime | None = None  # start of the "last 24 hours" window of failed runs
    lines: list[AttentionLine] = field(default_factory=list)  # the adapters' lines, in their order

    def count(self, key: str) -> int:
        """The count of the line ``key`` (0 when no adapter shows it)."""
        return next((line.count for line in self.lines if line.key == key), 0)

    def counts(self, prefix: str) -> dict[str, int]:
        """``{key without prefix: count}`` of the lines whose key starts with ``prefix`` ("waiting-", …)."""
        return {line.key[len(prefix):]: line.count for line in self.lines if line.key.startswith(prefix)}


@dataclass
class HourBucket:
    start: datetime
    imported: int = 0
    errors: int = 0


def runs_without_options(kind: JobKind) -> bool:
    """A run-now button only makes sense for a kind that needs no option."""
    return not any(argument.required for argument in kind.arguments)


def _latest_runs(**filters) -> dict[str, JobRun]:
    """The newest run of every kind, in one query (runs are numbered in the order they were queued)."""
    newest_ids = JobRun.objects.filter(**filters).values("kind").annotate(newest=Max("id")).values("newest")
    return {run.kind: run for run in JobRun.objects.filter(pk__in=newest_ids)}


def _scheduler_times() -> dict[str, datetime]:
    """kind → the next tick rq-scheduler holds for it; empty when Redis cannot be asked."""
    from integration.exchange.jobs.schedule import get_scheduler, schedule_id

    try:
        entries = get_scheduler().get_jobs(with_times=True)
        times = {job.id: at for job, at in entries}
    except Exception:  # the dashboard must still render when Redis is down; the estimate takes over
        logger.warning("Could not read the scheduler's entries", exc_info=True)
        return {}
    return {
        kind.name: times[schedule_id(kind.name)].replace(tzinfo=UTC)
        for kind in all_kinds() if schedule_id(kind.name) in times
    }


def processes(queue_names) -> Processes:
    """Is ``run_scheduler`` alive (its heartbeat key), and which queues have no rq worker registered."""
    from rq import Worker

    from integration.exchange.jobs.schedule import scheduler_is_alive

    try:
        running = scheduler_is_alive(django_rq.get_connection("default"))
        idle = tuple(name for name in dict.fromkeys(queue_names)
                     if not Worker.all(queue=django_rq.get_queue(name)))
    except Exception:  # the dashboard must still render when Redis is down
        logger.warning("Could not ask Redis about the scheduler and the workers", exc_info=True)
        return Processes(known=False)
    return Processes(known=True, scheduler_running=running, queues_without_worker=idle)


def _next_run(kind: JobKind, schedule: JobSchedule | None, scheduled_at: datetime | None,
              last_scheduled: JobRun | None, alive: Processes | None) -> NextRun | None:
    if schedule is None or not schedule.enabled:
        return None
    interval = schedule.interval_seconds
    missing = alive.missing_for(kind) if alive is not None else []
    if scheduled_at is not None:
        return NextRun(at=scheduled_at, interval_seconds=interval, from_scheduler=True, missing=missing)
    if last_scheduled is not None:
        return NextRun(at=last_scheduled.created_at + timedelta(seconds=interval), interval_seconds=interval,
                       from_scheduler=False, missing=missing)
    return NextRun(at=None, interval_seconds=interval, from_scheduler=False, missing=missing)


def job_rows() -> list[KindRow]:
    kinds = all_kinds()
    by_name = {kind.name: kind for kind in kinds}
    latest = _latest_runs(kind__in=[kind.name for kind in kinds])
    schedules = {row.kind: row for row in JobSchedule.objects.all()}
    scheduled = [by_name[kind] for kind, row in schedules.items() if row.enabled and kind in by_name]
    scheduler_times = _scheduler_times() if scheduled else {}
    alive = processes(["default", *(kind.queue for kind in scheduled)]) if scheduled else None
    needs_estimate = any(row.enabled and kind not in scheduler_times for kind, row in schedules.items())
    latest_scheduled = _latest_runs(trigger=JobRun.Trigger.SCHEDULE) if needs_estimate else {}
    unavailable = _unavailable_reasons()
    return [
        KindRow(
            kind=kind,
            last_run=latest.get(kind.name),
            next_run=_next_run(kind, schedules.get(kind.name), scheduler_times.get(kind.name),
                               latest_scheduled.get(kind.name), alive),
            can_run_now=runs_without_options(kind),
            unavailable=unavailable(kind),
        )
        for kind in kinds
    ]


def _unavailable_reasons():
    """``kind`` → why its precondition refuses it now ("" = it may run). A precondition reads settings,
    not the kind (the kind only names itself in the refusal), so one that lets a kind run lets every
    kind of its own run: it is asked once, not once per kind (each asking reads a settings row)."""
    passing = set()

    def unavailable(kind) -> str:
        if kind.precondition is None or kind.precondition in passing:
            return ""
        refusal = precondition_refusal(kind)
        if refusal is None:
            passing.add(kind.precondition)
            return ""
        return render(refusal)

    return unavailable


def attention(now: datetime | None = None, viewer: Viewer | None = None) -> Attention:
    """What an operator has to act on: the adapters' lines, and the runs that failed in the last day."""
    now = now or timezone.now()
    viewer = viewer or Viewer(now=now)
    since = now - timedelta(hours=24)
    failed = JobRun.objects.filter(status=JobRun.Status.FAILED, created_at__gte=since)
    recent = list(failed.order_by("-created_at", "-id")[:RECENT_FAILURES_SHOWN])
    lines = [line for contribution in _contributions for line in contribution(viewer)]
    return Attention(failed_runs=failed.count(), recent_failures=recent, since=since, lines=lines)


def _hour_start(moment: datetime) -> datetime:
    """The start of ``moment``'s hour on the local clock, as a UTC instant (half-hour zones included)."""
    local = timezone.localtime(moment)
    return local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)


def orders_per_hour(now: datetime | None = None, hours: int = CHART_HOURS) -> list[HourBucket]:
    """Orders imported and order errors per local hour, oldest first, the current hour last."""
    current = _hour_start(now or timezone.now())
    buckets = [HourBucket(start=current - timedelta(hours=offset)) for offset in range(hours - 1, -1, -1)]
    by_start = {bucket.start: bucket for bucket in buckets}
    rows = (
        ExchangeEvent.objects.filter(entity="order", created_at__gte=buckets[0].start)
        .annotate(hour=TruncHour("created_at"))
        .values("hour")
        .annotate(
            imported=Count("id", filter=Q(result__in=IMPORTED_RESULTS)),
            errors=Count("id", filter=Q(result__in=ERROR_RESULTS)),
        )
        .order_by()
    )
    for row in rows:
        bucket = by_start.get(row["hour"].astimezone(UTC))
        if bucket is not None:
            bucket.imported, bucket.errors = row["imported"], row["errors"]
    return buckets
