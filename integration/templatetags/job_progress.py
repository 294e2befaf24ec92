"""Progress boxes for job runs: the ones an operator has just started, on whatever page comes next."""

from django import template

from integration.admin.progress import elapsed_seconds, format_duration, kind_label, take_watched_runs
from integration.jobs import counters
from integration.messages import render
from integration.models import JobRun
from integration.secrets import redact

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
    """``orders_parked`` → "orders waiting" (integration/jobs/counters.py)."""
    return counters.counter_label(key)


@register.filter
def redacted(text: str) -> str:
    """Run texts are stored redacted already; this keeps a secret registered later out of the page too."""
    return redact(render(text or ""))
