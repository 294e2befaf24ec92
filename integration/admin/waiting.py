"""The queue of orders waiting for their status (B1): read-only, the import empties it by itself."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from integration.admin.base import ReadOnlyAdmin
from integration.admin.progress import kind_label
from integration.admin.buttons import PermittedActions, enqueue_from_admin, requires
from integration.models import SkippedOrder
from integration.permissions import RUN_IMPORTS


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
