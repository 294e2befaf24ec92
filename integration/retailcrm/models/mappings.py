"""Mapping tables B1–B8: the operator's answers to "what does this CRM code mean here?"."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog.icml.paths import validate_catalog_file_name
from catalog.models import NO_VAT_TAXATION, Organization, PriceType, ProductGroup, Warehouse
from integration.documents.models.states import DeliveryMethod, OrderState, PaymentDocumentKind
from integration.retailcrm.models.dictionaries import (
    CrmDeliveryType,
    CrmPaymentType,
    CrmPriceType,
    CrmSite,
    CrmStatus,
    CrmStore,
    CrmUser,
)


SALE_STATUSES = frozenset({"for-shipment", "otgruzhen", "complete"})  # 001 §6 и): "create sale" by default


class StatusImportMapping(models.Model):
    """B1: only CRM statuses listed here import; the state may stay empty."""

    crm_status = models.OneToOneField(
        CrmStatus, verbose_name=_("CRM status"), on_delete=models.CASCADE, related_name="import_mapping"
    )
    local_state = models.ForeignKey(
        OrderState, verbose_name=_("local state"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancel_order = models.BooleanField(_("cancel order"), default=False)
    create_sale = models.BooleanField(_("create sale"), default=False)
    history = HistoricalRecords()

    def __init__(self, *args, **kwargs):
        # A row made in code for a shipping status (crm_status given, create_sale not) flags "create sale" as
        # the manual's default; forms and database rows always say it themselves.
        status = kwargs.get("crm_status")
        if not args and "create_sale" not in kwargs and getattr(status, "code", None) in SALE_STATUSES:
            kwargs["create_sale"] = True
        super().__init__(*args, **kwargs)

    class Meta:
        verbose_name = _("status for import")
        verbose_name_plural = _("B1 · statuses for import")
        ordering = ["crm_status__ordering", "crm_status__name"]

    def __str__(self):
        return f"{self.crm_status} → {self.local_state or '—'}"


class StatusExportMapping(models.Model):
    """B2: which CRM status a local state becomes when an order change is exported.

    Besides one row per state, two rows of seed 001 §7 are not states: a closed order whose lines
    are all cancelled, and an unposted order (F5); both default to ``cancel``.
    """

    class Rule(models.TextChoices):
        STATE = "state", _("the order is in this state")
        ALL_CANCELLED = "all-cancelled", _("closed with all lines cancelled")
        UNPOSTING = "unposting", _("unposting")

    local_state = models.OneToOneField(
        OrderState, verbose_name=_("local state"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="export_mapping",
    )
    rule = models.CharField(_("when"), max_length=20, choices=Rule.choices, default=Rule.STATE)
    crm_status = models.ForeignKey(CrmStatus, verbose_name=_("CRM status"), on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("status for export")
        verbose_name_plural = _("B2 · statuses for export")
        ordering = ["local_state__ordering", "rule"]
        constraints = [
            models.UniqueConstraint(fields=["rule"], condition=~models.Q(rule="state"), name="b2_one_row_per_rule"),
            models.CheckConstraint(
                condition=models.Q(rule="state", local_state__isnull=False) | (
                    ~models.Q(rule="state") & models.Q(local_state__isnull=True)),
                name="b2_state_only_for_state_rows"),
        ]

    def __str__(self):
        subject = self.local_state if self.rule == self.Rule.STATE else self.get_rule_display()
        return f"{subject or '—'} → {self.crm_status}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.rule == self.Rule.STATE and self.local_state_id is None:
            raise ValidationError({"local_state": _("Choose the local state this row is for.")})
        if self.rule != self.Rule.STATE and self.local_state_id is not None:
            raise ValidationError({"local_state": _("This row is not for a state: leave the state empty.")})


class ManagerMapping(models.Model):
    """B3: CRM user ↔ local user; filled automatically by e-mail, editable by hand."""

    crm_user = models.OneToOneField(CrmUser, verbose_name=_("CRM user"), on_delete=models.CASCADE, related_name="mapping")
    local_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("local user"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    manual_id = models.CharField(
        _("manual id"), max_length=100, blank=True, help_text=_("Set by hand; automatic matching never overwrites it.")
    )
    matched_automatically = models.BooleanField(_("matched by e-mail"), default=False, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("manager")
        verbose_name_plural = _("B3 · managers")

    def __str__(self):
        return f"{self.crm_user} → {self.local_user or self.manual_id or '—'}"


class WarehouseMapping(models.Model):
    """B4: CRM store ↔ local warehouse, for order warehouses and stock export."""

    crm_store = models.OneToOneField(CrmStore, verbose_name=_("CRM warehouse"), on_delete=models.CASCADE, related_name="mapping")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("local warehouse"), on_delete=models.PROTECT, related_name="crm_mappings")
    export_stock = models.BooleanField(_("export stock"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("B4 · warehouses")

    def __str__(self):
        return f"{self.crm_store} ↔ {self.warehouse}"


class PriceTypeMapping(models.Model):
    """B5: CRM price type ↔ local price type (used when "use price types" is on)."""

    crm_price_type = models.OneToOneField(
        CrmPriceType, verbose_name=_("CRM price type"), on_delete=models.CASCADE, related_name="mapping"
    )
    price_type = models.ForeignKey(PriceType, verbose_name=_("local price type"), on_delete=models.PROTECT, related_name="crm_mappings")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("price type")
        verbose_name_plural = _("B5 · price types")

    def __str__(self):
        return f"{self.crm_price_type} ↔ {self.price_type}"


class PaymentTypeMapping(models.Model):
    """B6: CRM payment type ↔ local payment document kind, in both directions."""

    crm_payment_type = models.OneToOneField(
        CrmPaymentType, verbose_name=_("CRM payment type"), on_delete=models.CASCADE, related_name="mapping"
    )
    document_kind = models.CharField(_("payment document"), max_length=20, choices=PaymentDocumentKind.choices)
    terminal = models.CharField(_("card terminal"), max_length=100, blank=True)
    use_for_export = models.BooleanField(
        _("use for export"), default=True,
        help_text=_("Local payments of this document kind are exported with this CRM payment type."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payment type")
        verbose_name_plural = _("B6 · payment types")

    def __str__(self):
        return f"{self.crm_payment_type} ↔ {self.get_document_kind_display()}"


class DeliveryTypeMapping(models.Model):
    """B7: CRM delivery type → local delivery method and carrier; unmapped types mean pickup."""

    crm_delivery_type = models.OneToOneField(
        CrmDeliveryType, verbose_name=_("CRM delivery type"), on_delete=models.CASCADE, related_name="mapping"
    )
    method = models.CharField(_("delivery method"), max_length=20, choices=DeliveryMethod.choices, default=DeliveryMethod.PICKUP)
    carrier = models.CharField(_("carrier"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("delivery type")
        verbose_name_plural = _("B7 · delivery types")

    def __str__(self):
        return f"{self.crm_delivery_type} → {self.get_method_display()}"


class ShopOrganization(models.Model):
    """B8: with "multiple organizations" on, each CRM shop has its own organization and catalog."""

    crm_site = models.OneToOneField(CrmSite, verbose_name=_("CRM shop"), on_delete=models.CASCADE, related_name="organization_settings")
    organization = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="shops")
    default_warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("default warehouse"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    export_stock = models.BooleanField(_("export stock"), default=True)
    export_prices = models.BooleanField(_("export prices"), default=True)
    export_catalog = models.BooleanField(_("export catalog"), default=True)
    create_sales = models.BooleanField(_("create sales"), default=False)
    taxation = models.CharField(_("taxation"), max_length=20, choices=Organization.Taxation.choices, blank=True)
    vat_included = models.BooleanField(_("prices include VAT"), default=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    priority = models.CharField(_("order priority"), max_length=50, blank=True)
    terminal = models.CharField(_("card terminal"), max_length=100, blank=True)
    default_delivery_method = models.CharField(
        _("default delivery method"), max_length=20, choices=DeliveryMethod.choices, default=DeliveryMethod.PICKUP
    )
    catalog_path = models.CharField(
        _("catalog file"), max_length=500, blank=True, validators=[validate_catalog_file_name],
        help_text=_("Default: <shop>_catalog_icml.xml"),
    )
    warehouses = models.ManyToManyField(Warehouse, verbose_name=_("warehouses"), blank=True, related_name="+")
    catalog_groups = models.ManyToManyField(ProductGroup, verbose_name=_("catalog groups"), blank=True, related_name="+")
    history = HistoricalRecords(m2m_fields=[warehouses, catalog_groups])

    class Meta:
        verbose_name = _("shop organization")
        verbose_name_plural = _("B8 · multiple organizations")

    def __str__(self):
        return f"{self.crm_site} → {self.organization}"

    def clean(self):
        if (self.taxation or getattr(self.organization, "taxation", "")) in NO_VAT_TAXATION:
            self.vat_included = False  # not subject to VAT / ENVD: prices never include VAT (A2)

    @property
    def effective_catalog_path(self) -> str:
        return self.catalog_path or f"{self.crm_site.code}_catalog_icml.xml"
