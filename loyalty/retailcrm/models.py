"""RetailCRM loyalty program (000 §7, features G1–G4): programs, the chosen one, participations.

Imported by loyalty/models.py, so the tables belong to the ``loyalty`` app.

Programs are a local mirror refreshed by the ``refresh-loyalty`` job; the operator picks one in
:class:`LoyaltySettings`. A :class:`Participation` is one customer's account in one program: the
CRM participation id, its status and the bonus account as last read from the CRM, so admin pages
render without calling RetailCRM.
"""

from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from solo.models import SingletonModel

from integration.models import Customer

money = dict(max_digits=14, decimal_places=2, null=True, blank=True)
STALE_AFTER = timedelta(hours=1)


class LoyaltyProgram(models.Model):
    crm_id = models.PositiveIntegerField(_("CRM id"), unique=True)
    name = models.CharField(_("name"), max_length=255)
    active = models.BooleanField(_("active"), default=False)
    blocked = models.BooleanField(_("blocked"), default=False)
    confirm_sms_registration = models.BooleanField(_("confirm participation by SMS"), default=False)
    confirm_sms_charge = models.BooleanField(_("confirm bonus charges by SMS"), default=False)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    levels = models.JSONField(_("levels"), default=list, blank=True)
    in_crm = models.BooleanField(
        _("present in RetailCRM"), default=True,
        help_text=_("Cleared when the last refresh no longer found the program for the shop."),
    )
    refreshed_at = models.DateTimeField(_("refreshed"), null=True, blank=True)

    class Meta:
        verbose_name = _("loyalty program")
        verbose_name_plural = _("loyalty programs")
        ordering = ["name", "crm_id"]

    def __str__(self):
        return f"{self.name} ({self.crm_id})"


class LoyaltySettings(SingletonModel):
    """G1: which program the back office registers customers in (the A3 flag switches it on)."""

    program = models.ForeignKey(
        LoyaltyProgram, verbose_name=_("loyalty program"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text=_("Programs are loaded from RetailCRM for the shop chosen in RetailCRM settings."),
    )
    programs_refreshed_at = models.DateTimeField(_("programs refreshed"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("loyalty program settings")
        verbose_name_plural = _("loyalty program settings")

    def __str__(self):
        return str(_("Loyalty program settings"))

    @property
    def is_stale(self) -> bool:
        return self.programs_refreshed_at is None or timezone.now() - self.programs_refreshed_at > STALE_AFTER


class Participation(models.Model):
    """One customer's account in one program (the manual's ИДУчастияВПЛ and АктивенВПЛ)."""

    class Status(models.TextChoices):
        ACTIVATED = "activated", _("Active")
        NOT_CONFIRMED = "not_confirmed", _("Waiting for SMS confirmation")
        DEACTIVATED = "deactivated", _("Deactivated")

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="loyalty_participations")
    program = models.ForeignKey(LoyaltyProgram, verbose_name=_("loyalty program"), on_delete=models.CASCADE,
                                related_name="participations")
    crm_account_id = models.PositiveIntegerField(_("participation id"), unique=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, blank=True)
    active = models.BooleanField(_("active in the program"), default=False)
    phone = models.CharField(_("phone of the account"), max_length=32, blank=True)
    card_number = models.CharField(_("bonus card"), max_length=64, blank=True)
    balance = models.DecimalField(_("bonus balance"), **money)
    purchases_sum = models.DecimalField(_("purchases sum"), **money)
    next_level_sum = models.DecimalField(_("sum to the next level"), **money)
    level = models.JSONField(_("level"), default=dict, blank=True)
    registered_at = models.DateTimeField(_("registered"), null=True, blank=True)
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    fetched_at = models.DateTimeField(_("read from RetailCRM"), null=True, blank=True)

    class Meta:
        verbose_name = _("loyalty participation")
        verbose_name_plural = _("loyalty participations")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "program"], name="loyalty_one_participation_per_program"),
        ]

    def __str__(self):
        return f"{self.customer} — {self.crm_account_id}"

    @property
    def level_name(self) -> str:
        return (self.level or {}).get("name") or ""


class RegistrationCandidate(Customer):
    """G2: the admin list of customers to register (customers with a phone, not yet participants)."""

    class Meta:
        proxy = True
        verbose_name = _("customer to register")
        verbose_name_plural = _("mass registration in the loyalty program")
