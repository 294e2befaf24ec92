"""The local catalog as offers, read a chunk of products at a time (100,000 offers stay cheap).

Offer ids come from catalog.offers, as in the ICML and the order import: a product without
characteristics is one offer, a product with characteristics is one offer per characteristic.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

from catalog.models import Characteristic, Price, Product, ProductGroup
from catalog.offers import offer_id

CHUNK = 1000  # products per read: a few queries per chunk, a few MB of memory


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


def offer_count(groups, *, goods_only: bool) -> int:
    """How many offers :func:`offer_chunks` yields for these groups (two COUNT queries): the
    progress box's total. A product without characteristics is one offer; one with
    characteristics is one per active characteristic."""
    products = Product.objects.filter(active=True)
    if goods_only:
        products = products.filter(kind=Product.Kind.GOODS)
    if groups:
        products = products.filter(ProductGroup.subtree_q(groups))
    plain = products.exclude(id__in=Characteristic.objects.values("product_id")).count()
    return plain + Characteristic.objects.filter(active=True, product__in=products).count()


def offer_chunks(groups, *, goods_only: bool, source: str, organization_guid: str = "",
                 chunk: int = CHUNK) -> Iterator[OfferChunk]:
    """Active offers of the products under ``groups`` (all when empty), in product id order.

    Chunks are id ranges, not ``id IN (…)`` lists: building a 1,000-parameter query costs more
    than the query itself.
    """
    products = Product.objects.filter(active=True)
    if goods_only:
        products = products.filter(kind=Product.Kind.GOODS)
    if groups:
        products = products.filter(ProductGroup.subtree_q(groups))
    ids = list(products.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), chunk):
        chunk_ids = ids[start:start + chunk]
        first, last = chunk_ids[0], chunk_ids[-1]
        rows = (products.filter(id__gte=first, id__lte=last).order_by("id")
                .values_list("id", "code", "article", "guid"))
        # As in the ICML: a product whose characteristics are all inactive has an empty list, so no offers.
        variants: dict[int, list[SimpleNamespace]] = {}
        for cid, pid, guid, active in (Characteristic.objects.filter(product_id__gte=first, product_id__lte=last)
                                       .order_by("product_id", "id").values_list("id", "product_id", "guid", "active")):
            variants.setdefault(pid, [])
            if active:
                variants[pid].append(SimpleNamespace(id=cid, guid=guid))
        offers = []
        for pid, code, article, guid in rows:
            product = SimpleNamespace(code=code, article=article, guid=guid)
            for variant in variants.get(pid, [None]):
                key = offer_id(product, variant, source, organization_guid)
                offers.append(LocalOffer(key, pid, variant.id if variant else None))
        yield OfferChunk(first, last, offers)


def prices_of(chunk: OfferChunk, price_type_ids) -> dict[tuple[int, int | None, int], Decimal]:
    """(product, characteristic, price type) → price for the products of the chunk."""
    rows = Price.objects.filter(product_id__gte=chunk.first_id, product_id__lte=chunk.last_id,
                                price_type_id__in=list(price_type_ids))
    return {(p, c, t): v for p, c, t, v in rows.values_list("product_id", "characteristic_id", "price_type_id", "price")}


def variant_price(prices: dict, offer: LocalOffer, price_type_id: int) -> Decimal | None:
    """A characteristic's own price, else the product's (prices are often kept per product only)."""
    own = prices.get((offer.product_id, offer.characteristic_id, price_type_id))
    if own is None and offer.characteristic_id is not None:
        own = prices.get((offer.product_id, None, price_type_id))
    return own


def number(value: Decimal | int) -> int | float:
    """A JSON number as RetailCRM expects it: whole quantities stay integers."""
    return int(value) if value == int(value) else float(value)
