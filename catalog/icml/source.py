"""Catalog rows for an ICML file: the offers catalog/offers.py reads, as the ICML shows them.

Reading (chunks of products, their characteristics, prices and stock) and offer ids are
catalog/offers.py's, shared with the stock and price exports; this module adds what only the
file needs (categories, text cleaning, units, dimensions). Memory stays flat whatever the
catalog size.
"""

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import NamedTuple

from catalog.models import Product, ProductGroup, Unit
from catalog.offers import (
    SEPARATOR, ProductChunk, ProductIds, price_of, prices_in, product_chunks, product_local_id, stock_totals_in,
)
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
    products = Product.objects.all()
    if spec.group_ids:
        if category_ids is None:
            category_ids = {category.id for category in categories(spec)}
        products = products.filter(group_id__in=category_ids)
    units = {
        pk: OfferUnit(clean(code), clean(name), clean(sym))
        for pk, code, name, sym in Unit.objects.values_list("id", "code", "name", "symbol")
    }
    for chunk in product_chunks(products, _PRODUCT_FIELDS, spec.chunk_size):
        yield from _chunk_offers(spec, chunk, units)


def _chunk_offers(spec: CatalogSpec, chunk: ProductChunk, units):
    sale, purchase = spec.sale_price_type_id, spec.purchase_price_type_id
    prices = prices_in(chunk, (sale, purchase))
    stock = stock_totals_in(chunk, spec.warehouse_ids)
    prefix = spec.organization_guid + SEPARATOR if spec.organization_guid else ""
    in_xml_id = spec.offer_id_field == "xmlId"
    for (pk, code, article, guid, name, kind, group_id, unit_id, vat_rate, barcode, weight,
         length, width, height, vendor, picture, active) in chunk.rows:
        guid = str(guid)
        local_id = prefix + product_local_id(ProductIds(code, article, guid), spec.product_id_source)
        name, article, vendor = clean(name), clean(article), clean(vendor)
        vat_rate, picture = clean(vat_rate), clean(picture)
        service = kind == Product.Kind.SERVICE
        unit = units.get(unit_id)
        dimensions = ""
        if length and width and height:
            dimensions = f"{plain_number(length)}/{plain_number(width)}/{plain_number(height)}"
        weight = plain_number(weight / 1000) if weight else ""
        for variant in chunk.variants_of(pk):
            variant_id = variant.id if variant else None
            ours = local_id + SEPARATOR + variant.guid if variant else local_id
            price = price_of(prices, pk, variant_id, sale)
            purchase_price = price_of(prices, pk, variant_id, purchase) if purchase else None
            quantity = None
            if not service:
                quantity = stock.get((pk, variant_id), ZERO)
                quantity = quantity if quantity > ZERO else ZERO
            yield Offer(
                (guid + SEPARATOR + variant.guid if variant else guid) if in_xml_id else ours,
                guid if in_xml_id else local_id,
                ours if in_xml_id else "",
                f"{name} ({clean(variant.name)})" if variant else name,
                name, group_id, price, purchase_price, quantity, article, vendor, unit, vat_rate, dimensions, weight,
                clean((variant.barcode if variant else "") or barcode), active, service, picture,
            )


def plain_number(value) -> str:
    """Decimal without trailing zeros or exponent: 2.050 → 2.05, 100 → 100."""
    return "" if value is None else format(Decimal(value).normalize(), "f")
