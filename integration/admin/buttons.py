"""Admin buttons that enqueue job kinds (POST forms via django-object-actions)."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import lazy
from django_object_actions import action

from integration.admin.progress import message_with_link, watch_run
from integration.jobs import JobRefused, enqueue, get_kind
from integration.models import JobRun


def enqueue_from_admin(request, kind_name: str, *, scope: str = "", options=None, back_url: str | None = None):
    """Enqueue and report the outcome as an admin message; returns the redirect.

    The page redirected to shows the run's progress live (see integration/admin/progress.py).
    """
    try:
        result = enqueue(kind_name, trigger=JobRun.Trigger.BUTTON, user=request.user, scope=scope, options=options)
    except JobRefused as exc:
        messages.error(request, str(exc))
    else:
        level = messages.SUCCESS if result.created else messages.WARNING
        messages.add_message(request, level, message_with_link(result.message, result.run))
        if result.run is not None:
            watch_run(request, result.run)
    return HttpResponseRedirect(back_url or request.META.get("HTTP_REFERER") or reverse("admin:integration_jobrun_changelist"))


def job_button(kind_name: str):
    """A changelist/change-form button that enqueues ``kind_name``."""
    # Lazy: admin modules load (autodiscover) before the apps' ready() registers the job kinds.
    label = lazy(lambda: str(get_kind(kind_name).label), str)()

    @action(label=label, description=label)
    def button(self, request, obj=None):
        return enqueue_from_admin(request, kind_name)

    button.__name__ = "run_" + kind_name.replace("-", "_")
    return button
