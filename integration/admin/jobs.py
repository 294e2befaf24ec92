from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, gettext_lazy as _
from django_object_actions import DjangoObjectActions, action

from integration.admin.base import ReadOnlyAdmin
from integration.admin.buttons import CONSOLE_CSS, PermittedActions, PermittedButtons, enqueue_from_admin, job_button, requires
from integration.admin.dashboard import DashboardMixin
from integration.admin.entity_filter import entity_filter
from integration.admin.event_links import crm_url_of, is_loadable_order, local_object_of
from integration.admin.progress import count_label, elapsed_seconds, format_duration, kind_label, progress_of, shown_message
from integration.exchange.entities import entity_label
from integration.exchange.jobs import all_kinds, get_kind
from integration.exchange.jobs.schedule import sync_after_edit
from integration.exchange.messages import render_short
from integration.models import ExchangeEvent, JobRun, JobSchedule
from integration.exchange.permissions import RUN_IMPORTS


EVENTS_SHOWN = 20  # on a run's page; the rest are one click away in the filtered event list


def _changelist_url(model_name: str, **filters) -> str:
    return reverse(f"admin:integration_{model_name}_changelist") + "?" + urlencode(filters)


def _kind(name: str):
    try:
        return get_kind(name)
    except KeyError:  # a run of a kind this version no longer has
        return None


class JobKindFilter(admin.SimpleListFilter):
    """Job kinds by their labels ("Load orders from RetailCRM"), not their codes (import-orders)."""

    title = _("job")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(kind.name, kind.label) for kind in all_kinds()]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


class JobRunAdmin(DashboardMixin, PermittedButtons, DjangoObjectActions, ReadOnlyAdmin):
    list_display = ("id", "kind_name", "scope_shown", "trigger", "status_badge", "created_at", "duration", "counts_summary",
                    "short_error")
    list_filter = (JobKindFilter, "status", "trigger")
    list_select_related = ("requested_by",)
    search_fields = ("kind", "error", "=id")
    date_hierarchy = "created_at"
    readonly_fields = (
        "kind_name", "scope_shown", "trigger", "status_badge", "progress_shown", "options_shown", "requested_by",
        "created_at", "started_at", "finished_at", "duration", "counts_shown", "messages_shown", "error_text",
        "cursor_before", "cursor_after", "events_shown", "rq_job_id",
    )
    fields = readonly_fields
    show_full_result_count = False

    class Media:
        css = CONSOLE_CSS

    @staticmethod
    def _button_name(kind_name: str) -> str:
        return "run_" + kind_name.replace("-", "_")

    @admin.display(description=_("job"), ordering="kind")
    def kind_name(self, obj):
        return kind_label(obj.kind)

    @admin.display(description=_("for"))
    def scope_shown(self, obj):
        """The scope means what the kind makes of it: a shop, or the order an import-order run loads."""
        if not obj.scope:
            return "—"
        kind = _kind(obj.kind)
        label = kind.scope_label if kind is not None and kind.scope_label else _("Shop")
        return format_html("{}: <b>{}</b>", label, obj.scope)

    @admin.display(description=_("options"))
    def options_shown(self, obj):
        if not obj.options:
            return "—"
        kind = _kind(obj.kind)
        helps = {argument.name: argument.help for argument in (kind.arguments if kind else ())}
        return format_html('<dl class="run-counts">{}</dl>', format_html_join(
            "", "<dt>{}</dt><dd>{}</dd>",
            ((gettext(helps[name]) if helps.get(name) else name, value) for name, value in obj.options.items())))

    @admin.display(description=_("progress"))
    def progress_shown(self, obj):
        progress = progress_of(obj, elapsed_seconds(obj))
        if progress["done"] is None:
            return "—"
        done = f'{progress["done"]} / {progress["total"]}' if progress["total"] else str(progress["done"])
        parts = [done, progress["percent_text"], progress["rate_text"], progress["eta_text"]]
        return " · ".join(part for part in parts if part)

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        colours = {"failed": "#ba2121", "warnings": "#b5830d", "succeeded": "#2a7d2a", "running": "#205080",
                   "refused": "#b5830d", "cancelled": "#555"}
        return format_html('<b style="color:{}">{}</b>', colours.get(obj.status, "#555"), obj.get_status_display())

    @admin.display(description=_("counts"))
    def counts_summary(self, obj):
        return ", ".join(f"{count_label(key)}: {value}" for key, value in sorted(obj.counts.items())) or "—"

    @admin.display(description=_("counts"))
    def counts_shown(self, obj):
        if not obj.counts:
            return "—"
        return format_html('<dl class="run-counts">{}</dl>', format_html_join(
            "", '<dt data-count="{}">{}</dt><dd>{}</dd>',
            ((key, count_label(key), value) for key, value in sorted(obj.counts.items()))))

    @admin.display(description=_("messages"))
    def messages_shown(self, obj):
        if not obj.messages:
            return "—"
        return format_html('<ol class="run-messages">{}</ol>',
                           format_html_join("", "<li>{}</li>", ((shown_message(text),) for text in obj.messages)))

    @admin.display(description=_("exchange events"))
    def events_shown(self, obj):
        """The newest events and a link to all of them: a run may have written 100,000."""
        events = list(obj.events.order_by("-id")[:EVENTS_SHOWN + 1])
        if not events:
            return "—"
        rows = format_html_join("", '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>', (
            (reverse("admin:integration_exchangeevent_change", args=[event.pk]), event.get_result_display(),
             entity_label(event.entity), event.crm_id or "—", event.local_ref or "—", shown_message(event.message))
            for event in events[:EVENTS_SHOWN]))
        head = format_html("<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>", _("result"), _("entity"),
                           _("CRM id"), _("local object"), _("message"))
        link = format_html('<a href="{}" class="run-events-link">{}</a>', _changelist_url("exchangeevent", run__id__exact=obj.pk),
                           _("All events of this run") if len(events) > EVENTS_SHOWN else _("Open as a list"))
        note = (format_html("<p>{}</p>", gettext("The newest %(n)d are shown.") % {"n": EVENTS_SHOWN})
                if len(events) > EVENTS_SHOWN else "")
        return format_html('<table class="run-events"><thead>{}</thead><tbody>{}</tbody></table>{}<p>{}</p>',
                           head, rows, note, link)

    @admin.display(description=_("error"))
    def error_text(self, obj):
        return shown_message(obj.error) or "—"

    @admin.display(description=_("error"))
    def short_error(self, obj):
        return render_short(obj.error)

    @admin.display(description=_("duration"))
    def duration(self, obj):
        return format_duration(elapsed_seconds(obj)) or "—"


# Buttons are generated per registered job kind, so a new kind gets its button for free.
for _kind_entry in all_kinds():
    setattr(JobRunAdmin, JobRunAdmin._button_name(_kind_entry.name), job_button(_kind_entry.name))
# Only kinds that need no argument get a button here: one that needs an order id or an address is
# started from its own form (a bare press would only fail).
JobRunAdmin.changelist_actions = tuple(JobRunAdmin._button_name(kind.name) for kind in all_kinds()
                                       if not any(argument.required for argument in kind.arguments))
admin.site.register(JobRun, JobRunAdmin)


@admin.register(ExchangeEvent)
class ExchangeEventAdmin(PermittedActions, PermittedButtons, DjangoObjectActions, ReadOnlyAdmin):
    actions = ("retry_orders",)
    change_actions = ("load_again",)
    list_display = ("created_at", "direction", "entity_shown", "crm_id", "local_ref", "result", "message_text", "run_link",
                    "resolved")
    list_filter = ("result", "direction", entity_filter(), "resolved")
    list_select_related = ("run",)
    search_fields = ("crm_id", "local_ref", "message")
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = ("created_at", "run_link", "direction", "entity_shown", "crm_id", "crm_link", "local_object", "result",
              "message_text", "retry_count", "resolution")
    readonly_fields = fields

    class Media:
        css = CONSOLE_CSS

    @admin.action(description=_("Load these orders again now"))
    @requires(RUN_IMPORTS)
    def retry_orders(self, request, queryset):
        crm_ids = sorted({event.crm_id for event in queryset if event.entity == "order" and event.crm_id.isdigit()})
        for crm_id in crm_ids:
            enqueue_from_admin(request, "import-order", scope=crm_id, options={"id": int(crm_id)})
        if not crm_ids:
            self.message_user(request, _("Select events of orders to load them again."), level="warning")

    @action(label=_("Load again"), description=_("Load this order from RetailCRM again now"))
    @requires(RUN_IMPORTS)
    def load_again(self, request, obj):
        return enqueue_from_admin(request, "import-order", scope=obj.crm_id, options={"id": int(obj.crm_id)},
                                  back_url=reverse("admin:integration_exchangeevent_change", args=[obj.pk]))

    def get_change_actions(self, request, object_id, form_url):
        names = super().get_change_actions(request, object_id, form_url)
        event = self.get_object(request, object_id)
        if event is None or not is_loadable_order(event):
            names = [name for name in names if name != "load_again"]
        return names

    @admin.display(description=_("message"))
    def message_text(self, obj):
        return shown_message(obj.message) or "—"

    @admin.display(description=_("entity"), ordering="entity")
    def entity_shown(self, obj):
        return entity_label(obj.entity)

    @admin.display(description=_("job run"))
    def run_link(self, obj):
        if not obj.run_id:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("admin:integration_jobrun_change", args=[obj.run_id]),
                           f"{kind_label(obj.run.kind)} #{obj.run_id}")

    @admin.display(description=_("local object"))
    def local_object(self, obj):
        """A link where the object exists here; otherwise the reference, saying it is not here."""
        target = local_object_of(obj)
        if target is not None:
            return format_html('<a href="{}">{}</a>', target[0], target[1])
        if not obj.local_ref:
            return "—"
        return format_html("{} <span class=\"help\">({})</span>", obj.local_ref, _("not in the back office"))

    @admin.display(description=_("in RetailCRM"))
    def crm_link(self, obj):
        url = crm_url_of(obj)
        if url is None:
            return obj.crm_id or "—"
        return format_html('<a href="{}" target="_blank" rel="noopener noreferrer" class="crm-link">{}</a>', url,
                           gettext("Open %(id)s in RetailCRM") % {"id": obj.crm_id})

    @admin.display(description=_("resolved"))
    def resolution(self, obj):
        if obj.resolved:
            return _("Yes: a later run handled this entity.")
        if obj.result in (ExchangeEvent.Result.FAILED, ExchangeEvent.Result.PARKED):
            return _("Not yet: no later run has handled this entity.")
        return "—"


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
