from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WebhookRequest(models.Model):
    """E7: every call of our webhook by a RetailCRM trigger, kept whatever its fate (dj-stripe's habit)."""

    class Status(models.TextChoices):
        ENQUEUED = "enqueued", _("Import queued")
        COALESCED = "coalesced", _("Joined a queued import")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Failed")
        SWITCHED_OFF = "off", _("Not queued: import is switched off")

    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    remote_addr = models.GenericIPAddressField(_("remote address"), null=True, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    body_format = models.CharField(_("body format"), max_length=10, blank=True, help_text=_("soap, form or json"))
    order_crm_id = models.PositiveIntegerField(_("CRM order id"), null=True, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, db_index=True)
    http_status = models.PositiveSmallIntegerField(_("answer"), default=200)
    error = models.TextField(_("error"), blank=True)
    body_excerpt = models.TextField(_("body (start)"), blank=True)
    run = models.ForeignKey(
        "integration.JobRun", verbose_name=_("job run"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("webhook request")
        verbose_name_plural = _("webhook requests")
        ordering = ["-received_at", "-id"]

    def __str__(self):
        return f"{self.received_at:%Y-%m-%d %H:%M:%S} {self.order_crm_id or '—'} {self.get_status_display()}"


class RejectedWebhookWindow(models.Model):
    """E7: calls refused before authentication, counted per time window.

    Anyone can post to the webhook address, so refused strangers are not stored one row each:
    every call is counted here, and only the first few of a window keep a (short) row in
    ``WebhookRequest`` — enough to see who called and with what."""

    window_start = models.DateTimeField(_("window start"), unique=True)
    calls = models.PositiveIntegerField(_("refused calls"), default=0)
    stored = models.PositiveIntegerField(_("calls kept as webhook requests"), default=0)
    last_call_at = models.DateTimeField(_("last call"), default=timezone.now)
    last_remote_addr = models.GenericIPAddressField(_("last remote address"), null=True, blank=True)

    class Meta:
        verbose_name = _("refused webhook calls")
        verbose_name_plural = _("refused webhook calls")
        ordering = ["-window_start"]

    def __str__(self):
        return f"{self.window_start:%Y-%m-%d %H:%M} {self.calls}"
