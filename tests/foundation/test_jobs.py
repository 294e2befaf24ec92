"""The jobs framework: enqueue after commit, one run per kind, a JobRun row for every run."""

import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from integration.exchange.jobs import JobRefused, enqueue, get_kind, job_kind, run_inline
from integration.exchange.jobs.runner import perform
from integration.exchange.messages import render
from integration.models import CrmSettings, ExchangeEvent, JobRun
from integration.exchange.permissions import RUN_IMPORTS
from integration.retailcrm.connection import require_connection

calls: list[dict] = []
gate = threading.Event()


@job_kind("test-record", label="Test: record a call", permission=RUN_IMPORTS, requires_connection=False)
def record_job(ctx, **options):
    calls.append(options)
    ctx.count("records")
    ctx.event(entity="order", crm_id="42", result=ExchangeEvent.Result.CREATED, local_ref="CRM-42")
    ctx.set_cursor(before=1, after=2)


@job_kind("test-needs-crm", label="Test: needs the CRM", permission=RUN_IMPORTS, precondition=require_connection)
def needs_crm_job(ctx):
    calls.append({"needs": True})


@job_kind("test-wait", label="Test: wait for the gate", permission=RUN_IMPORTS, requires_connection=False)
def wait_job(ctx):
    gate.wait(10)
    calls.append({"waited": True})


@pytest.fixture(autouse=True)
def reset_calls():
    calls.clear()
    gate.clear()


@pytest.mark.django_db(transaction=True)
def test_it_runs_a_queued_job_once_and_records_the_run(run_queued_jobs):
    result = enqueue("test-record", trigger=JobRun.Trigger.BUTTON, options={"full": True})
    assert result.created
    run_queued_jobs()
    run = JobRun.objects.get()
    assert calls == [{"full": True}]
    assert run.status == JobRun.Status.SUCCEEDED
    assert run.counts == {"records": 1}
    assert (run.cursor_before, run.cursor_after) == ("1", "2")
    assert run.started_at and run.finished_at and run.duration is not None
    assert run.events.get().crm_id == "42"


@pytest.mark.django_db(transaction=True)
def test_it_answers_already_queued_to_a_second_press(run_queued_jobs):
    first = enqueue("test-record", trigger=JobRun.Trigger.BUTTON)
    second = enqueue("test-record", trigger=JobRun.Trigger.BUTTON)
    assert first.created and not second.created
    assert "already queued" in render(second.message)
    assert second.run == first.run
    run_queued_jobs()
    assert len(calls) == 1
    assert JobRun.objects.count() == 1
    # After the run finished, the button works again.
    assert enqueue("test-record", trigger=JobRun.Trigger.BUTTON).created


@pytest.mark.django_db(transaction=True)
def test_it_never_runs_a_job_enqueued_in_a_rolled_back_transaction(run_queued_jobs):
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            enqueue("test-record", trigger=JobRun.Trigger.BUTTON)
            raise RuntimeError("the request failed after pressing the button")
    run_queued_jobs()
    assert calls == []
    assert not JobRun.objects.exists()
    # Nothing was left behind in Redis either: a new press is accepted.
    assert enqueue("test-record", trigger=JobRun.Trigger.BUTTON).created


@pytest.mark.django_db(transaction=True)
def test_it_answers_already_running_while_the_kind_runs(run_queued_jobs):
    enqueue("test-wait", trigger=JobRun.Trigger.BUTTON)
    seen = {}

    def press_while_running():
        # RQ workers need the main thread for their signal handlers, so the "operator" is the thread.
        try:
            for _ in range(500):
                if JobRun.objects.filter(status=JobRun.Status.RUNNING).exists():
                    break
                threading.Event().wait(0.01)
            seen["again"] = enqueue("test-wait", trigger=JobRun.Trigger.SCHEDULE)
            seen["inline"] = run_inline("test-wait", trigger=JobRun.Trigger.COMMAND)
        finally:
            gate.set()
            connection.close()  # a thread's own connection would keep the test database busy

    operator = threading.Thread(target=press_while_running)
    operator.start()
    run_queued_jobs()
    operator.join(10)
    assert not seen["again"].created and "already running" in render(seen["again"].message)
    assert seen["inline"].status == JobRun.Status.SKIPPED  # the lock keeps inline and queued runs apart
    assert calls == [{"waited": True}]


@pytest.mark.django_db
def test_it_refuses_exchange_jobs_until_the_connection_is_checked():
    with pytest.raises(JobRefused, match="connection to RetailCRM"):
        enqueue("test-needs-crm", trigger=JobRun.Trigger.BUTTON)
    CrmSettings.objects.update_or_create(pk=1, defaults={"connection_ok": True})
    assert enqueue("test-needs-crm", trigger=JobRun.Trigger.BUTTON).created


@pytest.mark.django_db
def test_a_precondition_of_its_own_gates_a_kind_with_its_own_stored_words():
    from integration.exchange.jobs import registry
    from integration.exchange.messages import stored

    door = {"open": False}
    registry._KINDS.pop("test-own-gate", None)
    job_kind("test-own-gate", label="Test: own gate", permission=RUN_IMPORTS,
             precondition=lambda kind: None if door["open"] else stored("“%(job)s” waits for the door.", job=kind.label),
             )(lambda ctx: calls.append({"gate": "open"}))
    try:
        with pytest.raises(JobRefused, match="“Test: own gate” waits for the door."):
            run_inline("test-own-gate")
        assert not JobRun.objects.filter(kind="test-own-gate").exists()
        door["open"] = True
        assert run_inline("test-own-gate").status == JobRun.Status.SUCCEEDED and calls == [{"gate": "open"}]
    finally:
        registry._KINDS.pop("test-own-gate", None)


def test_a_kind_must_say_what_gates_it():
    with pytest.raises(ValueError, match="must say what gates it"):
        job_kind("test-no-gate", label="x", permission=RUN_IMPORTS)
    with pytest.raises(ValueError, match="instead of requires_connection"):
        job_kind("test-old-gate", label="x", permission=RUN_IMPORTS, requires_connection=True)


@pytest.mark.django_db
def test_it_records_a_failing_service_as_a_failed_run():
    run = run_inline("check-connection")
    assert run.status == JobRun.Status.FAILED
    assert "address and API key" in render(run.error)


@pytest.mark.django_db
def test_it_skips_a_run_claimed_by_someone_else():
    run = JobRun.objects.create(kind="test-record", trigger="button", status=JobRun.Status.SUCCEEDED)
    assert perform(run.pk) == JobRun.Status.SUCCEEDED
    assert calls == []


@pytest.mark.django_db
def test_the_exchange_command_runs_a_job_inline_with_its_options(capsys):
    call_command("exchange", "test-record")
    out = capsys.readouterr().out
    assert "test-record: Succeeded" in out and "records=1" in out
    assert JobRun.objects.get().trigger == JobRun.Trigger.COMMAND


@pytest.mark.django_db
def test_the_exchange_command_explains_a_failure():
    with pytest.raises(CommandError, match="Enter the RetailCRM address and API key first"):
        call_command("exchange", "check-connection")


def test_the_exchange_command_rejects_an_unknown_job():
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("exchange", "no-such-job")


@job_kind("test-wait-rerun", label="Test: wait, rerun when asked", permission=RUN_IMPORTS, requires_connection=False, rerun_if_running=True)
def wait_rerun_job(ctx, **options):
    calls.append(options)
    if len(calls) == 1:
        gate.wait(10)


@pytest.mark.django_db(transaction=True)
def test_a_request_during_a_run_runs_once_more_afterwards(run_queued_jobs):
    enqueue("test-wait-rerun", trigger=JobRun.Trigger.BUTTON, options={"n": 1})
    seen = {}

    def press_while_running():
        try:
            for _ in range(500):
                if JobRun.objects.filter(status=JobRun.Status.RUNNING).exists():
                    break
                threading.Event().wait(0.01)
            seen["second"] = enqueue("test-wait-rerun", trigger=JobRun.Trigger.WEBHOOK, options={"n": 2})
            seen["third"] = enqueue("test-wait-rerun", trigger=JobRun.Trigger.WEBHOOK, options={"n": 3})
        finally:
            gate.set()
            connection.close()

    operator = threading.Thread(target=press_while_running)
    operator.start()
    run_queued_jobs()
    operator.join(10)
    assert "will run once more" in render(seen["second"].message) and not seen["second"].created
    assert calls == [{"n": 1}, {"n": 3}]  # requests during a run collapse into one rerun, the latest
    runs = list(JobRun.objects.order_by("id"))
    assert [run.trigger for run in runs] == ["button", "webhook"]
    assert all(run.status == JobRun.Status.SUCCEEDED for run in runs)


@pytest.mark.django_db(transaction=True)
def test_a_live_run_keeps_its_kind_locked_beyond_the_lock_ttl(settings):
    """The lock lives only EXCHANGE_LOCK_TTL_SECONDS, so a heartbeat must renew it while the run works."""
    settings.EXCHANGE_LOCK_TTL_SECONDS = 1
    outcome = {}

    def second_run_after_three_ttls():
        try:
            threading.Event().wait(3)
            outcome["second"] = run_inline("test-wait", trigger=JobRun.Trigger.COMMAND)
        finally:
            gate.set()
            connection.close()

    other = threading.Thread(target=second_run_after_three_ttls)
    other.start()
    first = run_inline("test-wait", trigger=JobRun.Trigger.COMMAND)
    other.join(15)
    assert first.status == JobRun.Status.SUCCEEDED
    assert outcome["second"].status == JobRun.Status.SKIPPED
    assert calls == [{"waited": True}]


@pytest.mark.django_db(transaction=True)
def test_a_run_whose_worker_died_neither_blocks_the_kind_nor_stays_running(settings):
    """A SIGKILLed worker leaves RQ's job "started" and its JobRun "running", but stops renewing the lock."""
    from datetime import timedelta

    import django_rq
    from django.utils import timezone
    from rq.job import JobStatus

    settings.EXCHANGE_LOCK_TTL_SECONDS = 1
    dead = enqueue("test-record", trigger=JobRun.Trigger.SCHEDULE).run
    JobRun.objects.filter(pk=dead.pk).update(status=JobRun.Status.RUNNING, started_at=timezone.now())
    job = django_rq.get_queue("default").fetch_job(dead.rq_job_id)
    job.started_at = timezone.now() - timedelta(seconds=5)
    job.save()
    job.set_status(JobStatus.STARTED)

    again = enqueue("test-record", trigger=JobRun.Trigger.BUTTON)
    assert again.created, render(again.message)
    dead.refresh_from_db()
    assert dead.status == JobRun.Status.FAILED and "stopped unexpectedly" in render(dead.error)


@pytest.mark.django_db(transaction=True)
def test_a_claim_left_by_a_dead_worker_does_not_swallow_later_requests():
    import django_rq

    from integration.exchange.jobs.runner import _claim_key, rq_job_id

    redis = django_rq.get_connection("default")
    key = _claim_key(rq_job_id(get_kind("test-wait-rerun")))
    seconds, _micros = redis.time()
    # "running" since a minute ago, for an RQ job that no longer exists: its worker was killed
    redis.hset(key, mapping={"state": "running", "since": seconds - 60, "last": seconds - 60, "job": "gone"})
    again = enqueue("test-wait-rerun", trigger=JobRun.Trigger.WEBHOOK, options={"n": 1})
    assert again.created, render(again.message)
    assert redis.hget(key, "state") == b"queued"


@pytest.mark.django_db(transaction=True)
def test_requests_while_a_run_is_queued_join_it():
    first = enqueue("test-wait-rerun", trigger=JobRun.Trigger.WEBHOOK, options={"n": 1})
    others = [enqueue("test-wait-rerun", trigger=JobRun.Trigger.WEBHOOK, options={"n": 1}) for _ in range(5)]
    assert first.created and not any(other.created for other in others)
    assert all(other.run == first.run and "already queued" in render(other.message) for other in others)
    assert JobRun.objects.count() == 1
