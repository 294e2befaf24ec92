"""CSV/XLSX import and export of the catalog (C1) through django-import-export.

Files refer to other records by natural keys (codes, GUIDs), never by database ids, so an
exported file imports unchanged into another database. An import is all or nothing: every row
is checked first, a bad row is reported with its number and a specific message, and the whole
file is rolled back if any row fails (see ``CatalogResource.import_data``).
"""

import uuid
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from catalog.models import (
    Characteristic,
    Price,
    PriceType,
    Product,
    ProductGroup,
    StockBalance,
    Unit,
    Warehouse,
)

LOOKUP_CHUNK = 1000  # keys per IN (...) query while preloading a file's references
BULK_BATCH = 1000  # rows per INSERT/UPDATE for prices and stock


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a spreadsheet turns the code 1001 into 1001.0
    return "" if value is None else str(value).strip()


def _as_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _chunks(items, size=LOOKUP_CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


class DecimalWidget(widgets.Widget):
    """A number written the same way in every locale ("1234.50"); a comma is accepted on input."""

    def __init__(self, minimum: Decimal | None = None, **kwargs):
        self.minimum = minimum
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = _text(value).replace("\u00a0", "").replace(" ", "").replace(",", ".")
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise ValueError(_("“%(value)s” is not a number.") % {"value": _text(value)})
        if self.minimum is not None and number < self.minimum:
            raise ValueError(_("Must not be negative, got %(value)s.") % {"value": text})
        return number

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        if kwargs.get("force_native_type"):  # XLSX: a real number cell
            return value
        return str(value)


class GuidWidget(widgets.Widget):
    """A UUID; an empty cell leaves the record's own GUID alone (a new record gets a fresh one)."""

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return None
        guid = _as_uuid(text)
        if guid is None:
            raise ValueError(_("“%(value)s” is not a valid GUID.") % {"value": text})
        return guid


class KeyWidget(widgets.ForeignKeyWidget):
    """A reference by a unique code, resolved from lookups preloaded for the whole file."""

    AMBIGUOUS = object()

    def __init__(self, model, field="code", **kwargs):
        super().__init__(model, field, **kwargs)
        self.known: dict[str, object] = {}

    def prime(self, dataset, column: str) -> None:
        """Load every record the column refers to in a few queries instead of one per row."""
        wanted = {_text(value) for value in dataset[column]} - {""} - self.known.keys()
        for chunk in _chunks(wanted):
            for obj in self.lookup(chunk):
                self.remember(obj)
        for key in wanted:
            self.known.setdefault(key, None)

    def lookup(self, keys):
        return self.model.objects.filter(**{f"{self.field}__in": keys})

    def remember(self, obj) -> None:
        self.known[str(getattr(obj, self.field))] = obj

    def clean(self, value, row=None, **kwargs):
        key = _text(value)
        if not key:
            return None
        if key not in self.known:
            self.prime({"key": [key]}, "key")
        obj = self.known[key]
        if obj is self.AMBIGUOUS:
            raise ValueError(_("Several %(model)s have the code “%(key)s”: refer to this one by its GUID.")
                             % {"model": self.model._meta.verbose_name_plural, "key": key})
        if obj is None:
            raise ValueError(self.unknown_message(key, kwargs.get("row_number")))
        return obj

    def unknown_message(self, key: str, row_number: int | None = None) -> str:
        return _("Unknown %(model)s “%(key)s”.") % {"model": self.model._meta.verbose_name, "key": key}

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(getattr(value, self.field))


class GroupKeyWidget(KeyWidget):
    """A group by GUID or by code (group codes are not unique, so a shared code is reported)."""

    def __init__(self):
        super().__init__(ProductGroup)
        self.rows_in_file: dict[str, int] = {}

    def lookup(self, keys):
        guids = [guid for guid in map(_as_uuid, keys) if guid]
        return ProductGroup.objects.filter(models.Q(guid__in=guids) | models.Q(code__in=keys))

    def remember(self, group) -> None:
        self.known[str(group.guid)] = group
        if group.code:
            seen = self.known.get(group.code)
            duplicate = seen is not None and seen is not group and getattr(seen, "pk", None) != group.pk
            self.known[group.code] = self.AMBIGUOUS if duplicate else group

    def unknown_message(self, key: str, row_number: int | None = None) -> str:
        row_in_file = self.rows_in_file.get(key)
        if row_in_file and row_number and row_in_file > row_number:
            return _("Group “%(key)s” is defined further down, in row %(row)s: put parent groups first.") % {
                "key": key, "row": row_in_file}
        if row_in_file and row_number and row_in_file < row_number:
            return _("Group “%(key)s” could not be imported from row %(row)s.") % {"key": key, "row": row_in_file}
        return super().unknown_message(key)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.code or str(value.guid)


class CharacteristicKeyWidget(KeyWidget):
    """A characteristic by GUID, or by name within the row's product."""

    def __init__(self, product_widget: KeyWidget):
        super().__init__(Characteristic, "guid")
        self.product_widget = product_widget

    def prime(self, dataset, column: str) -> None:
        guids = {guid for guid in (_as_uuid(_text(value)) for value in dataset[column]) if guid}
        products = [obj for obj in self.product_widget.known.values() if isinstance(obj, Product)]
        for chunk in _chunks(guids):
            for variant in Characteristic.objects.filter(guid__in=chunk):
                self.remember(variant)
        for chunk in _chunks(products):
            for variant in Characteristic.objects.filter(product__in=chunk):
                self.remember(variant)

    def remember(self, variant) -> None:
        self.known[str(variant.guid)] = variant
        by_name = (variant.product_id, variant.name)
        seen = self.known.get(by_name)
        self.known[by_name] = self.AMBIGUOUS if seen is not None and seen.pk != variant.pk else variant

    def clean(self, value, row=None, **kwargs):
        key = _text(value)
        if not key:
            return None
        try:
            product = self.product_widget.clean((row or {}).get("product"))
        except ValueError:
            product = None  # the product column reports it
        guid = _as_uuid(key)
        if guid is None and product is None:
            return None
        if guid is None:
            variant = self.known.get((product.pk, key))
            if variant is None and (product.pk, key) not in self.known:
                variant = Characteristic.objects.filter(product=product, name=key).first()
        else:
            if key not in self.known:
                found = Characteristic.objects.filter(guid=guid).first()
                self.known[key] = found
            variant = self.known[key]
        if variant is self.AMBIGUOUS:
            raise ValueError(_("Product “%(product)s” has several characteristics named “%(key)s”: use the GUID.")
                             % {"product": product.code, "key": key})
        if variant is None:
            raise ValueError(self.unknown_message(key))
        if product and variant.product_id != product.pk:
            raise ValueError(_("Characteristic “%(key)s” belongs to another product, not “%(product)s”.")
                             % {"key": key, "product": product.code})
        return variant

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value.guid)


class CatalogResource(resources.ModelResource):
    """Shared rules: preloaded references, one row per key per file, all-or-nothing imports."""

    natural_key_attrs: tuple[str, ...] = ("guid",)  # what makes a row the same record within one file

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._row_of_key: dict = {}

    def key_widgets(self):
        return [(field, field.widget) for field in self.fields.values() if isinstance(field.widget, KeyWidget)]

    def before_import(self, dataset, **kwargs):
        self._row_of_key.clear()
        for field, widget in self.key_widgets():
            if field.column_name in (dataset.headers or ()):
                widget.prime(dataset, field.column_name)

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None,
                    collect_failed_rows=False, rollback_on_validation_errors=True, **kwargs):
        # The admin's confirm step does not ask for a rollback on invalid rows; a catalog file is
        # never imported in part, so it is always asked for here.
        return super().import_data(
            dataset, dry_run=dry_run, raise_errors=raise_errors, use_transactions=use_transactions,
            collect_failed_rows=collect_failed_rows, rollback_on_validation_errors=True, **kwargs,
        )

    def natural_key(self, instance) -> tuple:
        return tuple(getattr(instance, name) for name in self.natural_key_attrs)

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        row_number = kwargs.get("row_number")
        first_row = self._row_of_key.setdefault(self.natural_key(instance), row_number)
        if first_row != row_number:
            raise ValidationError({NON_FIELD_ERRORS: [
                _("Row %(row)s already has this %(model)s: each one may appear only once in a file.")
                % {"row": first_row, "model": self._meta.model._meta.verbose_name}]})

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Model validation without a query per reference: key widgets already resolved them."""
        errors = dict(import_validation_errors or {})
        references = [field.attribute for field, _widget in self.key_widgets()]
        for name in references:
            model_field = instance._meta.get_field(name)
            if getattr(instance, model_field.attname) is None and not model_field.null and name not in errors:
                errors[name] = [_("A value is required.")]
        skip = {*errors, "updated_at", *references}
        in_database = not self._meta.use_bulk  # bulk resources find existing rows by key instead
        try:
            instance.full_clean(exclude=skip, validate_unique=in_database, validate_constraints=in_database)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def after_save_instance(self, instance, row, **kwargs):
        for _field, widget in self.key_widgets():
            if isinstance(instance, widget.model):
                widget.remember(instance)


def _guid_field():
    return fields.Field(attribute="guid", column_name="guid", widget=GuidWidget(), saves_null_values=False)


class FlexibleKeyResource(CatalogResource):
    """Rows find their record by GUID when the file has one, otherwise by ``lookup_by_code``."""

    def get_instance(self, instance_loader, row):
        guid = self.fields["guid"].clean(row) if "guid" in row else None
        if guid:
            found = self._meta.model.objects.filter(guid=guid).first()
            if found:
                return found
        return self.lookup_by_code(row)

    def lookup_by_code(self, row):
        return self._meta.model.objects.filter(code=_text(row.get("code"))).first()

    def get_or_init_instance(self, instance_loader, row):
        try:
            return super().get_or_init_instance(instance_loader, row)
        except ValueError as error:
            raise ValidationError(str(error)) from error


class ProductGroupResource(FlexibleKeyResource):
    guid = _guid_field()
    parent = fields.Field(attribute="parent", column_name="parent", widget=GroupKeyWidget())

    class Meta:
        model = ProductGroup
        fields = ("guid", "code", "name", "parent")
        import_id_fields = ()
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def before_import(self, dataset, **kwargs):
        if not {"guid", "code"} & set(dataset.headers or ()):
            raise ValueError(_("The file needs a “guid” or a “code” column to find groups."))
        rows = self.fields["parent"].widget.rows_in_file
        rows.clear()
        for number, record in enumerate(dataset.dict, 1):
            for column in ("guid", "code"):
                rows.setdefault(_text(record.get(column)), number)
        rows.pop("", None)
        super().before_import(dataset, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        if instance.parent:
            # An earlier row may have moved the parent: the cycle check and the new path need its path now.
            instance.parent.refresh_from_db(fields=["path"])

    def lookup_by_code(self, row):
        code = _text(row.get("code"))
        if not code:
            return None
        matches = list(ProductGroup.objects.filter(code=code)[:2])
        if len(matches) > 1:
            raise ValueError(_("Several groups have the code “%(key)s”: add their GUIDs to the file.") % {"key": code})
        return matches[0] if matches else None

    def export(self, queryset=None, **kwargs):
        if isinstance(queryset, QuerySet):
            queryset = queryset.order_by("path")  # parents before their subgroups, so the file re-imports
        return super().export(queryset, **kwargs)


class ProductResource(FlexibleKeyResource):
    natural_key_attrs = ("code",)
    guid = _guid_field()
    group = fields.Field(attribute="group", column_name="group", widget=GroupKeyWidget())
    unit = fields.Field(attribute="unit", column_name="unit", widget=KeyWidget(Unit))

    class Meta:
        model = Product
        fields = ("guid", "code", "article", "name", "full_name", "kind", "group", "unit", "vat_rate", "barcode",
                  "weight", "length", "width", "height", "vendor", "picture_url", "active")
        import_id_fields = ("code",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        if isinstance(f, models.DecimalField):
            return DecimalWidget
        return super().widget_from_django_field(f, default)


class CharacteristicResource(FlexibleKeyResource):
    guid = _guid_field()
    product = fields.Field(attribute="product", column_name="product", widget=KeyWidget(Product))

    class Meta:
        model = Characteristic
        fields = ("guid", "product", "name", "barcode", "active")
        import_id_fields = ("product",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def lookup_by_code(self, row):
        """Without a GUID a characteristic is its product's variant of that name."""
        product = self.fields["product"].clean(row)
        name = _text(row.get("name"))
        if not product or not name:
            return None
        return Characteristic.objects.filter(product=product, name=name).first()


class OfferValueResource(CatalogResource):
    """A value per product or characteristic and a third key (price type, warehouse): prices, stock.

    Existing rows are found by their three keys from one preloaded map and written with bulk
    INSERT/UPDATE, so a file of thousands of rows takes a few dozen queries.
    """

    third_key = ""  # "price_type" or "warehouse"
    value_field = ""  # "price" or "quantity"
    product = fields.Field(attribute="product", column_name="product", widget=KeyWidget(Product))
    characteristic = fields.Field(attribute="characteristic", column_name="characteristic")

    class Meta:
        skip_unchanged = True
        report_skipped = True
        use_bulk = True
        batch_size = BULK_BATCH

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.existing: dict[tuple, models.Model] = {}
        self.fields["characteristic"].widget = CharacteristicKeyWidget(self.fields["product"].widget)

    @property
    def natural_key_attrs(self):
        return ("product_id", "characteristic_id", f"{self.third_key}_id")

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        products = [obj for obj in self.fields["product"].widget.known.values() if isinstance(obj, Product)]
        self.existing = {}
        for chunk in _chunks(products):
            records = self._meta.model.objects.filter(product__in=chunk)
            # The preview's diff reads the references of every existing row: load them along.
            for record in records.select_related("product", "characteristic", self.third_key):
                self.existing[self.natural_key(record)] = record

    def get_instance(self, instance_loader, row):
        errors, keys = {}, {}
        for name in ("product", "characteristic", self.third_key):
            try:
                keys[name] = self.fields[name].clean(row) if self.fields[name].column_name in row else None
            except ValueError as error:
                errors[name] = [str(error)]
        if errors:
            raise ValidationError(errors)
        if not keys["product"] or not keys[self.third_key]:
            return None  # reported by model validation as a required field
        return self.existing.get((keys["product"].pk, getattr(keys["characteristic"], "pk", None),
                                  keys[self.third_key].pk))

    def before_save_instance(self, instance, row, **kwargs):
        instance.updated_at = timezone.now()  # bulk_update skips auto_now; the delta export reads it

    def get_bulk_update_fields(self):
        return [self.value_field, "updated_at"]


class PriceResource(OfferValueResource):
    third_key, value_field = "price_type", "price"
    price_type = fields.Field(attribute="price_type", column_name="price_type", widget=KeyWidget(PriceType))
    price = fields.Field(attribute="price", column_name="price", widget=DecimalWidget(minimum=Decimal(0)))

    class Meta:
        model = Price
        fields = ("product", "characteristic", "price_type", "price")
        import_id_fields = ("product", "price_type")


class StockBalanceResource(OfferValueResource):
    third_key, value_field = "warehouse", "quantity"
    warehouse = fields.Field(attribute="warehouse", column_name="warehouse", widget=KeyWidget(Warehouse))
    quantity = fields.Field(attribute="quantity", column_name="quantity", widget=DecimalWidget(minimum=Decimal(0)))

    class Meta:
        model = StockBalance
        fields = ("product", "characteristic", "warehouse", "quantity")
        import_id_fields = ("product", "warehouse")
