"""Offer identifiers shared by the ICML, stock/price uploads and order import (C2).

An offer is a product, or a product's characteristic written ``<product id>#<characteristic id>``;
the product id comes from its code, article or GUID as configured. With "prefix offer ids with the
organization GUID" on, ``<organization GUID>#`` comes first (seed 001 §3).
"""

import uuid

from catalog.models import Characteristic, Organization, Product

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
