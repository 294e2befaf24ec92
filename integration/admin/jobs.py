from django import forms
from django.contrib import admin
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django_object_actions import DjangoObjectActions

from integration.admin.base import ReadOnlyAdmin
from integration.admin.buttons import PermittedActions, PermittedButtons, enqueue_from_admin, job_button, requires
from integration.admin.dashboard import DashboardMixin
from integration.admin.progress import kind_label
from integration.jobs import all_kinds
from integration.jobs import definitions  # noqa: F401  the admin loads before the app's ready()
from integration.jobs.counters import counts_summary
from integration.jobs.schedule import sync_after_edit
from integration.messages import render, render_short
from integration.models import ExchangeEvent, JobRun, JobSchedule
from integration.permissions import RUN_IMPORTS


class ExchangeEventInline(admin.TabularInline):
    model = ExchangeEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "direction", "entity", "crm_id", "local_ref", "result", "message_text")
    readonly_fields = fields

    @admin.display(description=_("message"))
    def message_text(self, obj):
        return render(obj.message)
    show_change_link = True
    max_num = 0


class JobKindFilter(admin.SimpleListFilter):
    """Job kinds by their labels ("Load orders from RetailCRM"), not their codes (import-orders)."""

    title = _("job")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(kind.name, kind.label) for kind in all_kinds()]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


class JobRunAdmin(DashboardMixin, PermittedButtons, DjangoObjectActions, ReadOnlyAdmin):
    list_display = ("id", "kind_label", "scope", "trigger", "status_badge", "created_at", "started_at", "finished_at", "counts_summary", "short_error")
    list_filter = (JobKindFilter, "status", "trigger")
    list_select_related = ("requested_by",)
    search_fields = ("kind", "error", "=id")
    date_hierarchy = "created_at"
    readonly_fields = (
        "kind_label", "scope", "trigger", "status", "options", "requested_by", "rq_job_id", "created_at", "started_at",
        "finished_at", "duration", "counts_text", "messages_text", "error_text", "cursor_before", "cursor_after",
    )
    fields = readonly_fields
    inlines = (ExchangeEventInline,)
    show_full_result_count = False

    @staticmethod
    def _button_name(kind_name: str) -> str:
        return "run_" + kind_name.replace("-", "_")

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        colours = {"failed": "#ba2121", "warnings": "#b5830d", "succeeded": "#2a7d2a", "running": "#205080",
                   "refused": "#b5830d"}
        return format_html('<b style="color:{}">{}</b>', colours.get(obj.status, "#555"), obj.get_status_display())

    @admin.display(description=_("job"), ordering="kind")
    def kind_label(self, obj):
        return kind_label(obj.kind)

    @admin.display(description=_("counts"))
    def counts_summary(self, obj):
        return counts_summary(obj.counts) or "—"

    @admin.display(description=_("counts"))
    def counts_text(self, obj):
        return counts_summary(obj.counts) or "—"

    @admin.display(description=_("messages"))
    def messages_text(self, obj):
        return format_html_join("", "<p>{}</p>", ((render(text),) for text in obj.messages)) or "—"

    @admin.display(description=_("error"))
    def error_text(self, obj):
        return render(obj.error)

    @admin.display(description=_("error"))
    def short_error(self, obj):
        return render_short(obj.error)

    @admin.display(description=_("duration"))
    def duration(self, obj):
        return obj.duration or "—"


# Buttons are generated per registered job kind, so a new kind gets its button for free.
for _kind in all_kinds():
    setattr(JobRunAdmin, JobRunAdmin._button_name(_kind.name), job_button(_kind.name))
JobRunAdmin.changelist_actions = tuple(JobRunAdmin._button_name(kind.name) for kind in all_kinds())
admin.site.register(JobRun, JobRunAdmin)


@admin.register(ExchangeEvent)
class ExchangeEventAdmin(PermittedActions, ReadOnlyAdmin):
    actions = ("retry_orders",)
    list_display = ("created_at", "direction", "entity", "crm_id", "local_ref", "result", "message_text", "run_link", "resolved")
    list_filter = ("result", "direction", "entity", "resolved")
    list_select_related = ("run",)
    search_fields = ("crm_id", "local_ref", "message")
    date_hierarchy = "created_at"
    show_full_result_count = False

    @admin.action(description=_("Load these orders again now"))
    @requires(RUN_IMPORTS)
    def retry_orders(self, request, queryset):
        crm_ids = sorted({event.crm_id for event in queryset if event.entity == "order" and event.crm_id.isdigit()})
        for crm_id in crm_ids:
            enqueue_from_admin(request, "import-order", scope=crm_id, options={"id": int(crm_id)})
        if not crm_ids:
            self.message_user(request, _("Select events of orders to load them again."), level="warning")

    @admin.display(description=_("message"))
    def message_text(self, obj):
        return render(obj.message)

    def get_fields(self, request, obj=None):
        return [("message_text" if name == "message" else name) for name in super().get_fields(request, obj)]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "message_text"]

    @admin.display(description=_("job run"))
    def run_link(self, obj):
        if not obj.run_id:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("admin:integration_jobrun_change", args=[obj.run_id]), obj.run)


class JobScheduleForm(forms.ModelForm):
    kind = forms.ChoiceField(label=_("job"))

    class Meta:
        model = JobSchedule
        fields = ("kind", "enabled", "interval_seconds")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind.name, kind.label) for kind in all_kinds()]

    def clean_interval_seconds(self):
        value = self.cleaned_data["interval_seconds"]
        if value < 10:
            raise forms.ValidationError(_("Run a job at most every 10 seconds."))
        return value


@admin.register(JobSchedule)
class JobScheduleAdmin(admin.ModelAdmin):
    form = JobScheduleForm
    list_display = ("kind_label", "enabled", "interval_seconds", "updated_at")
    list_display_links = ("kind_label",)

    @admin.display(description=_("job"), ordering="kind")
    def kind_label(self, obj):
        return kind_label(obj.kind)
    list_editable = ("enabled", "interval_seconds")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        transaction.on_commit(sync_after_edit)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        transaction.on_commit(sync_after_edit)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        transaction.on_commit(sync_after_edit)
