from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from integration.admin.base import ReadOnlyAdmin
from integration.exchange.messages import render, render_short
from integration.models import RejectedWebhookWindow, WebhookRequest


@admin.register(WebhookRequest)
class WebhookRequestAdmin(ReadOnlyAdmin):
    """E7: every call of the webhook, to answer “did the CRM call us, and what became of it?”."""

    list_display = (
        "received_at", "remote_addr", "order_crm_id", "body_format", "status", "http_status", "short_error", "run_link",
    )
    list_filter = ("status", "body_format", "http_status")
    list_select_related = ("run",)
    search_fields = ("=order_crm_id",)
    search_help_text = _("Search by the order's id in RetailCRM.")
    date_hierarchy = "received_at"
    show_full_result_count = False
    fields = (
        "received_at", "remote_addr", "content_type", "body_format", "order_crm_id", "status", "http_status", "error_text",
        "run_link", "body_excerpt",
    )
    readonly_fields = fields

    @admin.display(description=_("error"))
    def short_error(self, obj):
        return render_short(obj.error)

    @admin.display(description=_("error"))
    def error_text(self, obj):
        return render(obj.error)

    @admin.display(description=_("job run"), ordering="run")
    def run_link(self, obj):
        if not obj.run_id:
            return "—"
        url = reverse("admin:integration_jobrun_change", args=[obj.run_id])
        return format_html('<a href="{}">{}</a>', url, obj.run)


@admin.register(RejectedWebhookWindow)
class RejectedWebhookWindowAdmin(ReadOnlyAdmin):
    """E7: calls refused before authentication, counted per window (only a sample became webhook requests)."""

    list_display = ("window_start", "calls", "stored", "last_call_at", "last_remote_addr")
    date_hierarchy = "window_start"
    show_full_result_count = False
