"""Live progress of job runs: the JSON a page polls, and the runs an operator has just started.

A button press remembers the run in the session; the next admin page shows a progress box for it
(templates/admin/base_site.html), which static/integration/job-progress.js keeps up to date.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.formats import number_format
from django.utils.translation import gettext

from integration.exchange.jobs import get_kind
from integration.exchange.jobs.counters import counter_label
from integration.exchange.messages import render
from integration.models import JobRun
from integration.exchange.secrets import redact

SESSION_KEY = "integration_watched_runs"
WATCHED_RUNS_KEPT = 5
MESSAGES_SENT = 20  # the newest ones; the run's page has them all


def shown_message(text) -> str:
    """A stored run or event message as the reader sees it: translated into the reader's language, secrets masked."""
    return redact(render(text or ""))


def count_label(name: str) -> str:
    """A counter's key as the reader's label ("orders_created" → "Orders created" / "Создано заказов")."""
    return str(counter_label(name))


def kind_label(kind_name: str) -> str:
    try:
        return str(get_kind(kind_name).label)
    except KeyError:  # a run of a kind this version no longer has
        return kind_name


def format_duration(seconds: float | None) -> str:
    """"3.4 s", "2 min 5 s", "1 h 12 min" (the decimal sign of the reader's language)."""
    if seconds is None:
        return ""
    if seconds < 60:
        return gettext("%(s)s s") % {"s": number_format(round(seconds, 1), decimal_pos=1)}
    seconds = int(seconds)
    if seconds < 3600:
        return gettext("%(m)d min %(s)d s") % {"m": seconds // 60, "s": seconds % 60}
    return gettext("%(h)d h %(m)d min") % {"h": seconds // 3600, "m": seconds % 3600 // 60}


def progress_of(run: JobRun, seconds: float | None) -> dict:
    """Done/total, percentage, rate and ETA; each is None where the run does not know it."""
    done, total = run.progress_done, run.progress_total
    rate = done / seconds if done and seconds else None
    percent = min(100.0, 100.0 * done / total) if total and done is not None else None
    eta = (total - done) / rate if rate and total and not run.is_finished and total > done else None
    return {
        "done": done, "total": total, "percent": round(percent, 1) if percent is not None else None,
        "percent_text": f"{number_format(percent, decimal_pos=0)} %" if percent is not None else "",
        "rate_text": gettext("%(rate)s per second") % {"rate": number_format(rate, decimal_pos=1)} if rate else "",
        "eta_seconds": eta,
        "eta_text": gettext("about %(time)s left") % {"time": format_duration(eta)} if eta is not None else "",
    }


def elapsed_seconds(run: JobRun, now=None) -> float | None:
    """How long the run took, or has been running so far."""
    if run.started_at is None:
        return None
    return ((run.finished_at or now or timezone.now()) - run.started_at).total_seconds()


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def run_status(run: JobRun) -> dict:
    """What the progress box shows; every text has already been through the secrets filter."""
    seconds = elapsed_seconds(run)
    return {
        "id": run.pk,
        "kind": run.kind,
        "kind_label": kind_label(run.kind),
        "scope": run.scope,
        "trigger": run.trigger,
        "status": run.status,
        "status_label": str(run.get_status_display()),
        "finished": run.is_finished,
        "counts": run.counts,
        "count_labels": {name: count_label(name) for name in run.counts},
        "messages": [shown_message(text) for text in run.messages[-MESSAGES_SENT:]],
        "messages_total": len(run.messages),
        "error": redact(render(run.error)),
        "created_at": _iso(run.created_at),
        "started_at": _iso(run.started_at),
        "finished_at": _iso(run.finished_at),
        "duration_seconds": seconds,
        "duration_text": format_duration(seconds),
        "progress": progress_of(run, seconds),
        "url": reverse("admin:integration_jobrun_change", args=[run.pk]),
        "cancel_url": reverse("admin:integration_jobrun_cancel", args=[run.pk]),
    }


def message_with_link(text: str, run: JobRun | None):
    """The enqueue outcome plus a plain link to the run, usable without JavaScript."""
    if run is None:
        return text
    return format_html(
        '{} <a href="{}" class="job-run-link" data-run-id="{}">{}</a>',
        text, reverse("admin:integration_jobrun_change", args=[run.pk]), run.pk,
        gettext("Follow run #%(id)s") % {"id": run.pk},
    )


def watch_run(request, run: JobRun) -> None:
    """Show this run's progress on the next admin page the operator sees."""
    session = getattr(request, "session", None)
    if session is None:
        return
    watched = [pk for pk in session.get(SESSION_KEY, []) if pk != run.pk]
    session[SESSION_KEY] = [*watched, run.pk][-WATCHED_RUNS_KEPT:]


def take_watched_runs(request, exclude: int | None = None) -> list[JobRun]:
    """The runs to show once (like messages): reading them clears the list."""
    session = getattr(request, "session", None)
    if session is None or not session.get(SESSION_KEY):
        return []
    ids = [pk for pk in session.pop(SESSION_KEY) if pk != exclude]
    runs = {run.pk: run for run in JobRun.objects.filter(pk__in=ids)}
    return [runs[pk] for pk in ids if pk in runs]
