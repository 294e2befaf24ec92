"""Labels of RQ's job statuses and worker states for the localised django-rq pages.

RQ names them in English codes ("failed", "busy"); the pages show them in the reader's language and
keep the code for the CSS class.
"""

from django import template
from django.utils.translation import pgettext_lazy

register = template.Library()

_LABELS = {
    # job statuses
    "queued": pgettext_lazy("queue state", "queued"),
    "started": pgettext_lazy("queue state", "running"),
    "deferred": pgettext_lazy("queue state", "deferred"),
    "finished": pgettext_lazy("queue state", "finished"),
    "stopped": pgettext_lazy("queue state", "stopped"),
    "scheduled": pgettext_lazy("queue state", "scheduled"),
    "canceled": pgettext_lazy("queue state", "cancelled"),
    "failed": pgettext_lazy("queue state", "failed"),
    "unknown": pgettext_lazy("queue state", "unknown"),
    # worker states
    "busy": pgettext_lazy("queue state", "busy"),
    "idle": pgettext_lazy("queue state", "idle"),
    "suspended": pgettext_lazy("queue state", "suspended"),
    # result types (job page)
    "SUCCESSFUL": pgettext_lazy("queue state", "successful"),
    "FAILED": pgettext_lazy("queue state", "failed"),
    "STOPPED": pgettext_lazy("queue state", "stopped"),
    "RETRIED": pgettext_lazy("queue state", "retried"),
}


@register.filter
def rq_label(code):
    code = getattr(code, "value", code)
    return _LABELS.get(code, code)


_ACTIONS = {
    "delete": pgettext_lazy("queue action", "Delete"),
    "requeue": pgettext_lazy("queue action", "Requeue"),
    "stop": pgettext_lazy("queue action", "Stop"),
}


@register.filter
def rq_action(code):
    """The action chosen on a job list (django-rq posts its code: "delete", "requeue", "stop")."""
    return _ACTIONS.get(code, code)
