"""BonusPlus rows (H1–H4): settings, cashier codes, what the catalog upload sent, phone checks, an order's bonuses.

Imported by loyalty/models.py, so the tables belong to the ``loyalty`` app.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from solo.models import SingletonModel

from integration.documents.models.orders import Order, OrderLine
from integration.exchange.secrets import mask

money = dict(max_digits=14, decimal_places=2, default=Decimal("0"))


class BonusPlusSettings(SingletonModel):
    """H1: how the back office reaches BonusPlus and the loyalty programme's options from 004."""

    base_url = models.CharField(_("BonusPlus API address"), max_length=255, default="https://bonusplus.pro/api/")
    api_key = models.CharField(_("BonusPlus API key"), max_length=255, blank=True)
    store = models.CharField(_("store"), max_length=255, blank=True,
                             help_text=_("The store's name exactly as in the BonusPlus cabinet."))
    sms_required = models.BooleanField(
        _("confirm the phone by SMS"), default=True,
        help_text=_("As in the loyalty programme's settings: a new customer's phone is checked with a code."))
    sms_skip_seconds = models.PositiveIntegerField(
        _("seconds before the code may be skipped"), default=60,
        help_text=_("After this long the cashier may go on without the code; the customer is asked again next time."))

    class Meta:
        verbose_name = _("BonusPlus settings")
        verbose_name_plural = _("BonusPlus settings")
        permissions = [("use_bonusplus", "Can use BonusPlus in orders"),
                       ("export_bonusplus_catalog", "Can upload the catalog to BonusPlus")]

    def __str__(self):
        return str(_("BonusPlus settings"))

    @property
    def masked_api_key(self) -> str:
        return mask(self.api_key)

    @property
    def is_configured(self) -> bool:
        return bool(self.api_key and self.store and self.base_url)


class Cashier(models.Model):
    """The BonusPlus cashier code of one user (1C keeps it in the user's "Комментарий")."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                                related_name="bonusplus_cashier")
    code = models.CharField(_("BonusPlus cashier code"), max_length=50, blank=True,
                            help_text=_("The code BonusPlus gave the cashier (settings → access for cashiers and stores)."))

    class Meta:
        verbose_name = _("BonusPlus cashier")
        verbose_name_plural = _("BonusPlus cashiers")

    def __str__(self):
        return f"{self.user} — {self.code}"


class CatalogNode(models.Model):
    """H2: one group or product as BonusPlus last accepted it, so a repeat upload sends only changes."""

    node_id = models.CharField(_("BonusPlus id"), max_length=100, unique=True)
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    sent_at = models.DateTimeField(_("sent"), auto_now=True)

    class Meta:
        verbose_name = _("catalog node sent to BonusPlus")
        verbose_name_plural = _("catalog nodes sent to BonusPlus")

    def __str__(self):
        return self.node_id


class PhoneCheck(models.Model):
    """004 §6: a phone confirmed by SMS, or skipped (then asked again next time)."""

    phone = models.CharField(_("phone"), max_length=11, unique=True)
    code_sent_at = models.DateTimeField(_("code sent"), null=True, blank=True)
    verified_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    skipped_at = models.DateTimeField(_("code skipped"), null=True, blank=True)

    class Meta:
        verbose_name = _("BonusPlus phone check")
        verbose_name_plural = _("BonusPlus phone checks")

    def __str__(self):
        return self.phone


class OrderBonus(models.Model):
    """H3/H4: an order's card, its last calculation as applied, and what BonusPlus holds in reserve for it."""

    class Reserve(models.TextChoices):
        SETTLED = "settled", _("in step with BonusPlus")
        PENDING = "pending", _("sent, answer not recorded")
        REVIEW = "review", _("to be checked by a person")

    class Purchase(models.TextChoices):
        NONE = "none", _("not registered")
        PENDING = "pending", _("sent, answer not recorded")
        DONE = "done", _("registered in BonusPlus")
        REVIEW = "review", _("to be checked by a person")

    order = models.OneToOneField(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="bonusplus")
    phone = models.CharField(_("phone"), max_length=11, blank=True)
    card = models.CharField(_("card code"), max_length=64, blank=True)
    holder = models.CharField(_("card holder"), max_length=255, blank=True)
    available = models.DecimalField(_("available bonuses"), **money)
    check_sum = models.DecimalField(_("check sum"), **money)
    use_bonuses = models.BooleanField(_("use bonuses"), default=False)
    debit = models.DecimalField(_("bonuses used"), **money)
    max_debit = models.DecimalField(_("maximum sum payable with bonuses"), **money)
    multiplicity = models.DecimalField(_("debit multiplicity"), max_digits=14, decimal_places=2, default=Decimal("1"))
    discount_percent = models.DecimalField(_("discount %"), max_digits=6, decimal_places=2, default=Decimal("0"))
    discount_sum = models.DecimalField(_("discount by percent"), **money)
    to_pay = models.DecimalField(_("to pay"), **money)
    earn = models.DecimalField(_("bonuses to earn"), **money)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)
    lines_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    # What BonusPlus holds in reserve under the order's id, as far as we know for sure.
    reserved = models.DecimalField(_("bonuses reserved"), **money)
    reserve_state = models.CharField(_("reserve"), max_length=10, choices=Reserve.choices, default=Reserve.SETTLED)
    pending_delta = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True, editable=False)
    # availableBonuses before the pending call: an unclear answer is settled by reading it again.
    pending_available_before = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True,
                                                   editable=False)
    reserve_message = models.TextField(_("reserve message"), blank=True)
    reserve_requests = models.PositiveIntegerField(default=0, editable=False)
    # H5: the purchase registered when the order's sale is posted (the sale's number is its externalId).
    purchase_state = models.CharField(_("purchase"), max_length=10, choices=Purchase.choices, default=Purchase.NONE)
    purchase_external_id = models.CharField(_("purchase external id"), max_length=100, blank=True)
    purchase_id = models.BigIntegerField(_("BonusPlus purchase id"), null=True, blank=True)
    # The card as last read (finding it, settling a reserve) with its time, then, once the purchase is
    # sent, as it should be just before it: an unclear answer is settled against it (evidence.py).
    purchase_before = models.JSONField(default=dict, blank=True, editable=False)
    purchase_message = models.TextField(_("purchase message"), blank=True)

    class Meta:
        verbose_name = _("BonusPlus data of an order")
        verbose_name_plural = _("BonusPlus data of orders")

    def __str__(self):
        return f"{self.order} — {self.card or self.phone}"

    @property
    def total_discount(self) -> Decimal:
        return self.debit + self.discount_sum


class OrderBonusLine(models.Model):
    """The manual discount our "Apply" put on one line: undone exactly when the order is calculated again."""

    bonus = models.ForeignKey(OrderBonus, on_delete=models.CASCADE, related_name="lines")
    line = models.OneToOneField(OrderLine, on_delete=models.CASCADE, related_name="bonusplus")
    discount = models.DecimalField(_("manual discount"), **money)
    bonuses = models.DecimalField(_("bonuses used"), **money)
    earn = models.DecimalField(_("bonuses to earn"), **money)

    class Meta:
        verbose_name = _("BonusPlus discount of a line")
        verbose_name_plural = _("BonusPlus discounts of lines")
