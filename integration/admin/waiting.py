"""The queues of what is still owed: orders waiting for their status (B1) and parked entities; the import empties them."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from integration.admin.base import ReadOnlyAdmin
from integration.admin.progress import kind_label
from integration.admin.buttons import PermittedActions, enqueue_from_admin, requires
from integration.admin.entity_filter import entity_filter
from integration.exchange.entities import entity_label
from integration.exchange.messages import render
from integration.models import RetryEntry, SkippedOrder
from integration.exchange.permissions import RUN_IMPORTS


@admin.register(SkippedOrder)
class SkippedOrderAdmin(PermittedActions, ReadOnlyAdmin):
    actions = ("load_now",)
    list_display = ("crm_id", "crm_number", "crm_site", "crm_status", "why", "first_skipped_at", "last_skipped_at", "run_link")
    list_filter = ("crm_status", "reason", "crm_site")
    search_fields = ("=crm_id", "crm_number")
    date_hierarchy = "last_skipped_at"
    list_select_related = ("run",)

    @admin.display(description=_("why"), ordering="reason")
    def why(self, obj):
        # translated for the reader, not stored in the worker's language; the fix is one click away
        return format_html('{} <a href="{}" class="fix-status-link">{}</a>', obj.message,
                           reverse("admin:integration_crmsettings_change") + "#tab-statuses", _("Open the Statuses tab"))

    @admin.display(description=_("job run"))
    def run_link(self, obj):
        if not obj.run_id:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("admin:integration_jobrun_change", args=[obj.run_id]),
                           f"{kind_label(obj.run.kind)} #{obj.run_id}")

    @admin.action(description=_("Load these orders again now"))
    @requires(RUN_IMPORTS)
    def load_now(self, request, queryset):
        for crm_id in queryset.values_list("crm_id", flat=True):
            enqueue_from_admin(request, "import-order", scope=str(crm_id), options={"id": crm_id})


@admin.register(RetryEntry)
class RetryEntryAdmin(PermittedActions, ReadOnlyAdmin):
    """The retry queue: what a run could not take yet and the next run takes again."""

    actions = ("load_now",)
    list_display = ("entity_shown", "remote_id", "local_ref", "why", "attempts", "first_failed_at", "last_failed_at",
                    "events_link")
    list_filter = ("system", entity_filter("entity__exact"))  # the dashboard links with entity__exact=order
    search_fields = ("=remote_id", "local_ref")
    date_hierarchy = "last_failed_at"
    list_select_related = ("run",)

    @admin.display(description=_("why"))
    def why(self, obj):
        return render(obj.message)

    @admin.display(description=_("entity"), ordering="entity")
    def entity_shown(self, obj):
        return entity_label(obj.entity)

    @admin.display(description=_("exchange events"))
    def events_link(self, obj):
        """The log of this entity: every attempt, with the page that loads it again."""
        url = reverse("admin:integration_exchangeevent_changelist")
        return format_html('<a class="events-link" href="{}?entity={}&crm_id={}">{}</a>', url, obj.entity, obj.remote_id,
                           _("Show the events"))

    @admin.action(description=_("Load these orders again now"))
    @requires(RUN_IMPORTS)
    def load_now(self, request, queryset):
        for remote_id in queryset.filter(system="retailcrm", entity="order").values_list("remote_id", flat=True):
            if remote_id.isdigit():
                enqueue_from_admin(request, "import-order", scope=remote_id, options={"id": int(remote_id)})
