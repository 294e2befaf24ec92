"""I5: old job runs, events and webhook requests go; open problems and running jobs stay."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from integration import models as im
from integration.exchange.jobs import run_inline
from integration.exchange.messages import render
from integration.models import CrmSettings, ExchangeEvent, JobRun, JobSchedule, WebhookRequest
from integration.exchange import housekeeping
from integration.exchange.housekeeping import clean_up
from integration.retailcrm.settings_file import SettingsFileError, export_settings, import_settings

pytestmark = pytest.mark.django_db
Result = ExchangeEvent.Result
NOW = timezone.now()


def days_ago(days: float):
    return NOW - timedelta(days=days)


def run(age_days: float, status=JobRun.Status.SUCCEEDED) -> JobRun:
    return JobRun.objects.create(kind="import-orders", trigger=JobRun.Trigger.SCHEDULE, status=status,
                                 created_at=days_ago(age_days))


def event(age_days: float, result=Result.CREATED, *, resolved=False, of=None) -> ExchangeEvent:
    return ExchangeEvent.objects.create(run=of, created_at=days_ago(age_days), direction=ExchangeEvent.Direction.IMPORT,
                                        entity="order", crm_id="1", result=result, resolved=resolved)


def request(age_days: float, of=None) -> WebhookRequest:
    return WebhookRequest.objects.create(received_at=days_ago(age_days), status=WebhookRequest.Status.ENQUEUED, run=of)


def ids(model) -> set[int]:
    return set(model.objects.values_list("pk", flat=True))


def keep(**days) -> None:
    config = CrmSettings.get_solo()
    for name, value in days.items():
        setattr(config, name, value)
    config.save()


@pytest.fixture
def retention():
    keep(keep_job_runs_days=30, keep_events_days=20, keep_webhook_requests_days=10)


def test_the_defaults_keep_a_month_of_runs_and_events_and_two_weeks_of_webhook_requests():
    config = CrmSettings.get_solo()
    assert (config.keep_job_runs_days, config.keep_events_days, config.keep_webhook_requests_days) == (30, 30, 14)
    schedule = JobSchedule.objects.get(kind="housekeeping")
    assert schedule.enabled and schedule.interval_seconds == 24 * 3600


def test_each_log_is_kept_for_its_own_number_of_days(retention):
    old_run, young_run = run(31), run(29)
    old_event, young_event = event(21), event(19)
    old_request, young_request = request(11, of=old_run), request(9)

    cleaned = clean_up(now=NOW)

    assert (cleaned.job_runs, cleaned.events, cleaned.webhook_requests) == (1, 1, 1)
    assert ids(JobRun) == {young_run.pk}
    assert ids(ExchangeEvent) == {young_event.pk}
    assert ids(WebhookRequest) == {young_request.pk}
    assert old_event.pk not in ids(ExchangeEvent) and old_request.pk not in ids(WebhookRequest)


def test_unresolved_problems_are_kept_whatever_their_age_and_so_is_their_run(retention):
    ancient = run(400)
    parked = event(400, Result.PARKED, of=ancient)
    failed = event(400, Result.FAILED)
    skipped = event(400, Result.SKIPPED)
    resolved_parked = event(400, Result.PARKED, resolved=True)
    imported = event(400, Result.CREATED)

    clean_up(now=NOW)

    assert ids(ExchangeEvent) == {parked.pk, failed.pk, skipped.pk}
    assert resolved_parked.pk not in ids(ExchangeEvent) and imported.pk not in ids(ExchangeEvent)
    assert ids(JobRun) == {ancient.pk}  # deleting the run would take its parked event with it

    ExchangeEvent.objects.filter(pk=parked.pk).update(resolved=True)  # a later run imported the order
    clean_up(now=NOW)
    assert parked.pk not in ids(ExchangeEvent) and ancient.pk not in ids(JobRun)


def test_a_run_keeps_its_young_events_and_an_unfinished_run_is_never_deleted(retention):
    keep(keep_job_runs_days=5)
    with_young_event = run(10)
    young = event(3, of=with_young_event)
    stuck_running = run(100, status=JobRun.Status.RUNNING)
    still_queued = run(100, status=JobRun.Status.QUEUED)
    failed_long_ago = run(100, status=JobRun.Status.FAILED)

    clean_up(now=NOW)

    assert ids(JobRun) == {with_young_event.pk, stuck_running.pk, still_queued.pk}
    assert failed_long_ago.pk not in ids(JobRun) and young.pk in ids(ExchangeEvent)


def test_it_deletes_in_batches(retention, monkeypatch):
    monkeypatch.setattr(housekeeping, "BATCH_SIZE", 7)
    ExchangeEvent.objects.bulk_create([
        ExchangeEvent(created_at=days_ago(25), direction=ExchangeEvent.Direction.IMPORT, entity="order",
                      crm_id=str(i), result=Result.UNCHANGED) for i in range(50)])
    kept = event(25, Result.PARKED)
    with CaptureQueriesContext(connection) as captured:
        assert clean_up(now=NOW).events == 50
    deletes = [q["sql"] for q in captured.captured_queries
               if q["sql"].startswith("DELETE") and "integration_exchangeevent" in q["sql"]]
    assert len(deletes) == 8  # 50 rows, 7 at a time
    assert ids(ExchangeEvent) == {kept.pk}


def test_the_job_records_what_it_deleted(retention):
    run(31)
    event(21)
    request(11)
    done = run_inline("housekeeping")
    assert done.status == JobRun.Status.SUCCEEDED, render(done.error)
    assert done.counts == {"job_runs_deleted": 1, "events_deleted": 1, "webhook_requests_deleted": 1}
    assert [render(message) for message in done.messages[-2:]] == [
        "Deleted: 1 job runs, 1 exchange events.", "Deleted: 1 webhook requests."]


def test_the_retention_days_are_edited_on_the_settings_page_and_travel_in_the_settings_file(admin_client):
    html = admin_client.get(reverse("admin:integration_crmsettings_change")).content.decode()
    for name in ("keep_job_runs_days", "keep_events_days", "keep_webhook_requests_days"):
        assert f'name="{name}"' in html

    keep(keep_job_runs_days=90, keep_events_days=60, keep_webhook_requests_days=7)
    saved = json.loads(json.dumps(export_settings()))
    keep(keep_job_runs_days=1, keep_events_days=1, keep_webhook_requests_days=1)
    import_settings(saved)
    config = im.CrmSettings.get_solo()
    assert (config.keep_job_runs_days, config.keep_events_days, config.keep_webhook_requests_days) == (90, 60, 7)

    saved["settings"]["keep_events_days"] = 0  # would delete every resolved event at once
    with pytest.raises(SettingsFileError) as excinfo:
        import_settings(saved)
    assert "settings.keep_events_days" in excinfo.value.errors
