"""Orders and the documents made from them (sales, payments, returns).

CRM ids are unique where the CRM has them, so re-importing an order — twice, concurrently,
or after a crash — updates rows instead of creating duplicates.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Characteristic, Organization, Product, Warehouse
from integration.documents.models.customers import Customer
from integration.documents.models.states import DeliveryMethod, OrderState, PaymentDocumentKind

money = dict(max_digits=14, decimal_places=2, default=Decimal("0"))
quantity = dict(max_digits=14, decimal_places=3, default=Decimal("0"))


class Order(models.Model):
    class Source(models.TextChoices):
        CRM = "crm", _("RetailCRM")
        LOCAL = "local", _("Back office")

    number = models.CharField(_("number"), max_length=50, unique=True, help_text=_("Local number with the prefix."))
    date = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.CRM)
    crm_id = models.PositiveIntegerField(_("CRM id"), null=True, blank=True, unique=True)
    crm_external_id = models.CharField(_("CRM external id"), max_length=100, blank=True)
    crm_number = models.CharField(_("CRM number"), max_length=50, blank=True, db_index=True)
    crm_site = models.CharField(_("CRM shop"), max_length=100, blank=True)
    crm_status = models.CharField(_("CRM status"), max_length=100, blank=True)
    state = models.ForeignKey(OrderState, verbose_name=_("state"), null=True, blank=True, on_delete=models.PROTECT)
    closed = models.BooleanField(_("closed"), default=False, db_index=True)
    cancelled = models.BooleanField(_("cancelled"), default=False)
    deleted_in_crm = models.BooleanField(_("deleted in CRM"), default=False)
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    contact = models.ForeignKey(
        Customer, verbose_name=_("contact person"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="orders_as_contact", help_text=_("Who placed a company's order (the CRM's “contact”)."),
    )
    organization = models.ForeignKey(Organization, verbose_name=_("organization"), null=True, blank=True, on_delete=models.PROTECT)
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), null=True, blank=True, on_delete=models.PROTECT)
    # The shop's terms when the order was written (A2, or its B8 row): documents made from it use them.
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    priority = models.CharField(_("order priority"), max_length=50, blank=True)
    taxation = models.CharField(_("taxation"), max_length=20, choices=Organization.Taxation.choices, blank=True)
    prices_include_vat = models.BooleanField(_("prices include VAT"), default=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("manager"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    delivery_method = models.CharField(_("delivery method"), max_length=20, choices=DeliveryMethod.choices, blank=True)
    delivery_carrier = models.CharField(_("carrier"), max_length=255, blank=True)
    delivery_cost = models.DecimalField(_("delivery cost"), **money)
    delivery_address = models.TextField(_("delivery address"), blank=True)
    # Everything the CRM sent, whatever B7 maps: real accounts send addresses by parts without a text.
    delivery_address_parts = models.JSONField(_("delivery address by parts"), default=dict, blank=True)
    delivery_crm_code = models.CharField(_("CRM delivery type"), max_length=100, blank=True)
    delivery_net_cost = models.DecimalField(_("delivery net cost"), **money)
    delivery_defaulted = models.BooleanField(
        _("delivery method by default"), default=False, db_index=True,
        help_text=_("The CRM delivery type has no mapping in B7: the default method was written."),
    )
    total = models.DecimalField(_("total"), **money)
    discount_total = models.DecimalField(_("discount"), **money)
    bonuses_charged = models.DecimalField(_("bonuses charged"), **money)
    bonuses_credited = models.DecimalField(_("bonuses credited"), **money)
    comment = models.TextField(_("comment"), blank=True)
    # Imported orders arrive posted ("Проведен: Заказ …", seed 000); a local order is posted by the operator.
    posted = models.BooleanField(_("posted"), default=False, db_index=True)
    # F1: what RetailCRM last saw of the exported fields, in local terms (written by the import and by
    # every successful export), and whether a posting changed the order since then (sent by the next export).
    crm_seen = models.JSONField(_("last seen by RetailCRM"), default=dict, blank=True, editable=False)
    export_pending = models.BooleanField(_("change to export"), default=False, db_index=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["-date", "-id"], name="order_list_order")]  # the admin list's first page

    def __str__(self):
        return self.number

    def check_postable(self):
        from integration.documents.posting import require_state

        require_state(self)


class OrderLine(models.Model):
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines")
    crm_item_id = models.PositiveIntegerField(_("CRM item id"), null=True, blank=True, unique=True)
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT)
    characteristic = models.ForeignKey(Characteristic, verbose_name=_("characteristic"), null=True, blank=True, on_delete=models.PROTECT)
    is_delivery = models.BooleanField(_("delivery service line"), default=False)
    quantity = models.DecimalField(_("quantity"), **quantity)
    price = models.DecimalField(_("price"), **money)
    discount_per_unit = models.DecimalField(_("discount per unit"), **money)
    amount = models.DecimalField(_("amount"), **money)
    bonuses_charged = models.DecimalField(_("bonuses charged"), **money)
    bonuses_credited = models.DecimalField(_("bonuses credited"), **money)
    vat_rate = models.CharField(_("VAT rate"), max_length=10, blank=True)
    crm_status = models.CharField(_("CRM item status"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order_id", "id"]

    def __str__(self):
        return f"{self.product} × {self.quantity}"


class Payment(models.Model):
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="payments")
    crm_id = models.PositiveIntegerField(_("CRM id"), null=True, blank=True, unique=True)
    crm_type = models.CharField(_("CRM payment type"), max_length=100, blank=True)
    crm_status = models.CharField(_("CRM payment status"), max_length=100, blank=True)
    document_kind = models.CharField(_("payment document"), max_length=20, choices=PaymentDocumentKind.choices, blank=True)
    terminal = models.CharField(_("card terminal"), max_length=100, blank=True)
    amount = models.DecimalField(_("amount"), **money)
    paid = models.BooleanField(_("paid"), default=False)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    posted = models.BooleanField(_("posted"), default=False)
    # The document's own details (000 §8): where the money went, by kind.
    cash_desk = models.CharField(_("cash desk"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=34, blank=True)
    organization = models.ForeignKey(Organization, verbose_name=_("organization"), null=True, blank=True, on_delete=models.PROTECT)
    # F2: our externalId on every payment we send, so a lost answer can be looked up, never created twice.
    external_id = models.CharField(_("external id in the CRM"), max_length=100, blank=True, db_index=True)
    export_pending = models.BooleanField(_("waiting for export"), default=False, db_index=True)
    create_sent = models.BooleanField(_("create sent"), default=False, editable=False,
                                      help_text=_("A create was sent and its answer may be lost: look it up first."))
    export_message = models.TextField(_("export"), blank=True, editable=False)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["order_id", "id"]

    def __str__(self):
        return f"{self.order} · {self.amount}"


class Sale(models.Model):
    """A shipment document made from an order on the statuses flagged "create sale" (E4)."""

    order = models.OneToOneField(Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="sale")
    number = models.CharField(_("number"), max_length=50, unique=True)
    date = models.DateTimeField(_("date"), default=timezone.now)
    total = models.DecimalField(_("total"), **money)
    posted = models.BooleanField(_("posted"), default=False)  # set by integration.documents.posting only
    exported = models.BooleanField(_("exported to CRM"), default=False)
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(Organization, verbose_name=_("organization"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    prices_include_vat = models.BooleanField(_("prices include VAT"), default=True)
    priority = models.CharField(_("order priority"), max_length=50, blank=True)
    payment_due = models.DateField(_("payment due"), null=True, blank=True, help_text=_("The payment schedule date: the sale's date plus the payment deferral."))
    export_pending = models.BooleanField(_("waiting for export"), default=False, db_index=True)
    export_message = models.TextField(_("export"), blank=True, editable=False)

    class Meta:
        verbose_name = _("sale")
        verbose_name_plural = _("sales")
        ordering = ["-date"]

    def __str__(self):
        return self.number

    def apply_posting(self):
        from integration.documents.sales import move_stock

        move_stock(self)

    def revert_posting(self):
        from integration.documents.stock import revert

        revert("sale", self.pk)


class SaleLine(models.Model):
    sale = models.ForeignKey(Sale, verbose_name=_("sale"), on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, verbose_name=_("order line"), null=True, blank=True, on_delete=models.SET_NULL, related_name="sale_lines")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    characteristic = models.ForeignKey(Characteristic, verbose_name=_("characteristic"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), **quantity)
    price = models.DecimalField(_("price"), **money)
    amount = models.DecimalField(_("amount"), **money)
    vat_rate = models.CharField(_("VAT rate"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("sale line")
        verbose_name_plural = _("sale lines")
        ordering = ["sale_id", "id"]

    def __str__(self):
        return f"{self.product} × {self.quantity}"


class StockMovement(models.Model):
    """What a posted sale or return did to the stock, so unposting (or posting again) undoes exactly that (002)."""

    document = models.CharField(_("document"), max_length=20)  # "sale" or "return"
    document_id = models.PositiveIntegerField(_("document id"))
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    characteristic = models.ForeignKey(Characteristic, verbose_name=_("characteristic"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), **quantity)  # signed: a sale takes out, a return brings back

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        indexes = [models.Index(fields=["document", "document_id"], name="stock_movement_document")]

    def __str__(self):
        return f"{self.document} {self.document_id}: {self.product_id} {self.quantity:+}"


class Return(models.Model):
    """A customer return made from a closed order in status return / partially-returned (E6)."""

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="returns")
    number = models.CharField(_("number"), max_length=50, unique=True)
    crm_status = models.CharField(
        _("CRM status"), max_length=100, blank=True, help_text=_("return or partially-returned")
    )
    date = models.DateTimeField(_("date"), default=timezone.now)
    total = models.DecimalField(_("total"), **money)
    posted = models.BooleanField(_("posted"), default=False)  # set by integration.documents.posting only
    exported = models.BooleanField(_("exported to CRM"), default=False)
    sale = models.ForeignKey(Sale, verbose_name=_("sale"), null=True, blank=True, on_delete=models.PROTECT, related_name="returns")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    export_pending = models.BooleanField(_("waiting for export"), default=False, db_index=True)
    export_message = models.TextField(_("export"), blank=True, editable=False)

    class Meta:
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        ordering = ["-date"]

    def __str__(self):
        return self.number

    def check_postable(self):
        from integration.documents.returns import check_returnable

        check_returnable(self)

    def apply_posting(self):
        from integration.documents.returns import move_stock

        move_stock(self)

    def revert_posting(self):
        from integration.documents.stock import revert

        revert("return", self.pk)


class ReturnLine(models.Model):
    document = models.ForeignKey(Return, verbose_name=_("return"), on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, verbose_name=_("order line"), on_delete=models.PROTECT, related_name="return_lines")
    quantity = models.DecimalField(_("quantity"), **quantity)
    amount = models.DecimalField(_("amount"), **money)

    class Meta:
        verbose_name = _("return line")
        verbose_name_plural = _("return lines")
        constraints = [models.UniqueConstraint(fields=["document", "order_line"], name="uniq_return_line")]

    def __str__(self):
        return f"{self.order_line.product} × {self.quantity}"
