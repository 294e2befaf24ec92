"""Catalog master data (C1): the back office owns these; the CRM receives them as ICML, stock and prices."""

import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from catalog.fields import HttpsURLField

PATH_STEP = 6  # digits per tree level in ProductGroup.path: up to 999,999 siblings per level


class Unit(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True, help_text=_("e.g. pc, kg"))
    name = models.CharField(_("name"), max_length=100)
    symbol = models.CharField(_("symbol"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ProductGroup(models.Model):
    """A node of the catalog tree.

    ``path`` is a materialized path (the ids of the ancestors and self, zero-padded), so
    "every product under these groups" is one indexed prefix query instead of a recursive walk.
    """

    guid = models.UUIDField(_("GUID"), default=uuid.uuid4, unique=True)
    code = models.CharField(_("code"), max_length=50, blank=True)
    name = models.CharField(_("name"), max_length=255)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent group"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    path = models.CharField(_("tree path"), max_length=255, editable=False, db_index=True, default="")
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("product group")
        verbose_name_plural = _("product groups")
        ordering = ["path"]

    def __str__(self):
        return self.name

    @property
    def depth(self) -> int:
        return len(self.path) // PATH_STEP - 1 if self.path else 0

    def clean(self):
        if self.pk and self.parent_id and self.path and self.parent.path.startswith(self.path):
            raise ValidationError({"parent": _("A group cannot be moved under itself or its own subgroup.")})

    def save(self, *args, **kwargs):
        with transaction.atomic():
            old_path = self.path
            if self.pk is None:
                super().save(*args, **kwargs)
                kwargs.pop("force_insert", None)
            if self.parent_id and old_path and self.parent.path.startswith(old_path):
                raise ValueError(_("A group cannot be moved under itself or its own subgroup."))
            new_path = (self.parent.path if self.parent else "") + str(self.pk).zfill(PATH_STEP)
            self.path = new_path
            super().save(*args, **kwargs)
            if old_path and old_path != new_path:
                self._move_descendants(old_path, new_path)

    def _move_descendants(self, old_path: str, new_path: str) -> None:
        for group in ProductGroup.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
            ProductGroup.objects.filter(pk=group.pk).update(path=new_path + group.path[len(old_path):])

    @classmethod
    def subtree_q(cls, groups, field: str = "group__path") -> models.Q:
        """A Q matching rows whose group is one of ``groups`` or below them."""
        query = models.Q(pk__in=[])
        for group in groups:
            query |= models.Q(**{f"{field}__startswith": group.path})
        return query


class Product(models.Model):
    class Kind(models.TextChoices):
        GOODS = "goods", _("Goods")
        SERVICE = "service", _("Service")

    guid = models.UUIDField(_("GUID"), default=uuid.uuid4, unique=True)
    code = models.CharField(_("code"), max_length=50, unique=True)
    article = models.CharField(_("article"), max_length=100, blank=True, db_index=True)
    name = models.CharField(_("name"), max_length=255)
    full_name = models.CharField(_("full name"), max_length=1000, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.GOODS)
    group = models.ForeignKey(
        ProductGroup, verbose_name=_("group"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="products",
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT)
    vat_rate = models.CharField(
        _("VAT rate"), max_length=10, blank=True,
        help_text=_("As sent to the CRM: none, 0, 10, 20 …"),
    )
    barcode = models.CharField(_("barcode"), max_length=64, blank=True, db_index=True)
    weight = models.DecimalField(_("weight, g"), max_digits=12, decimal_places=3, null=True, blank=True)
    length = models.DecimalField(_("length, cm"), max_digits=10, decimal_places=2, null=True, blank=True)
    width = models.DecimalField(_("width, cm"), max_digits=10, decimal_places=2, null=True, blank=True)
    height = models.DecimalField(_("height, cm"), max_digits=10, decimal_places=2, null=True, blank=True)
    vendor = models.CharField(_("vendor"), max_length=255, blank=True)
    picture_url = HttpsURLField(_("picture URL"), max_length=1000, blank=True)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]
        # The admin's list order (name, then newest first): its first page is read from the index,
        # not sorted out of 100,000 rows.
        indexes = [models.Index(fields=["name", "-id"], name="product_list_order")]

    def __str__(self):
        return self.name


class Characteristic(models.Model):
    """A variant of a product (size, colour…): becomes its own offer in the CRM."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="characteristics"
    )
    guid = models.UUIDField(_("GUID"), default=uuid.uuid4, unique=True)
    name = models.CharField(_("name"), max_length=255)
    barcode = models.CharField(_("barcode"), max_length=64, blank=True)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("characteristic")
        verbose_name_plural = _("characteristics")
        ordering = ["product_id", "name"]

    def __str__(self):
        return f"{self.product.name} ({self.name})"


class Warehouse(models.Model):
    guid = models.UUIDField(_("GUID"), default=uuid.uuid4, unique=True)
    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=255)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["name"]

    def __str__(self):
        return self.name


class PriceType(models.Model):
    guid = models.UUIDField(_("GUID"), default=uuid.uuid4, unique=True)
    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=255)
    currency = models.CharField(_("currency"), max_length=3, default="RUB")

    class Meta:
        verbose_name = _("price type")
        verbose_name_plural = _("price types")
        ordering = ["name"]

    def __str__(self):
        return self.name


money = dict(max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])


class Price(models.Model):
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="prices")
    characteristic = models.ForeignKey(
        Characteristic, verbose_name=_("characteristic"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="prices",
    )
    price_type = models.ForeignKey(PriceType, verbose_name=_("price type"), on_delete=models.CASCADE)
    price = models.DecimalField(_("price"), **money)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        constraints = [
            # Two partial constraints instead of nulls_distinct=False, which SQLite lacks.
            models.UniqueConstraint(
                fields=["product", "characteristic", "price_type"], name="uniq_price_per_variant_and_type",
                condition=models.Q(characteristic__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["product", "price_type"], name="uniq_price_per_product_and_type",
                condition=models.Q(characteristic__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.product_id}/{self.characteristic_id or '-'} {self.price_type_id}: {self.price}"


class StockBalance(models.Model):
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="stock")
    characteristic = models.ForeignKey(
        Characteristic, verbose_name=_("characteristic"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="stock",
    )
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.CASCADE)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3, default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("stock balance")
        verbose_name_plural = _("stock balances")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "characteristic", "warehouse"], name="uniq_stock_per_variant_and_warehouse",
                condition=models.Q(characteristic__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["product", "warehouse"], name="uniq_stock_per_product_and_warehouse",
                condition=models.Q(characteristic__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.product_id}/{self.characteristic_id or '-'} @{self.warehouse_id}: {self.quantity}"


NO_VAT_TAXATION = frozenset({"no-vat", "envd"})


def prices_include_vat(taxation: str, flag: bool) -> bool:
    """Not subject to VAT and ENVD never include VAT in prices (001 "ЦенаВключаетНДС"); otherwise the flag decides."""
    return False if taxation in NO_VAT_TAXATION else bool(flag)


class Organization(models.Model):
    class Taxation(models.TextChoices):
        GENERAL = "general", _("General (OSN)")
        SIMPLIFIED_INCOME = "usn-income", _("Simplified, income")
        SIMPLIFIED_PROFIT = "usn-profit", _("Simplified, income minus expenses")
        PATENT = "patent", _("Patent")
        # The VAT regimes of the manuals (ТипыНалогообложенияНДС): these two sell without VAT.
        NOT_SUBJECT_TO_VAT = "no-vat", _("Not subject to VAT")
        ENVD = "envd", _("Imputed income tax (ENVD)")

    guid = models.UUIDField(_("GUID"), default=uuid.uuid4, unique=True)
    name = models.CharField(_("name"), max_length=255)
    inn = models.CharField(_("INN"), max_length=12, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="RUB")
    taxation = models.CharField(_("taxation"), max_length=20, choices=Taxation.choices, default=Taxation.GENERAL)
    vat_included = models.BooleanField(_("prices include VAT"), default=True)
    bank_account = models.CharField(_("bank account"), max_length=34, blank=True)
    cash_desk = models.CharField(_("cash desk"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self):
        return self.name
