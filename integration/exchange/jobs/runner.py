"""Enqueueing and running job kinds, with a JobRun row as the record of every run.

Guarantees:
- enqueue happens only after the surrounding transaction commits (a rolled-back request
  never starts a job);
- a kind (per shop) has a fixed RQ job id, so a second press while one is queued or
  running answers "already queued/running" instead of starting another;
- a Redis lock around the work keeps inline runs (``manage.py exchange``) and queued runs
  of the same kind from overlapping;
- kinds that rerun when asked while running (``import-order``, what the webhook queues) decide
  "start a run / join the queued one / run once more afterwards" with one atomic Redis claim, so
  concurrent web requests cannot each start a run; and the rerun starts only once the triggers
  have been quiet for ``EXCHANGE_RERUN_SETTLE_SECONDS``, so a burst of N triggers for one order
  costs at most two imports (the one running when it began, and one after it).
"""

import json
import logging
import threading
import time
import traceback
from dataclasses import dataclass
from typing import Any

import django_rq
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_noop
from redis.exceptions import ConnectionError as RedisConnectionError, TimeoutError as RedisTimeoutError
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus

from integration.exchange import messages as stored_messages
from integration.exchange.jobs.registry import JobKind, get_kind, switch_state
from integration.exchange.messages import stored
from integration.exchange.models import ExchangeEvent, JobRun
from integration.exchange.permissions import user_may
from integration.exchange.rows import insert_rows
from integration.exchange.secrets import loggable

logger = logging.getLogger(__name__)

ACTIVE_RQ_STATUSES = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}
PROGRESS_SAVE_INTERVAL = 1.0  # seconds between progress writes while a job runs


class JobRefused(Exception):
    """The job cannot start now; the message says why in words an operator understands."""


class JobCancelled(Exception):
    """An operator asked the run to stop; raised by the JobContext at its next progress step."""


class JobNotPermitted(PermissionDenied):
    """The user may not start this job kind (a 403 wherever it reaches Django)."""


class QueueUnavailable(JobRefused):
    """Redis does not answer: nothing could be queued."""

    def __init__(self):
        super().__init__(stored(gettext_noop(
            "The queue is unavailable (Redis does not answer): nothing was started. "
            "Try again in a moment; if it persists, ask the administrator to check Redis.")))


REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)
class SwitchedOff(JobRefused):
    """The exchange mode (A3) the job kind belongs to is off in its adapter's settings."""


def check_switch(kind: JobKind) -> None:
    """Refuse a kind whose exchange mode is off, naming the switch."""
    if not kind.switch:
        return
    on, refusal = switch_state(kind)
    if not on:
        raise SwitchedOff(refusal)


@dataclass
class EnqueueResult:
    run: JobRun | None
    created: bool
    message: str


CANCEL_FLAG_TTL = 24 * 3600


def _cancel_key(run_id: int) -> str:
    return f"exchange:cancel:{run_id}"


def request_cancel(run: JobRun, user=None) -> str:
    """Ask ``run`` to stop at its next safe point; a queued run is cancelled at once.

    Returns the message for the operator. ``user`` needs the kind's permission (JobNotPermitted)."""
    kind = get_kind(run.kind)
    check_permitted(kind, user)
    if run.is_finished:
        return _("“%(job)s” #%(id)s has already ended.") % {"job": kind.label, "id": run.pk}
    try:
        django_rq.get_connection(kind.queue).set(_cancel_key(run.pk), "1", ex=CANCEL_FLAG_TTL)
    except REDIS_DOWN:
        raise QueueUnavailable() from None
    # Not started yet: nothing to stop safely, so it never starts (perform claims only queued runs).
    stopped = JobRun.objects.filter(pk=run.pk, status=JobRun.Status.QUEUED).update(
        status=JobRun.Status.CANCELLED, finished_at=timezone.now())
    if stopped:
        return _("“%(job)s” #%(id)s was cancelled before it started.") % {"job": kind.label, "id": run.pk}
    return _("“%(job)s” #%(id)s stops at its next safe point.") % {"job": kind.label, "id": run.pk}


def rq_job_id(kind: JobKind, scope: str = "") -> str:
    # RQ accepts only letters, digits, '_' and '-' in custom ids.
    safe_scope = "".join(ch if ch.isalnum() or ch in "_-" else "_" for ch in scope)
    return f"exchange-{kind.name}" + (f"--{safe_scope}" if safe_scope else "")


def precondition_refusal(kind: JobKind):
    """What ``kind``'s precondition says now: None (it may run) or the refusal, a stored message. Pages ask
    it to draw a button as unavailable; the runner asks it again before anything is queued."""
    return kind.precondition(kind) if kind.precondition is not None else None


def _check_allowed(kind: JobKind) -> None:
    check_switch(kind)
    if (refusal := precondition_refusal(kind)) is not None:
        raise JobRefused(refusal)


def check_permitted(kind: JobKind, user) -> None:
    """A person needs the kind's permission; ``user=None`` is the system (schedule, command, webhook)."""
    if user is not None and not user_may(user, kind.permission):
        raise JobNotPermitted(_("You may not start “%(job)s”.") % {"job": kind.label})


def _lock_key(job_id: str) -> str:
    return f"exchange:lock:{job_id}"


def _active_job_status(queue, job_id: str, kind: JobKind, scope: str) -> str | None:
    try:
        job = Job.fetch(job_id, connection=queue.connection)
    except NoSuchJobError:
        return None
    status = job.get_status(refresh=False)
    started_long_ago = job.started_at is None or (timezone.now() - _aware(job.started_at)).total_seconds() > lock_ttl()
    if status == JobStatus.STARTED and started_long_ago and not queue.connection.exists(_lock_key(job_id)):
        # Its worker died (SIGKILL, OOM, lost host): the heartbeat stopped renewing the lock.
        _fail_interrupted_runs(kind, scope)
        job.delete()
        return None
    if status in ACTIVE_RQ_STATUSES:
        return status
    # A finished or failed job keeps its hash for a while and would block a unique enqueue.
    job.delete()
    return None


def enqueue(kind_name: str, *, trigger: str, user=None, scope: str = "", options: dict | None = None) -> EnqueueResult:
    """Queue one run of ``kind_name`` after the current transaction commits.

    ``user`` is who pressed the button (refused with :class:`JobNotPermitted` without the kind's
    permission); ``None`` is the system. Redis not answering raises :class:`QueueUnavailable`."""
    kind = get_kind(kind_name)
    check_permitted(kind, user)
    try:
        _check_allowed(kind)
    except JobRefused as exc:
        if trigger == JobRun.Trigger.SCHEDULE:
            record_refusal(kind, scope, trigger, stored_messages.of_exception(exc))  # a tick that does nothing must still say so
        raise
    queue = django_rq.get_queue(kind.queue)
    job_id = rq_job_id(kind, scope)
    try:
        if kind.rerun_if_running:
            return _enqueue_claimed(kind, queue, job_id, trigger=trigger, user=user, scope=scope, options=options)
        active = _active_job_status(queue, job_id, kind, scope)
    except REDIS_DOWN:
        raise QueueUnavailable() from None
    if active is not None:
        current = JobRun.objects.filter(rq_job_id=job_id, status__in=[JobRun.Status.QUEUED, JobRun.Status.RUNNING]).first()
        if active == JobStatus.STARTED and kind.rerun_if_running:
            queue.connection.set(_rerun_key(job_id), json.dumps({"trigger": trigger, "options": options or {}}), ex=kind.timeout)
            message = _("“%(job)s” is already running; it will run once more when it ends.") % {"job": kind.label}
        elif active == JobStatus.STARTED:
            message = _("“%(job)s” is already running.") % {"job": kind.label}
        else:
            message = _("“%(job)s” is already queued.") % {"job": kind.label}
        return EnqueueResult(current, False, message)

    run = JobRun.objects.create(
        kind=kind.name, scope=scope, trigger=trigger, options=options or {},
        requested_by=user if getattr(user, "is_authenticated", False) else None, rq_job_id=job_id,
    )
    transaction.on_commit(lambda: _push(kind, run.pk, job_id, queue))
    return EnqueueResult(run, True, _("“%(job)s” has been queued.") % {"job": kind.label})


def record_refusal(kind: JobKind, scope: str, trigger: str, message) -> JobRun:
    """A run that did not start, with why; repeated refusals of one kind update one row, not one per tick."""
    now = timezone.now()
    latest = JobRun.objects.filter(kind=kind.name, scope=scope).order_by("-id").first()
    if latest is not None and latest.status == JobRun.Status.REFUSED and latest.trigger == trigger \
            and latest.messages[-1:] == [stored_messages.for_json(message)]:
        latest.counts["refusals"] = latest.counts.get("refusals", 1) + 1
        latest.finished_at = now
        latest.save(update_fields=["counts", "finished_at"])
        return latest
    return JobRun.objects.create(kind=kind.name, scope=scope, trigger=trigger, status=JobRun.Status.REFUSED,
                                 started_at=now, finished_at=now, messages=[stored_messages.for_json(message)],
                                 counts={"refusals": 1})
# --- the claim of kinds that rerun when asked (one hash per kind and scope) -------------------
#
# state "queued": a run is queued (or waiting for the triggers to settle) and has not read
#   anything yet, so a trigger now is covered by it;
# state "running": a run is reading; a trigger now needs one more run afterwards → "rerun";
# state "rerun": that one more run is already asked for.
# "last" is the time of the latest trigger, "since" when the current run was queued or started,
# "job" its RQ id.

_CLAIM_TRIGGER = """
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = t[1] .. '.' .. string.format('%06d', t[2])
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  redis.call('HSET', KEYS[1], 'state', 'queued', 'since', now, 'last', now, 'job', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  return 'new'
end
redis.call('HSET', KEYS[1], 'last', now)
if state == 'running' then
  redis.call('HSET', KEYS[1], 'state', 'rerun')
  return 'rerun'
end
return state
"""

_CLAIM_START = """
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
redis.call('HSET', KEYS[1], 'state', 'running', 'since', t[1] .. '.' .. string.format('%06d', t[2]), 'job', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
"""

_CLAIM_FINISH = """
if redis.replicate_commands then redis.replicate_commands() end
if redis.call('HGET', KEYS[1], 'state') == 'rerun' then
  local t = redis.call('TIME')
  redis.call('HSET', KEYS[1], 'state', 'queued', 'since', t[1] .. '.' .. string.format('%06d', t[2]))
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  return 1
end
redis.call('DEL', KEYS[1])
return 0
"""

CLAIM_GRACE_SECONDS = 30  # a claim is pushed to RQ within milliseconds; one older with no live job is stale


def _claim_key(job_id: str) -> str:
    return f"exchange:claim:{job_id}"


def _claim_ttl_ms(kind: JobKind) -> int:
    return int((kind.timeout + rerun_settle_max() + lock_ttl()) * 1000)


def rerun_settle_seconds() -> float:
    """How long the triggers must have been quiet before a requested rerun starts."""
    return float(getattr(settings, "EXCHANGE_RERUN_SETTLE_SECONDS", 1.0))


def rerun_settle_max() -> float:
    """A steady stream of triggers still gets a rerun after this long."""
    return float(getattr(settings, "EXCHANGE_RERUN_SETTLE_MAX_SECONDS", 10.0))


def _redis_now(connection) -> float:
    seconds, micros = connection.time()
    return seconds + micros / 1_000_000


def _claim(connection, script: str, kind: JobKind, job_id: str, rq_id: str = ""):
    result = connection.eval(script, 1, _claim_key(job_id), _claim_ttl_ms(kind), rq_id)
    return result.decode() if isinstance(result, bytes) else result


def _stale_claim(connection, queue, kind: JobKind, job_id: str, scope: str) -> bool:
    """A claim left by a worker that died (or a push that never happened), so no run will honour it."""
    claim = {k.decode(): v.decode() for k, v in connection.hgetall(_claim_key(job_id)).items()}
    if not claim or _redis_now(connection) - float(claim.get("since", 0)) < CLAIM_GRACE_SECONDS:
        return False
    return _active_job_status(queue, claim.get("job") or job_id, kind, scope) is None


def _enqueue_claimed(kind: JobKind, queue, job_id: str, *, trigger: str, user, scope: str,
                     options: dict | None) -> EnqueueResult:
    connection = queue.connection
    decision = _claim(connection, _CLAIM_TRIGGER, kind, job_id, job_id)
    if decision != "new" and _stale_claim(connection, queue, kind, job_id, scope):
        # a dead run's claim: the run made now covers any rerun asked of the dead one
        connection.delete(_claim_key(job_id), _rerun_key(job_id))
        decision = _claim(connection, _CLAIM_TRIGGER, kind, job_id, job_id)
    if decision == "new":
        run = JobRun.objects.create(
            kind=kind.name, scope=scope, trigger=trigger, options=options or {},
            requested_by=user if getattr(user, "is_authenticated", False) else None, rq_job_id=job_id,
        )
        transaction.on_commit(lambda: _push_claimed(kind, run.pk, job_id, queue))
        return EnqueueResult(run, True, _("“%(job)s” has been queued.") % {"job": kind.label})
    current = JobRun.objects.filter(kind=kind.name, scope=scope,
                                    status__in=[JobRun.Status.QUEUED, JobRun.Status.RUNNING]).order_by("-pk").first()
    if decision == "queued":
        return EnqueueResult(current, False, _("“%(job)s” is already queued.") % {"job": kind.label})
    # "rerun" (just asked for, or already): the latest request's trigger and options win
    connection.set(_rerun_key(job_id), json.dumps({"trigger": trigger, "options": options or {}}),
                   ex=int(_claim_ttl_ms(kind) / 1000))
    return EnqueueResult(current, False, _("“%(job)s” is already running; it will run once more when it ends.")
                         % {"job": kind.label})


def _push_claimed(kind: JobKind, run_id: int, job_id: str, queue) -> None:
    """Push a claimed run; the claim already excludes a second one, so RQ's fixed id is only a name."""
    _active_job_status(queue, job_id, kind, JobRun.objects.get(pk=run_id).scope)  # clears a finished hash
    try:
        queue.enqueue(perform, run_id, job_id=job_id, unique=True, job_timeout=kind.timeout,
                      result_ttl=0, failure_ttl=24 * 3600, description=f"{kind.name} (run {run_id})")
    except DuplicateJobError:
        # The previous run of this order is handing back its RQ job this very moment.
        unique_id = f"{job_id}--run{run_id}"
        JobRun.objects.filter(pk=run_id).update(rq_job_id=unique_id)
        queue.connection.hset(_claim_key(job_id), "job", unique_id)
        queue.enqueue(perform, run_id, job_id=unique_id, job_timeout=kind.timeout,
                      result_ttl=0, failure_ttl=24 * 3600, description=f"{kind.name} (run {run_id})")


def _wait_for_quiet_triggers(connection, job_id: str) -> None:
    """Let a burst of triggers end before the rerun reads the order: all of it then costs one run."""
    settle, started = rerun_settle_seconds(), _redis_now(connection)
    while True:
        last = connection.hget(_claim_key(job_id), "last")
        now = _redis_now(connection)  # "last" is Redis time: one clock for every host
        quiet_for = now - float(last) if last else settle
        if quiet_for >= settle or now - started >= rerun_settle_max():
            return
        time.sleep(min(settle - quiet_for, rerun_settle_max() - (now - started)) + 0.01)


def lock_ttl() -> int:
    """Seconds a dead worker keeps a job kind locked; a live one renews the lock every third of it."""
    return settings.EXCHANGE_LOCK_TTL_SECONDS


def _aware(value):
    return value if timezone.is_aware(value) else timezone.make_aware(value, timezone.utc)


def _fail_interrupted_runs(kind: JobKind, scope: str, *, except_run: int | None = None) -> None:
    JobRun.objects.filter(kind=kind.name, scope=scope, status=JobRun.Status.RUNNING).exclude(pk=except_run).update(
        status=JobRun.Status.FAILED, finished_at=timezone.now(),
        error=stored_messages.for_text(stored(gettext_noop(
            "The worker running this job stopped unexpectedly (killed or restarted); a later run continues "
            "from the last committed step."))),
    )


class _HeldLock:
    """The kind's Redis lock with a short TTL, renewed by a heartbeat thread while the work runs."""

    def __init__(self, connection, job_id: str):
        # thread_local=False: the heartbeat thread renews the token the worker's thread acquired.
        self.lock = connection.lock(_lock_key(job_id), timeout=lock_ttl(), blocking=False, thread_local=False)
        self._stop = threading.Event()
        self._thread = None

    def acquire(self) -> bool:
        if not self.lock.acquire(blocking=False):
            return False
        self._thread = threading.Thread(target=self._renew, name="exchange-lock-heartbeat", daemon=True)
        self._thread.start()
        return True

    def _renew(self) -> None:
        while not self._stop.wait(lock_ttl() / 3):
            try:
                self.lock.reacquire()
            except Exception:  # lost it (Redis restarted, expired during a stall): the next run may start
                logger.warning("Could not renew the lock %s", self.lock.name)
                return

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        try:
            self.lock.release()
        except Exception:  # expired during a stall: nothing left to release
            logger.warning("Lock %s expired before the run ended", self.lock.name)


def _rerun_key(job_id: str) -> str:
    return f"exchange:rerun:{job_id}"


def _push(kind: JobKind, run_id: int, job_id: str, queue) -> None:
    try:
        queue.enqueue(
            perform, run_id, job_id=job_id, unique=True, job_timeout=kind.timeout,
            result_ttl=0, failure_ttl=24 * 3600, description=f"{kind.name} (run {run_id})",
        )
    except REDIS_DOWN:
        # Redis went away between the check and the commit: the run never reached the queue.
        unavailable = QueueUnavailable()
        JobRun.objects.filter(pk=run_id).update(status=JobRun.Status.FAILED, finished_at=timezone.now(),
                                                error=stored_messages.for_text(stored_messages.of_exception(unavailable)))
        raise unavailable from None
    except DuplicateJobError:
        # Lost a race with a concurrent press; the other run does the work.
        JobRun.objects.filter(pk=run_id).update(
            status=JobRun.Status.SKIPPED, finished_at=timezone.now(),
            messages=[stored_messages.for_json(stored(gettext_noop(
                "Another run of this job was queued at the same moment.")))],
        )


def run_inline(kind_name: str, *, trigger: str = JobRun.Trigger.COMMAND, user=None, scope: str = "",
               options: dict | None = None, check_allowed: bool = True) -> JobRun:
    """Run a job in this process (management command, tests) with the same bookkeeping."""
    kind = get_kind(kind_name)
    check_permitted(kind, user)
    if check_allowed:
        _check_allowed(kind)
    run = JobRun.objects.create(
        kind=kind.name, scope=scope, trigger=trigger, options=options or {},
        requested_by=user if getattr(user, "is_authenticated", False) else None,
    )
    perform(run.pk)
    run.refresh_from_db()
    return run


class JobContext:
    """What a service sees of its run: options, counters, messages, per-entity events, cursor."""

    def __init__(self, run: JobRun, connection=None):
        self.run = run
        self.options: dict[str, Any] = dict(run.options)
        self.scope = run.scope
        self._last_save = 0.0
        self.warnings = 0
        self._connection = connection  # Redis, where an operator's cancel request waits

    def progress(self, *, done: int | None = None, add: int = 0, total: int | None = None,
                 add_total: int = 0) -> None:
        """Units of work done (and the total, where the job knows it): the progress box shows
        done/total, a percentage and an ETA. Call it between units of work only: it is a safe
        point, where a cancel request stops the run (JobCancelled)."""
        if done is not None:
            self.run.progress_done = done
        elif add:
            self.run.progress_done = (self.run.progress_done or 0) + add
        if total is not None:
            self.run.progress_total = total
        elif add_total:
            self.run.progress_total = (self.run.progress_total or 0) + add_total
        self._save_progress(force=total is not None or bool(add_total))  # a new total shows at once
        self.check_cancelled()

    def check_cancelled(self) -> None:
        """Raise JobCancelled if an operator asked this run to stop."""
        if self._connection is None:
            return
        try:
            asked = self._connection.exists(_cancel_key(self.run.pk))
        except REDIS_DOWN:
            return  # the run goes on; Redis is needed for the lock anyway and will tell
        if asked:
            raise JobCancelled()

    def count(self, name: str, n: int = 1) -> None:
        self.run.counts[name] = self.run.counts.get(name, 0) + n
        self._save_progress()

    def set_count(self, name: str, value: int) -> None:
        self.run.counts[name] = value
        self._save_progress()

    def message(self, text, *, warning: bool = False) -> None:
        """``text``: a :func:`integration.exchange.messages.stored` message (translated when shown) or plain text."""
        self.run.messages.append(stored_messages.for_json(text))
        if warning:
            self.warnings += 1
        self._save_progress(force=True)

    def event(self, *, entity: str, result: str, direction: str = ExchangeEvent.Direction.IMPORT,
              crm_id: str | int = "", local_ref: str = "", message="") -> ExchangeEvent:
        if result in (ExchangeEvent.Result.FAILED, ExchangeEvent.Result.PARKED):
            self.warnings += 1
        return ExchangeEvent.objects.create(
            run=self.run, entity=entity, result=result, direction=direction,
            crm_id=loggable(crm_id)[:100], local_ref=loggable(local_ref)[:255], message=stored_messages.for_text(message),
        )

    def events(self, rows: list[dict]) -> None:
        """Many events in one INSERT: ``rows`` hold the keyword arguments of :meth:`event`."""
        values = []
        for row in rows:
            result = row["result"]
            if result in (ExchangeEvent.Result.FAILED, ExchangeEvent.Result.PARKED):
                self.warnings += 1
            values.append({
                "run_id": self.run.pk, "entity": row["entity"], "result": result,
                "direction": row.get("direction", ExchangeEvent.Direction.IMPORT),
                "crm_id": loggable(row.get("crm_id", ""))[:100], "local_ref": loggable(row.get("local_ref", ""))[:255],
                "message": stored_messages.for_text(row.get("message", "")),
            })
        insert_rows(ExchangeEvent, values)

    def set_cursor(self, *, before=None, after=None) -> None:
        if before is not None:
            self.run.cursor_before = str(before)
        if after is not None:
            self.run.cursor_after = str(after)
        self._save_progress(force=True)
        if after is not None:
            self.check_cancelled()  # the cursor moved with the work it covers: a safe point

    def _save_progress(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last_save >= PROGRESS_SAVE_INTERVAL:
            self._last_save = now
            JobRun.objects.filter(pk=self.run.pk).update(
                counts=self.run.counts, messages=self.run.messages,
                cursor_before=self.run.cursor_before, cursor_after=self.run.cursor_after,
                progress_done=self.run.progress_done, progress_total=self.run.progress_total,
            )


def perform(run_id: int) -> str:
    """The RQ entry point for every job kind: claim the run, hold the kind's lock, call the service."""
    run = JobRun.objects.get(pk=run_id)
    kind = get_kind(run.kind)
    if kind.rerun_if_running and run.status == JobRun.Status.QUEUED:
        # From now on a trigger is not covered by this run (it may have read the order): it asks for a rerun.
        _claim(django_rq.get_connection(kind.queue), _CLAIM_START, kind, rq_job_id(kind, run.scope), run.rq_job_id)
    claimed = JobRun.objects.filter(pk=run_id, status=JobRun.Status.QUEUED).update(
        status=JobRun.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return run.status  # already handled by someone else (requeued duplicate)
    run.refresh_from_db()

    connection = django_rq.get_connection(kind.queue)
    lock = _HeldLock(connection, rq_job_id(kind, run.scope))
    try:
        acquired = lock.acquire()
    except REDIS_DOWN:  # an inline run (a button, a command) needs the lock too
        run.status, run.finished_at, run.error = (JobRun.Status.FAILED, timezone.now(),
                                                   stored_messages.for_text(stored_messages.of_exception(QueueUnavailable())))
        run.save(update_fields=["status", "finished_at", "error"])
        return run.status
    if not acquired:
        run.status, run.finished_at = JobRun.Status.SKIPPED, timezone.now()
        run.messages.append(stored_messages.for_json(stored(gettext_noop(
            "Skipped: another run of this job is in progress."))))
        run.save(update_fields=["status", "finished_at", "messages"])
        if kind.rerun_if_running and (rerun := _take_requested_rerun(kind, run, connection)) is not None:
            return perform(rerun.pk)
        return run.status

    # Holding the lock, no other run of this kind is alive: a "running" one was cut off by a crash.
    _fail_interrupted_runs(kind, run.scope, except_run=run.pk)
    ctx = JobContext(run, connection)
    try:
        check_switch(kind)  # switched off while the run waited in the queue
        ctx.check_cancelled()
        kind.service(ctx, **ctx.options)
    except JobCancelled:
        run.status = JobRun.Status.CANCELLED
        run.messages.append(stored_messages.for_json(stored(gettext_noop(
            "Cancelled by an operator; the work done so far is kept."))))
    except JobRefused as exc:
        run.status = JobRun.Status.REFUSED
        run.messages.append(stored_messages.for_json(stored_messages.of_exception(exc)))
    except Exception as exc:
        logger.exception("Job %s (run %s) failed", kind.name, run_id)
        run.status = JobRun.Status.FAILED
        own = stored_messages.of_exception(exc)
        if isinstance(own, stored_messages.StoredMessage):  # our own words: shown in the reader's language
            run.error = stored_messages.for_text(own)
            run.messages.append(stored_messages.for_json(own))
        else:
            run.error = loggable(exc)
            run.messages.append(loggable("".join(traceback.format_exception_only(exc)).strip()))
    else:
        run.status = JobRun.Status.WARNINGS if ctx.warnings else JobRun.Status.SUCCEEDED
    finally:
        lock.release()
        _forget_cancel(connection, run.pk)
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "messages", "counts", "finished_at", "cursor_before", "cursor_after",
                            "progress_done", "progress_total"])
    if kind.rerun_if_running and (rerun := _take_requested_rerun(kind, run, connection)) is not None:
        return perform(rerun.pk)
    return run.status


def _forget_cancel(connection, run_id: int) -> None:
    try:
        connection.delete(_cancel_key(run_id))
    except REDIS_DOWN:
        pass  # it expires by itself


def _take_requested_rerun(kind: JobKind, run: JobRun, connection) -> JobRun | None:
    """A run asked for while this one ran: record it; it runs right here, under the same RQ job id."""
    job_id = rq_job_id(kind, run.scope)
    if not _claim(connection, _CLAIM_FINISH, kind, job_id, run.rq_job_id):
        connection.delete(_rerun_key(job_id))
        return None
    _wait_for_quiet_triggers(connection, job_id)  # triggers meanwhile join the coming run
    requested = connection.getdel(_rerun_key(job_id))
    request = json.loads(requested) if requested else {"trigger": run.trigger, "options": run.options}
    return JobRun.objects.create(kind=kind.name, scope=run.scope, trigger=request["trigger"],
                                 options=request["options"], rq_job_id=run.rq_job_id)
