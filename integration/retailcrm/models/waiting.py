"""The retry queue of orders the import skipped for their status (B1), kept apart from the exchange log."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _


class SkippedOrder(models.Model):
    """A CRM order not imported because B1 did not list its status; imported as soon as it does.

    The history cursor moves past the order, so this row is what remembers it: every import-orders
    run re-fetches the rows whose status B1 now lists, and a later change of the order (the history
    feed or the webhook bringing it back) imports or re-files it. A row is deleted once its order is
    handled.
    """

    class Reason(models.TextChoices):
        EMPTY_TABLE = "empty-table", _("The table of statuses for import was empty")
        NOT_LISTED = "not-listed", _("The status is not in “B1 · statuses for import”")

    crm_id = models.PositiveIntegerField(_("CRM order id"), unique=True)
    crm_number = models.CharField(_("CRM number"), max_length=50, blank=True)
    crm_site = models.CharField(_("CRM shop"), max_length=100, blank=True)
    crm_status = models.CharField(_("CRM status"), max_length=100, db_index=True)
    reason = models.CharField(_("why"), max_length=20, choices=Reason.choices)
    first_skipped_at = models.DateTimeField(_("first skipped"), default=timezone.now)
    last_skipped_at = models.DateTimeField(_("last skipped"), default=timezone.now, db_index=True)
    run = models.ForeignKey(
        "integration.JobRun", verbose_name=_("last run that skipped it"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        verbose_name = _("order waiting for its status")
        verbose_name_plural = _("orders waiting for their status")
        ordering = ["-last_skipped_at", "-crm_id"]

    def __str__(self):
        return f"{self.crm_number or self.crm_id} ({self.crm_status})"

    @property
    def message(self) -> str:
        """The manual's message (000 §6), in the language of whoever reads it."""
        if self.reason == self.Reason.EMPTY_TABLE:
            return gettext("The table of statuses for import is empty: orders are not loaded. "
                           "Open “B1 · statuses for import” and add the statuses to load.")
        return gettext("Orders in status %(status)s are not loaded. To load them, add this status to "
                       "“B1 · statuses for import”.") % {"status": self.crm_status}
