"""I5: the exchange's logs (job runs, exchange events, webhook requests) kept for a number of days.

Rows are deleted in small batches, so the clean-up never holds a long transaction or loads a
year of log into memory. What still needs a person is never deleted: an unresolved parked,
failed or skipped event stays whatever its age, and so does the run it belongs to (events are
deleted with their run). A run still queued or running is never touched.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from integration.models import CrmSettings, ExchangeEvent, JobRun, WebhookRequest

BATCH_SIZE = 500
Result = ExchangeEvent.Result
# Results that stand for something not done yet; until a later run resolves them they are the
# operator's to-do list, not log.
OPEN_RESULTS = (Result.PARKED, Result.FAILED, Result.SKIPPED)


@dataclass
class Cleaned:
    job_runs: int = 0
    events: int = 0
    webhook_requests: int = 0


def open_events_q() -> Q:
    return Q(resolved=False, result__in=OPEN_RESULTS)


def _delete_in_batches(queryset) -> int:
    """Delete ``queryset``'s rows a batch at a time; returns how many rows of its model went."""
    model = queryset.model
    deleted = 0
    while True:
        batch = list(queryset.order_by("pk").values_list("pk", flat=True)[:BATCH_SIZE])
        if not batch:
            return deleted
        _total, per_model = model.objects.filter(pk__in=batch).delete()
        deleted += per_model.get(model._meta.label, 0)


def clean_up(now: datetime | None = None, config: CrmSettings | None = None) -> Cleaned:
    now = now or timezone.now()
    config = config or CrmSettings.get_solo()
    cleaned = Cleaned()
    cleaned.events = _delete_in_batches(
        ExchangeEvent.objects.filter(created_at__lt=now - timedelta(days=config.keep_events_days))
        .exclude(open_events_q())
    )
    cleaned.webhook_requests = _delete_in_batches(
        WebhookRequest.objects.filter(received_at__lt=now - timedelta(days=config.keep_webhook_requests_days))
    )
    # Runs go after their events, and only runs none of whose events is still kept: deleting a
    # run deletes its events (on_delete=CASCADE), which would drop an open problem or a young event.
    cleaned.job_runs = _delete_in_batches(
        JobRun.objects.filter(created_at__lt=now - timedelta(days=config.keep_job_runs_days),
                              status__in=JobRun.FINISHED)
        .exclude(pk__in=ExchangeEvent.objects.filter(run__isnull=False).values("run_id"))
    )
    return cleaned
