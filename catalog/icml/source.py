"""Catalog rows for an ICML file, read in chunks of products (keyset pagination).

Memory stays flat whatever the catalog size: one chunk of products is in memory at a time,
and each chunk costs four queries (products, their characteristics, prices, stock), never a
query per offer. Offer ids follow catalog/offers.py, so what the CRM receives is what order
import resolves later.
"""

import re
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Sum

from catalog.models import Characteristic, Price, Product, ProductGroup, StockBalance, Unit
from catalog.offers import SEPARATOR
from catalog.icml.spec import CatalogSpec

# Characters XML 1.0 forbids (lxml refuses them): C0 controls but tab/newline/CR, surrogates, U+FFFE/U+FFFF.
ZERO = Decimal(0)
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    # Every forbidden character is non-printable, so the common case costs one C-level scan.
    return text if not text or text.isprintable() else _UNSAFE.sub("", text)


class Category(NamedTuple):
    id: int
    parent_id: int | None
    name: str


class OfferUnit(NamedTuple):
    code: str
    name: str
    sym: str


class Offer(NamedTuple):
    id: str  # offer@id
    product_id: str  # offer@productId
    xml_id: str  # <xmlId>, empty when the offer id goes to offer@id
    name: str
    product_name: str
    category_id: int | None
    price: Decimal | None
    purchase_price: Decimal | None
    quantity: Decimal | None  # None for services
    article: str
    vendor: str
    unit: OfferUnit | None
    vat_rate: str
    dimensions: str
    weight: str  # kg
    barcode: str
    active: bool
    service: bool
    picture: str


def categories(spec: CatalogSpec) -> list[Category]:
    """The chosen groups with all their descendants (or every group); a chosen group whose parent
    is not exported becomes a root, so every parentId points at a listed category."""
    groups = ProductGroup.objects.order_by("path")
    if spec.group_ids:
        groups = groups.filter(ProductGroup.subtree_q(ProductGroup.objects.filter(pk__in=spec.group_ids), field="path"))
    rows = list(groups.values_list("id", "parent_id", "name"))
    listed = {row[0] for row in rows}
    return [Category(pk, parent if parent in listed else None, clean(name)) for pk, parent, name in rows]


_PRODUCT_FIELDS = (
    "id", "code", "article", "guid", "name", "kind", "group_id", "unit_id", "vat_rate", "barcode", "weight",
    "length", "width", "height", "vendor", "picture_url", "active",
)


def offers(spec: CatalogSpec, category_ids: set[int] | None = None) -> Iterator[Offer]:
    """Every offer of the spec's catalog, product by product in id order, one chunk at a time."""
    products = Product.objects.order_by("pk")
    if spec.group_ids:
        if category_ids is None:
            category_ids = {category.id for category in categories(spec)}
        products = products.filter(group_id__in=category_ids)
    units = {
        pk: OfferUnit(clean(code), clean(name), clean(sym))
        for pk, code, name, sym in Unit.objects.values_list("id", "code", "name", "symbol")
    }
    last = 0
    while True:
        chunk = list(products.filter(pk__gt=last).values_list(*_PRODUCT_FIELDS)[: spec.chunk_size])
        if not chunk:
            return
        low, high = chunk[0][0], chunk[-1][0]
        last = high
        yield from _chunk_offers(spec, chunk, low, high, units)


def _chunk_offers(spec, chunk, low, high, units):
    in_range = {"product_id__gte": low, "product_id__lte": high}
    variants = defaultdict(list)  # a product whose characteristics are all inactive has an empty list: no offers
    for variant_id, product_id, guid, name, barcode, active in (
        Characteristic.objects.filter(**in_range).order_by("product_id", "name", "pk")
        .values_list("id", "product_id", "guid", "name", "barcode", "active")
    ):
        if active:
            variants[product_id].append((variant_id, str(guid), clean(name), barcode))
        else:
            variants[product_id]  # noqa: B018  the product has characteristics, just none on sale
    sale, purchase = spec.sale_price_type_id, spec.purchase_price_type_id
    prices = {
        (product_id, variant_id, type_id): value
        for product_id, variant_id, type_id, value in Price.objects.filter(
            price_type_id__in=[t for t in (sale, purchase) if t], **in_range
        ).values_list("product_id", "characteristic_id", "price_type_id", "price")
    }
    stock_rows = StockBalance.objects.filter(**in_range)
    if spec.warehouse_ids:
        stock_rows = stock_rows.filter(warehouse_id__in=spec.warehouse_ids)
    stock = {
        (product_id, variant_id): total
        for product_id, variant_id, total in stock_rows.values("product_id", "characteristic_id")
        .annotate(total=Sum("quantity")).values_list("product_id", "characteristic_id", "total")
    }
    prefix = spec.organization_guid + SEPARATOR if spec.organization_guid else ""
    in_xml_id = spec.offer_id_field == "xmlId"
    no_variants = [(None, "", "", "")]
    for (pk, code, article, guid, name, kind, group_id, unit_id, vat_rate, barcode, weight,
         length, width, height, vendor, picture, active) in chunk:
        guid = str(guid)
        local_id = prefix + {"code": code, "article": article or code, "guid": guid}[spec.product_id_source]
        name, article, vendor = clean(name), clean(article), clean(vendor)
        vat_rate, picture = clean(vat_rate), clean(picture)
        service = kind == Product.Kind.SERVICE
        unit = units.get(unit_id)
        dimensions = ""
        if length and width and height:
            dimensions = f"{plain_number(length)}/{plain_number(width)}/{plain_number(height)}"
        weight = plain_number(weight / 1000) if weight else ""
        for variant_id, variant_guid, variant_name, variant_barcode in variants.get(pk, no_variants):
            ours = local_id + SEPARATOR + variant_guid if variant_id else local_id
            price = prices.get((pk, variant_id, sale))
            if price is None and variant_id:
                price = prices.get((pk, None, sale))
            purchase_price = None
            if purchase:
                purchase_price = prices.get((pk, variant_id, purchase))
                if purchase_price is None and variant_id:
                    purchase_price = prices.get((pk, None, purchase))
            quantity = None
            if not service:
                quantity = stock.get((pk, variant_id), ZERO)
                quantity = quantity if quantity > ZERO else ZERO
            yield Offer(
                (guid + SEPARATOR + variant_guid if variant_id else guid) if in_xml_id else ours,
                guid if in_xml_id else local_id,
                ours if in_xml_id else "",
                f"{name} ({variant_name})" if variant_id else name,
                name, group_id, price, purchase_price, quantity, article, vendor, unit, vat_rate, dimensions, weight,
                clean(variant_barcode or barcode), active, service, picture,
            )


def plain_number(value) -> str:
    """Decimal without trailing zeros or exponent: 2.050 → 2.05, 100 → 100."""
    return "" if value is None else format(Decimal(value).normalize(), "f")
