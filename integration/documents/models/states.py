"""Document vocabulary: the local order states (seed 001 §7) and the kinds of payment documents and deliveries."""

from django.db import models
from django.utils.translation import gettext, gettext_lazy as _
from simple_history.models import HistoricalRecords


class OrderState(models.Model):
    """A local order state (the 1C order's "state"), seeded from seed 001 §7 and editable."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_closed = models.BooleanField(
        _("closes the order"), default=False, help_text=_("Orders in this state are never changed by an import.")
    )
    ordering = models.PositiveSmallIntegerField(_("ordering"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("order state")
        verbose_name_plural = _("order states")
        ordering = ["ordering", "name"]

    def __str__(self):
        # Seeded names are English msgids with a Russian translation; edited names pass through.
        return gettext(self.name)


class PaymentDocumentKind(models.TextChoices):
    CASH_RECEIPT = "cash-receipt", _("Cash receipt")
    BANK_RECEIPT = "bank-receipt", _("Bank receipt")
    CARD_PAYMENT = "card-payment", _("Card payment")


class DeliveryMethod(models.TextChoices):
    PICKUP = "pickup", _("Pickup")
    COURIER = "courier", _("Courier")
    CARRIER = "carrier", _("Carrier (transport company)")
