"""Progress boxes for job runs: the ones an operator has just started, on whatever page comes next."""

from django import template

from integration.admin.progress import (
    count_label as _count_label, elapsed_seconds, format_duration, kind_label, progress_of, shown_message, take_watched_runs,
)
from integration.exchange.jobs import get_kind
from integration.exchange.jobs import counters
from integration.models import JobRun
from integration.exchange.permissions import user_may

register = template.Library()


@register.simple_tag(takes_context=True)
def watched_job_runs(context):
    """Runs started by the last button press; a run's own page already shows its box, so it is left out."""
    request = context.get("request")
    if request is None:
        return []
    original = context.get("original")
    return take_watched_runs(request, exclude=original.pk if isinstance(original, JobRun) else None)


@register.filter
def job_label(kind_name: str) -> str:
    return kind_label(kind_name)


@register.filter
def job_duration(run: JobRun) -> str:
    """How long the run took, or has been running so far ("2 min 5 s")."""
    return format_duration(elapsed_seconds(run))


@register.filter
def counter_label(key: str) -> str:
    """``orders_parked`` → "orders waiting" (integration/exchange/jobs/counters.py)."""
    return counters.counter_label(key)


@register.filter
def redacted(text: str) -> str:
    """Run texts are stored redacted already; this keeps a secret registered later out of the page too."""
    return shown_message(text)


@register.filter
def count_label(name: str) -> str:
    return _count_label(name)


@register.filter
def job_progress(run: JobRun) -> dict:
    """Done/total, percentage, rate and ETA of the run (see integration/admin/progress.py)."""
    return progress_of(run, elapsed_seconds(run))


@register.simple_tag(takes_context=True)
def may_cancel(context, run: JobRun) -> bool:
    """The Cancel button is drawn for an unfinished run whose kind this user may start."""
    request = context.get("request")
    if request is None or run.is_finished:
        return False
    try:
        return user_may(request.user, get_kind(run.kind).permission)
    except KeyError:
        return False
