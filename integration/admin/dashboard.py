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
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from integration.admin.buttons import enqueue_from_admin
from integration.admin.dashboard_chart import orders_chart
from integration.admin.progress import run_status
from integration.exchange.jobs import JobRefused, all_kinds, get_kind, request_cancel
from integration.exchange.jobs.runner import check_permitted
from integration.models import CrmSettings, ExchangeEvent, JobRun
from integration.exchange.permissions import user_may
from integration.exchange import dashboard

Result = ExchangeEvent.Result


def _changelist(model_name: str, **filters) -> str:
    url = reverse(f"admin:integration_{model_name}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def _unmapped_links(request, admin_site, unmapped: dict[str, list[str]]) -> list[dict]:
    """One line per dictionary with unmapped entries whose mapping page the operator can open."""
    from integration.retailcrm.references import UNMAPPED

    lines = []
    for book, codes in unmapped.items():
        crm_model, relation = UNMAPPED[book]
        mapping_model = crm_model._meta.get_field(relation).related_model
        try:
            model_admin = admin_site.get_model_admin(mapping_model)
        except NotRegistered:
            continue
        if not any(model_admin.get_model_perms(request).values()):
            continue  # a mode that is off (price types, organizations): its page is hidden, so is its banner
        lines.append({
            "book": book, "title": mapping_model._meta.verbose_name_plural, "codes": codes, "count": len(codes),
            "url": _changelist(mapping_model._meta.model_name),
        })
    return lines


def _waiting_lines(waiting: list[dict]) -> list[dict]:
    """Orders skipped for their status, one line per status and reason, with the manual's words."""
    from integration.models import SkippedOrder

    lines = []
    for row in waiting:
        why = SkippedOrder(crm_status=row["crm_status"], reason=row["reason"]).message  # translated now, for the reader
        lines.append({**row, "why": why, "url": _changelist("skippedorder", crm_status=row["crm_status"],
                                                             reason__exact=row["reason"])})
    return lines


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
        attention = dashboard.attention()
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
            "unmapped_lines": _unmapped_links(request, self.admin_site, attention.unmapped),
            "waiting_lines": _waiting_lines(attention.waiting),
            "parked_url": _changelist("exchangeevent", entity="order", result__exact=Result.PARKED, resolved__exact=0),
            "defaulted_url": _changelist("order", delivery_defaulted__exact=1),
            "offers_url": _changelist("exchangeevent", entity="offer", result__exact=Result.FAILED, resolved__exact=0),
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
