"""E7: keeping calls refused before authentication bounded (anyone can post to the webhook).

Every such call is counted in its window (``RejectedWebhookWindow``); only the first
``FULL_ROWS_PER_WINDOW`` of a window are kept as ``WebhookRequest`` rows, with a short
excerpt of the body, and those rows and counts are deleted after ``RETENTION``. A thousand
calls from a scanner cost one counter row and a handful of sample rows, not a thousand rows.
Calls that passed authentication (the CRM's) are all kept in full, as before.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from integration.models import RejectedWebhookWindow, WebhookRequest

WINDOW = timedelta(minutes=10)
FULL_ROWS_PER_WINDOW = 20
EXCERPT_CHARS = 200
RETENTION = timedelta(days=7)
UNAUTHENTICATED_STATUSES = (401, 405)  # what a call refused before its credentials were accepted answers


def _limits() -> tuple[timedelta, int, timedelta]:
    return (
        timedelta(seconds=getattr(settings, "WEBHOOK_REJECTED_WINDOW_SECONDS", WINDOW.total_seconds())),
        getattr(settings, "WEBHOOK_REJECTED_ROWS_PER_WINDOW", FULL_ROWS_PER_WINDOW),
        timedelta(days=getattr(settings, "WEBHOOK_REJECTED_RETENTION_DAYS", RETENTION.days)),
    )


def _window_start(now, window: timedelta):
    seconds = int(window.total_seconds())
    return now - timedelta(seconds=int(now.timestamp()) % seconds, microseconds=now.microsecond)


def admit(row: WebhookRequest) -> bool:
    """Count the refused call ``row`` describes; True when it may also be stored (then shortened)."""
    window, per_window, retention = _limits()
    now = timezone.now()
    start = _window_start(now, window)
    tally, created = RejectedWebhookWindow.objects.get_or_create(window_start=start)
    if created:
        _forget_before(now - retention)
    counted = RejectedWebhookWindow.objects.filter(pk=tally.pk)
    counted.update(calls=F("calls") + 1, last_call_at=now, last_remote_addr=row.remote_addr)
    # One UPDATE decides, so concurrent calls never keep more than the window allows.
    if not counted.filter(stored__lt=per_window).update(stored=F("stored") + 1):
        return False
    row.body_excerpt = row.body_excerpt[:EXCERPT_CHARS]
    return True


def _forget_before(cutoff) -> None:
    WebhookRequest.objects.filter(
        status=WebhookRequest.Status.REJECTED, http_status__in=UNAUTHENTICATED_STATUSES, received_at__lt=cutoff,
    ).delete()
    RejectedWebhookWindow.objects.filter(window_start__lt=cutoff).delete()
