"""The CRM settings singleton: features A1–A3 and A5 (grouped like the manuals' tabs)."""

import secrets as pysecrets

from django.core.exceptions import ValidationError
from django.core.validators import MinLengthValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from solo.models import SingletonModel

from catalog.fields import HttpsURLField, validate_https_or_loopback
from catalog.icml.paths import validate_catalog_file_name
from catalog.models import NO_VAT_TAXATION, Organization, PriceType, Product, ProductGroup, Warehouse
from integration.exchange.secrets import mask


MIN_WEBHOOK_SECRET_LENGTH = 16  # the webhook address is public: its secrets must not be guessable


def new_webhook_token() -> str:
    return pysecrets.token_urlsafe(24)


class CrmSettings(SingletonModel):
    class OfferIdField(models.TextChoices):
        EXTERNAL_ID = "externalId", _("externalId")
        XML_ID = "xmlId", _("xmlId")

    class ProductIdSource(models.TextChoices):
        CODE = "code", _("Product code")
        ARTICLE = "article", _("Article")
        GUID = "guid", _("GUID")

    # A1 connection
    crm_url = HttpsURLField(
        _("RetailCRM address"), blank=True, help_text=_("e.g. https://myshop.retailcrm.ru"),
        validators=[validate_https_or_loopback],  # the API key travels to this address
    )
    api_key = models.CharField(_("API key"), max_length=255, blank=True)
    site_code = models.CharField(_("default shop code"), max_length=100, blank=True)
    connection_ok = models.BooleanField(_("connection checked"), default=False, editable=False)
    connection_checked_at = models.DateTimeField(_("connection checked at"), null=True, blank=True, editable=False)
    connection_message = models.TextField(_("last connection check"), blank=True, editable=False)
    # The last check could not finish for a passing reason (CRM busy, server error, network): shown
    # as a warning; jobs still run (connection_ok stays true) and their clients retry with backoff.
    connection_warning = models.BooleanField(_("connection check incomplete"), default=False, editable=False)

    # A2 defaults
    default_organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    default_warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    delivery_product = models.ForeignKey(
        Product, verbose_name=_("delivery service product"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    purchase_price_type = models.ForeignKey(
        PriceType, verbose_name=_("purchase price type"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    sale_price_type = models.ForeignKey(
        PriceType, verbose_name=_("sale price type"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    currency = models.CharField(_("currency"), max_length=3, default="RUB")
    taxation = models.CharField(
        _("taxation"), max_length=20, choices=Organization.Taxation.choices, default=Organization.Taxation.GENERAL
    )
    prices_include_vat = models.BooleanField(_("prices include VAT"), default=True)
    payment_deferral_days = models.PositiveIntegerField(_("payment deferral, days"), default=0)
    priority = models.CharField(_("order priority"), max_length=50, blank=True)
    order_number_prefix = models.CharField(_("order number prefix"), max_length=10, blank=True, default="CRM-")
    bank_account = models.CharField(_("bank account"), max_length=34, blank=True)
    cash_desk = models.CharField(_("cash desk"), max_length=100, blank=True)

    # A3 exchange modes
    import_orders = models.BooleanField(_("import orders from RetailCRM"), default=True)
    export_order_changes = models.BooleanField(
        _("export order changes to RetailCRM"), default=False,
        help_text=_("Posting an order loaded from RetailCRM sends all its changes there; unposting cancels it. "
                    "Orders created here are not exported."),
    )
    export_stock = models.BooleanField(_("export stock"), default=True)
    export_prices = models.BooleanField(_("export prices"), default=True)
    use_price_types = models.BooleanField(_("use price types"), default=False)
    create_payment_documents = models.BooleanField(_("create payment documents"), default=False)
    export_payments = models.BooleanField(_("export payments"), default=False)
    create_sales = models.BooleanField(_("create sales"), default=False)
    create_returns = models.BooleanField(_("create returns"), default=False)
    export_sales = models.BooleanField(_("export sales"), default=False)
    export_returns = models.BooleanField(_("export returns"), default=False)
    corporate_customers = models.BooleanField(_("corporate customers"), default=False)
    multiple_organizations = models.BooleanField(_("multiple organizations"), default=False)
    loyalty_program = models.BooleanField(_("loyalty program"), default=False)
    # The switches above, in the manuals' order (the admin shows them so, minus integration.retailcrm.features.NOT_BUILT).
    EXCHANGE_MODES = (
        "import_orders", "export_order_changes", "export_stock", "export_prices", "use_price_types",
        "create_payment_documents", "export_payments", "create_sales", "create_returns", "export_sales",
        "export_returns", "corporate_customers", "multiple_organizations", "loyalty_program",
    )

    # catalog identifiers (C2)
    offer_id_field = models.CharField(
        _("offer identifier in the CRM"), max_length=10, choices=OfferIdField.choices, default=OfferIdField.EXTERNAL_ID
    )
    product_id_source = models.CharField(
        _("local product identifier"), max_length=10, choices=ProductIdSource.choices, default=ProductIdSource.CODE
    )
    prefix_organization_guid = models.BooleanField(_("prefix offer ids with the organization GUID"), default=False)
    catalog_groups = models.ManyToManyField(
        ProductGroup, verbose_name=_("catalog groups"), blank=True, related_name="+",
        help_text=_("Export only these groups and everything below them; empty means the whole catalog."),
    )
    catalog_path = models.CharField(
        _("catalog file"), max_length=500, default="catalog_icml.xml", validators=[validate_catalog_file_name],
        help_text=_("A file name in the catalog folder, e.g. catalog_icml.xml."),
    )
    # C3: the secret part of the catalog feed address RetailCRM downloads the ICML from
    feed_token = models.CharField(
        _("catalog feed secret"), max_length=100, default=new_webhook_token, editable=False,
        validators=[MinLengthValidator(MIN_WEBHOOK_SECRET_LENGTH)],
    )

    # A5 history cursor
    history_since_id = models.PositiveBigIntegerField(
        _("history cursor (sinceId)"), null=True, blank=True,
        help_text=_("The last CRM history entry already applied. Empty: start from the load date."),
    )
    history_start_date = models.DateTimeField(_("load orders changed since"), null=True, blank=True)

    # webhook (E7): a secret token in the URL, or HTTP Basic with these credentials
    webhook_token = models.CharField(
        _("webhook secret"), max_length=100, default=new_webhook_token,
        validators=[MinLengthValidator(MIN_WEBHOOK_SECRET_LENGTH)],
    )
    webhook_basic_user = models.CharField(
        _("webhook user (HTTP Basic)"), max_length=100, blank=True,
        help_text=_("Optional: RetailCRM may call the webhook with HTTP Basic instead of the secret in the URL."),
    )
    webhook_basic_password = models.CharField(
        _("webhook password (HTTP Basic)"), max_length=100, blank=True,
        validators=[MinLengthValidator(MIN_WEBHOOK_SECRET_LENGTH)],
    )

    # I5 housekeeping: how long the exchange's logs are kept (open problems are kept whatever their age)
    keep_job_runs_days = models.PositiveIntegerField(
        _("keep job runs, days"), default=30, validators=[MinValueValidator(1)],
        help_text=_("Finished runs older than this are deleted, unless an event still kept belongs to them."),
    )
    keep_events_days = models.PositiveIntegerField(
        _("keep resolved exchange events, days"), default=30, validators=[MinValueValidator(1)],
        help_text=_("Parked, failed and skipped events that are not resolved are always kept."),
    )
    keep_webhook_requests_days = models.PositiveIntegerField(
        _("keep webhook requests, days"), default=14, validators=[MinValueValidator(1)],
    )

    history = HistoricalRecords(excluded_fields=["api_key", "webhook_token", "webhook_basic_password", "feed_token"])

    class Meta:
        verbose_name = _("RetailCRM settings")
        verbose_name_plural = _("RetailCRM settings")

    def __str__(self):
        return str(_("RetailCRM settings"))

    def clean(self):
        if self.taxation in NO_VAT_TAXATION:
            self.prices_include_vat = False  # not subject to VAT / ENVD: prices never include VAT (A2)
        if self.webhook_basic_user and not self.webhook_basic_password:
            raise ValidationError({"webhook_basic_password": _(
                "Set a password of at least %(n)d characters for the webhook user, or leave the user empty."
            ) % {"n": MIN_WEBHOOK_SECRET_LENGTH}})
    @classmethod
    def switch_label(cls, name: str) -> str:
        return str(cls._meta.get_field(name).verbose_name)

    @property
    def masked_api_key(self) -> str:
        return mask(self.api_key)

    @property
    def is_configured(self) -> bool:
        return bool(self.crm_url and self.api_key)
