"""The exchange dashboard, run-now buttons and a run's status as JSON, as pages of the job-run admin."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.admin.exceptions import NotRegistered
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from integration.admin.buttons import enqueue_from_admin
from integration.admin.dashboard_chart import orders_chart
from integration.admin.progress import run_status
from integration.exchange.jobs import JobRefused, all_kinds, get_kind, request_cancel
from integration.exchange.jobs.runner import check_permitted
from integration.models import CrmSettings, JobRun
from integration.exchange.permissions import user_may
from integration.exchange import dashboard


def _changelist(model_name: str, **filters) -> str:
    url = reverse(f"admin:integration_{model_name}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def _can_open(request, admin_site):
    """Whether the reader may open a model's list in the console (a line whose list is hidden is left out)."""
    def can_open(model) -> bool:
        try:
            model_admin = admin_site.get_model_admin(model)
        except NotRegistered:
            return False
        return any(model_admin.get_model_perms(request).values())

    return can_open


class DashboardMixin:
    """Adds the dashboard and live progress to JobRunAdmin (mixed in before DjangoObjectActions)."""

    change_form_template = "admin/integration/dashboard_jobrun_change_form.html"
    change_list_template = "admin/integration/dashboard_jobrun_change_list.html"

    def get_urls(self):
        own = [
            path("dashboard/", self.admin_site.admin_view(self.dashboard_view), name="integration_jobrun_dashboard"),
            path("dashboard/run/<str:kind_name>/", self.admin_site.admin_view(self.run_now_view),
                 name="integration_jobrun_run_now"),
            path("<int:run_id>/status.json", self.admin_site.admin_view(self.status_view), name="integration_jobrun_status"),
            path("<int:run_id>/cancel/", self.admin_site.admin_view(self.cancel_view), name="integration_jobrun_cancel"),
        ]
        return own + super().get_urls()

    def _require_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied

    def dashboard_view(self, request):
        self._require_view(request)
        now = timezone.now()
        attention = dashboard.attention(now, dashboard.Viewer(now=now, can_open=_can_open(request, self.admin_site)))
        since = attention.since.isoformat(timespec="seconds")
        rows = dashboard.job_rows()
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Exchange dashboard"),
            "opts": self.model._meta,
            "rows": rows,
            "schedule_problems": list(dict.fromkeys(
                problem for row in rows if row.next_run for problem in row.next_run.missing)),
            # Run-now buttons are drawn only for the kinds this user may start (the runner checks again).
            "runnable": {kind.name for kind in all_kinds() if user_may(request.user, kind.permission)},
            "attention": attention,
            "failed_url": _changelist("jobrun", status__exact=JobRun.Status.FAILED, created_at__gte=since),
            "chart": orders_chart(dashboard.orders_per_hour()),
            "connection": CrmSettings.get_solo(),
        }
        return TemplateResponse(request, "admin/integration/dashboard.html", context)

    @method_decorator(require_POST)
    def run_now_view(self, request, kind_name):
        self._require_view(request)
        try:
            kind = get_kind(kind_name)
        except KeyError:
            raise Http404(gettext("There is no job called %(name)s.") % {"name": kind_name}) from None
        check_permitted(kind, request.user)
        back = reverse("admin:integration_jobrun_dashboard")
        if not dashboard.runs_without_options(kind):
            messages.error(request, gettext("“%(job)s” needs options; start it from its own page.") % {"job": kind.label})
            return HttpResponseRedirect(back)
        return enqueue_from_admin(request, kind.name, back_url=back)

    @method_decorator(never_cache)
    def status_view(self, request, run_id):
        if not self.has_view_permission(request):
            return JsonResponse({"error": gettext("You may not see job runs.")}, status=403)
        return JsonResponse(run_status(get_object_or_404(JobRun, pk=run_id)))

    @method_decorator(require_POST)
    def cancel_view(self, request, run_id):
        """Ask a run to stop at its next safe point; needs the permission that starts its kind."""
        self._require_view(request)
        run = get_object_or_404(JobRun, pk=run_id)
        try:
            messages.info(request, request_cancel(run, request.user))  # JobNotPermitted is a 403
        except JobRefused as exc:  # Redis does not answer
            messages.error(request, str(exc))
        back = request.POST.get("next") or request.META.get("HTTP_REFERER") or ""
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
            back = reverse("admin:integration_jobrun_change", args=[run.pk])
        return HttpResponseRedirect(back)
