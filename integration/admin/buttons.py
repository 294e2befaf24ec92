"""Admin buttons that enqueue job kinds (POST forms via django-object-actions), and the permission
every button and admin action names (integration/exchange/permissions.py).

A button or action declares its permission with :func:`requires`; a job button takes its job
kind's. Lists leave out what the user may not press (:class:`PermittedButtons`,
:class:`PermittedActions`), and pressing it anyway — posting the URL by hand — answers 403. The
job runner checks the same permission again where the job is enqueued.
"""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import lazy
from django_object_actions import action

from integration.admin.progress import message_with_link, watch_run
from integration.exchange.jobs import JobRefused, enqueue, get_kind, precondition_refusal
from integration.exchange.messages import render
from integration.models import JobRun
from integration.exchange.permissions import user_may


# The stylesheets of a console page with buttons. django-object-actions styles its <button>s (the
# form-posting buttons above a list or a form) in its admin's Media; an admin that declares a Media of
# its own replaces that one, and its buttons were drawn as bare browser buttons, so it is named again.
CONSOLE_CSS = {"all": ("django_object_actions/css/django-object-actions.css", "integration/console.css")}


def permission_of(func) -> str | None:
    """The permission a button or action names (a job button resolves its kind's when asked)."""
    permission = getattr(func, "required_permission", None)
    return permission() if callable(permission) else permission


def requires(permission):
    """Guard a button or admin action: without ``permission`` the user gets 403 (it is not drawn either).

    ``permission`` is a name like "integration.run_exports", or a callable returning one."""

    def decorate(func):
        @wraps(func)
        def guarded(self, request, *args, **kwargs):
            if not user_may(request.user, permission_of(guarded)):
                raise PermissionDenied
            return func(self, request, *args, **kwargs)

        guarded.required_permission = permission
        return guarded

    return decorate


class PermittedButtons:
    """Mixed in before DjangoObjectActions: every button must name its permission, and only the
    buttons the user may press are drawn."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in (*self.change_actions, *self.changelist_actions):
            if getattr(getattr(self, name), "required_permission", None) is None:
                raise ImproperlyConfigured(f"{type(self).__name__}.{name} must name its permission (@requires)")

    def _may_press(self, request, name) -> bool:
        return user_may(request.user, permission_of(getattr(self, name)))

    def get_change_actions(self, request, object_id, form_url):
        return [name for name in super().get_change_actions(request, object_id, form_url) if self._may_press(request, name)]

    def get_changelist_actions(self, request):
        return [name for name in super().get_changelist_actions(request) if self._may_press(request, name)]

    def _get_tool_dict(self, tool_name):
        """A job button whose kind its precondition refuses now (RetailCRM not checked, BonusPlus not set
        up…) is drawn disabled, the refusal as its tooltip; the runner refuses a press anyway."""
        tool = super()._get_tool_dict(tool_name)
        kind_name = getattr(getattr(self, tool_name), "job_kind", None)
        if kind_name and (refusal := precondition_refusal(get_kind(kind_name))) is not None:
            standard = tool["standard_attrs"]
            tool["standard_attrs"] = {**standard, "title": render(refusal),
                                      "class": f'{standard.get("class", "")} unavailable'.strip()}
            tool["custom_attrs"] = {**tool["custom_attrs"], "disabled": "disabled", "aria-disabled": "true"}
        return tool


class PermittedActions:
    """Mixed into a ModelAdmin: admin actions guarded by :func:`requires` are listed only for users
    with the permission, and posting one anyway answers 403 (not "no action selected")."""

    def get_actions(self, request):
        return {
            name: entry for name, entry in super().get_actions(request).items()
            if getattr(entry[0], "required_permission", None) is None or user_may(request.user, permission_of(entry[0]))
        }

    def changelist_view(self, request, extra_context=None):
        # Checked before Django's own handling, which skips actions altogether when none is left.
        posted = request.POST.get("action") if request.method == "POST" else None
        if posted and posted not in self.get_actions(request):
            if posted in {name for _func, name, _description in self._get_base_actions()}:
                raise PermissionDenied
        return super().changelist_view(request, extra_context)


def enqueue_from_admin(request, kind_name: str, *, scope: str = "", options=None, back_url: str | None = None):
    """Enqueue and report the outcome as an admin message; returns the redirect.

    The page redirected to shows the run's progress live (see integration/admin/progress.py). A
    user without the kind's permission gets 403 (JobNotPermitted); Redis not answering is a
    message on the page, not a server error.
    """
    try:
        result = enqueue(kind_name, trigger=JobRun.Trigger.BUTTON, user=request.user, scope=scope, options=options)
    except JobRefused as exc:  # includes QueueUnavailable
        messages.error(request, str(exc))
    else:
        level = messages.SUCCESS if result.created else messages.WARNING
        messages.add_message(request, level, message_with_link(result.message, result.run))
        if result.run is not None:
            watch_run(request, result.run)
    return HttpResponseRedirect(back_url or request.META.get("HTTP_REFERER") or reverse("admin:integration_jobrun_changelist"))


def job_button(kind_name: str):
    """A changelist/change-form button that enqueues ``kind_name``; it needs the kind's permission."""
    # Lazy: admin modules load (autodiscover) before the apps' ready() registers the job kinds.
    label = lazy(lambda: str(get_kind(kind_name).label), str)()

    @action(label=label, description=label)
    @requires(lambda: get_kind(kind_name).permission)
    def button(self, request, obj=None):
        return enqueue_from_admin(request, kind_name)

    button.__name__ = "run_" + kind_name.replace("-", "_")
    button.job_kind = kind_name  # drawn disabled while the kind's precondition refuses it
    return button
