"""Offers: their identity and the one reader of the catalog as offers (C2, D1, D2).

An offer is a product, or a product's characteristic written ``<product id>#<characteristic id>``;
the product id comes from its code, article or GUID as configured. With "prefix offer ids with the
organization GUID" on, ``<organization GUID>#`` comes first (seed 001 §3). The ICML, the stock and
price uploads and the order import all name offers here, so what the CRM receives is what order
import resolves later.

Reading is chunked (keyset pagination over products): one chunk of products is in memory at a
time and each chunk costs a few queries (products, characteristics, prices, stock), never a
query per offer — 100,000 offers stay cheap.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Sum

from catalog.models import Characteristic, Organization, Price, Product, ProductGroup, StockBalance

SEPARATOR = "#"


def product_local_id(product: Product, source: str) -> str:
    return {"code": product.code, "article": product.article or product.code, "guid": str(product.guid)}[source]


def offer_id(product: Product, characteristic: Characteristic | None, source: str, organization_guid: str = "") -> str:
    base = product_local_id(product, source)
    if organization_guid:
        base = f"{organization_guid}{SEPARATOR}{base}"
    return f"{base}{SEPARATOR}{characteristic.guid}" if characteristic else base


def resolve_offer(value: str, source: str) -> tuple[Product, Characteristic | None] | None:
    """The product (and characteristic) an offer id names, or None when the catalog has no such offer.

    The characteristic part may be its GUID (what we export) or its name (offers created in the
    CRM by hand often use the size or colour).
    """
    if not value:
        return None
    value = _without_organization_prefix(value)
    product_part, _, variant_part = value.partition(SEPARATOR)
    field = {"code": "code", "article": "article", "guid": "guid"}[source]
    if field == "guid" and not _is_uuid(product_part):
        return None
    product = Product.objects.filter(**{field: product_part}).first()
    if product is None:
        return None
    if not variant_part:
        return product, None
    variants = product.characteristics.all()
    characteristic = (variants.filter(guid=variant_part).first() if _is_uuid(variant_part) else None) or variants.filter(
        name=variant_part
    ).first()
    return (product, characteristic) if characteristic else None


def _without_organization_prefix(value: str) -> str:
    first, separator, rest = value.partition(SEPARATOR)
    if separator and _is_uuid(first) and Organization.objects.filter(guid=first).exists():
        return rest
    return value


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


# -- reading the catalog as offers ------------------------------------------------------------

CHUNK = 1000  # products per read: a few queries per chunk, a few MB of memory


class Variant(NamedTuple):  # a tuple: one per offer of a 100,000-offer catalog
    id: int
    guid: str
    name: str
    barcode: str


@dataclass
class ProductChunk:
    """A run of products in id order, with their active characteristics."""

    first_id: int  # product id range of the chunk, for reading its prices and stock by range
    last_id: int
    rows: list[tuple]  # the requested product fields, "id" first
    # product id → its active characteristics; a product whose characteristics are all inactive has an
    # empty list (no offers at all), a product without any is absent (one offer: the product itself).
    variants: dict[int, list[Variant]]

    def variants_of(self, product_id: int) -> list[Variant | None]:
        return self.variants.get(product_id, [None])


def products_of(group_ids: Sequence[int] = (), *, active_only: bool = False, goods_only: bool = False):
    """The products whose offers are read: under the chosen groups (descendants included; all when empty)."""
    products = Product.objects.all()
    if active_only:
        products = products.filter(active=True)
    if goods_only:
        products = products.filter(kind=Product.Kind.GOODS)
    if group_ids:
        products = products.filter(ProductGroup.subtree_q(ProductGroup.objects.filter(pk__in=list(group_ids))))
    return products


def product_chunks(products, fields: Sequence[str], chunk: int = CHUNK) -> Iterator[ProductChunk]:
    """``products`` (a queryset) in id order, ``chunk`` at a time, with their characteristics.

    Chunks are keyset pages and id ranges, not ``id IN (…)`` lists: building a 1,000-parameter
    query costs more than the query itself.
    """
    if fields[0] != "id":
        raise ValueError("the first product field must be id")
    products = products.order_by("pk")
    last = 0
    while True:
        rows = list(products.filter(pk__gt=last).values_list(*fields)[:chunk])
        if not rows:
            return
        first, last = rows[0][0], rows[-1][0]
        variants: dict[int, list[Variant]] = defaultdict(list)
        for variant_id, product_id, guid, name, barcode, active in (
            Characteristic.objects.filter(product_id__gte=first, product_id__lte=last)
            .order_by("product_id", "name", "pk").values_list("id", "product_id", "guid", "name", "barcode", "active")
        ):
            if active:
                variants[product_id].append(Variant(variant_id, str(guid), name, barcode))
            else:
                variants[product_id]  # noqa: B018  the product has characteristics, just none on sale
        yield ProductChunk(first, last, rows, dict(variants))


def prices_in(chunk: ProductChunk, price_type_ids) -> dict[tuple[int, int | None, int], Decimal]:
    """(product, characteristic, price type) → price for the products of the chunk."""
    type_ids = [t for t in price_type_ids if t]
    if not type_ids:
        return {}
    rows = Price.objects.filter(product_id__gte=chunk.first_id, product_id__lte=chunk.last_id,
                                price_type_id__in=type_ids)
    return {(p, c, t): v for p, c, t, v in rows.values_list("product_id", "characteristic_id", "price_type_id", "price")}


def price_of(prices: dict, product_id: int, characteristic_id: int | None, price_type_id: int | None) -> Decimal | None:
    """A characteristic's own price, else the product's (prices are often kept per product only)."""
    own = prices.get((product_id, characteristic_id, price_type_id))
    if own is None and characteristic_id is not None:
        own = prices.get((product_id, None, price_type_id))
    return own


def stock_in(chunk: ProductChunk, warehouse_ids=()) -> dict[tuple[int, int | None, int], Decimal]:
    """(product, characteristic, warehouse) → quantity for the products of the chunk (every warehouse when empty)."""
    rows = StockBalance.objects.filter(product_id__gte=chunk.first_id, product_id__lte=chunk.last_id)
    if warehouse_ids:
        rows = rows.filter(warehouse_id__in=list(warehouse_ids))
    return {(p, c, w): q for p, c, w, q in rows.values_list("product_id", "characteristic_id", "warehouse_id", "quantity")}


def stock_totals_in(chunk: ProductChunk, warehouse_ids=()) -> dict[tuple[int, int | None], Decimal]:
    """(product, characteristic) → quantity summed over the warehouses (every warehouse when empty)."""
    rows = StockBalance.objects.filter(product_id__gte=chunk.first_id, product_id__lte=chunk.last_id)
    if warehouse_ids:
        rows = rows.filter(warehouse_id__in=list(warehouse_ids))
    return {
        (p, c): total for p, c, total in rows.values("product_id", "characteristic_id")
        .annotate(total=Sum("quantity")).values_list("product_id", "characteristic_id", "total")
    }


@dataclass(frozen=True)
class LocalOffer:
    key: str  # the offer id the CRM knows (externalId or xmlId)
    product_id: int
    characteristic_id: int | None


@dataclass
class OfferChunk:
    first_id: int  # product id range of the chunk, for reading its stock and prices by range
    last_id: int
    offers: list[LocalOffer]


class ProductIds:
    """What an offer id is made of, from a values_list row (no model instance per product)."""

    __slots__ = ("code", "article", "guid")

    def __init__(self, code, article, guid):
        self.code, self.article, self.guid = code, article, guid


def offer_count(group_ids: Sequence[int] = (), *, goods_only: bool) -> int:
    """How many offers :func:`offer_chunks` yields for these groups (two COUNT queries): the
    progress box's total. A product without characteristics is one offer; one with
    characteristics is one per active characteristic."""
    products = products_of(group_ids, active_only=True, goods_only=goods_only)
    plain = products.exclude(id__in=Characteristic.objects.values("product_id")).count()
    return plain + Characteristic.objects.filter(active=True, product__in=products).count()


def offer_chunks(group_ids: Sequence[int] = (), *, goods_only: bool, source: str, organization_guid: str = "",
                 chunk: int = CHUNK) -> Iterator[OfferChunk]:
    """The ids of the active offers of the products under the groups (all when empty), in product id order."""
    products = products_of(group_ids, active_only=True, goods_only=goods_only)
    for part in product_chunks(products, ("id", "code", "article", "guid"), chunk):
        offers = []
        for pid, code, article, guid in part.rows:
            product = ProductIds(code, article, guid)
            for variant in part.variants_of(pid):
                offers.append(LocalOffer(offer_id(product, variant, source, organization_guid), pid,
                                         variant.id if variant else None))
        yield OfferChunk(part.first_id, part.last_id, offers)
