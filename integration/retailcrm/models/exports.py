"""What the stock and price exports (D1, D2) last delivered, so a run can send only what changed."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportChannel(models.TextChoices):
    STOCK = "stock", _("Stock")
    PRICES = "prices", _("Prices")


class OfferExportState(models.Model):
    """One offer as the CRM last accepted it: a fingerprint of exactly what was sent.

    A run compares the fingerprint of the offer's current entry with this one and sends the
    offer only when they differ. Rows are written only after RetailCRM acknowledged the batch,
    so an offer of a failed batch (or one the CRM did not know) differs again on the next run.
    """

    channel = models.CharField(_("export"), max_length=10, choices=ExportChannel.choices)
    site = models.CharField(_("shop"), max_length=100, blank=True)
    offer = models.CharField(_("offer"), max_length=255)
    fingerprint = models.CharField(_("fingerprint"), max_length=16)
    exported_at = models.DateTimeField(_("exported at"))

    class Meta:
        verbose_name = _("exported offer")
        verbose_name_plural = _("exported offers")
        constraints = [models.UniqueConstraint(fields=["channel", "site", "offer"], name="uniq_offer_export_state")]

    def __str__(self):
        return f"{self.channel} {self.site or '-'} {self.offer}"


class ExportCheckpoint(models.Model):
    """Per export: when the last complete full upload started (the periodic reconcile reads it)."""

    channel = models.CharField(_("export"), max_length=10, choices=ExportChannel.choices, unique=True)
    last_full_at = models.DateTimeField(_("last complete full upload"), null=True, blank=True)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)

    class Meta:
        verbose_name = _("export checkpoint")
        verbose_name_plural = _("export checkpoints")

    def __str__(self):
        return self.channel
