"""CRM reference books mirrored locally, so mappings can point at them and survive their removal.

Entries are never deleted by a sync: an entry that vanished from the CRM is flagged, and the
operator's mapping rows that point at it stay visible until the operator removes them.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.fields import HttpsURLField


class CrmDictionaryEntry(models.Model):
    code = models.CharField(_("CRM code"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=255)
    active = models.BooleanField(_("active in CRM"), default=True)
    removed_in_crm = models.BooleanField(
        _("removed in CRM"), default=False, help_text=_("The entry was not in the CRM at the last sync.")
    )
    raw = models.JSONField(_("CRM data"), default=dict, blank=True, editable=False)
    synced_at = models.DateTimeField(_("last synced"), default=timezone.now, editable=False)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class CrmSite(CrmDictionaryEntry):
    yml_url = HttpsURLField(_("catalog URL in CRM"), max_length=1000, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)

    class Meta(CrmDictionaryEntry.Meta):
        verbose_name = _("CRM shop")
        verbose_name_plural = _("CRM shops")


class CrmStatusGroup(CrmDictionaryEntry):
    ordering = models.IntegerField(_("ordering"), default=0)

    class Meta(CrmDictionaryEntry.Meta):
        verbose_name = _("CRM status group")
        verbose_name_plural = _("CRM status groups")


class CrmStatus(CrmDictionaryEntry):
    group = models.ForeignKey(
        CrmStatusGroup, verbose_name=_("group"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="statuses",
    )
    ordering = models.IntegerField(_("ordering"), default=0)

    class Meta(CrmDictionaryEntry.Meta):
        verbose_name = _("CRM status")
        verbose_name_plural = _("CRM statuses")
        ordering = ["ordering", "name"]


class CrmUser(models.Model):
    crm_id = models.PositiveIntegerField(_("CRM id"), unique=True)
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    active = models.BooleanField(_("active in CRM"), default=True)
    is_manager = models.BooleanField(_("manager"), default=True)
    removed_in_crm = models.BooleanField(_("removed in CRM"), default=False)
    raw = models.JSONField(_("CRM data"), default=dict, blank=True, editable=False)
    synced_at = models.DateTimeField(_("last synced"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("CRM user")
        verbose_name_plural = _("CRM users")
        ordering = ["last_name", "first_name"]

    def __str__(self):
        name = f"{self.first_name} {self.last_name}".strip() or self.email
        return f"{name} (#{self.crm_id})"


class CrmStore(CrmDictionaryEntry):
    class Meta(CrmDictionaryEntry.Meta):
        verbose_name = _("CRM warehouse")
        verbose_name_plural = _("CRM warehouses")


class CrmPriceType(CrmDictionaryEntry):
    is_default = models.BooleanField(_("base price type"), default=False)

    class Meta(CrmDictionaryEntry.Meta):
        verbose_name = _("CRM price type")
        verbose_name_plural = _("CRM price types")


class CrmPaymentType(CrmDictionaryEntry):
    sites = models.JSONField(_("shops"), default=list, blank=True, help_text=_("Empty: available to every shop."))

    class Meta(CrmDictionaryEntry.Meta):
        verbose_name = _("CRM payment type")
        verbose_name_plural = _("CRM payment types")


class CrmPaymentStatus(CrmDictionaryEntry):
    payment_complete = models.BooleanField(
        _("payment complete"), default=False,
        help_text=_("A payment in this status counts as paid (the CRM's “paymentComplete”)."),
    )

    class Meta(CrmDictionaryEntry.Meta):
        verbose_name = _("CRM payment status")
        verbose_name_plural = _("CRM payment statuses")


class CrmDeliveryType(CrmDictionaryEntry):
    sites = models.JSONField(_("shops"), default=list, blank=True, help_text=_("Empty: available to every shop."))

    class Meta(CrmDictionaryEntry.Meta):
        verbose_name = _("CRM delivery type")
        verbose_name_plural = _("CRM delivery types")


class CrmOrderType(CrmDictionaryEntry):
    class Meta(CrmDictionaryEntry.Meta):
        verbose_name = _("CRM order type")
        verbose_name_plural = _("CRM order types")


class CrmOrderMethod(CrmDictionaryEntry):
    class Meta(CrmDictionaryEntry.Meta):
        verbose_name = _("CRM order method")
        verbose_name_plural = _("CRM order methods")
