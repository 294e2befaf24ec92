"""H2: "Выгрузить номенклатуру в БонусПлюс": groups first (parents before children), then products.

Each product goes in exactly one group (its own; none puts it at the root). A node is sent again
only when what BonusPlus holds of it would change: its fingerprint is kept after BonusPlus accepted
the batch it was in, so a run cut off half-way sends the rest next time and nothing twice.
"""

import hashlib
import json
from dataclasses import dataclass

from catalog.models import Product, ProductGroup
from loyalty.bonusplus import assumptions
from loyalty.bonusplus.models import CatalogNode


def group_id(pk) -> str:
    return f"g{pk}"


def product_id(pk) -> str:
    """The id products carry here and in every check line (``RetailItem.product``)."""
    return f"p{pk}"


def _fingerprint(node: dict) -> str:
    return hashlib.sha256(json.dumps(node, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def nodes():
    """Every node in upload order: groups by their tree path (a parent's path is a prefix, so it comes first)."""
    for pk, parent, name in ProductGroup.objects.order_by("path", "pk").values_list("pk", "parent_id", "name"):
        node = {"id": group_id(pk), "n": name, "g": True}
        if parent:
            node["pid"] = group_id(parent)
        yield node
    for pk, group, name, article in (Product.objects.filter(active=True).order_by("pk")
                                     .values_list("pk", "group_id", "name", "article").iterator(chunk_size=2000)):
        node = {"id": product_id(pk), "n": name, "g": False}
        if group:
            node["pid"] = group_id(group)
        if article:
            node["a"] = article
        yield node


@dataclass
class Report:
    groups: int = 0
    products: int = 0
    unchanged: int = 0
    requests: int = 0


def export_catalog(client, store: str, *, progress=None) -> Report:
    known = dict(CatalogNode.objects.values_list("node_id", "fingerprint"))
    report = Report()
    batch: list[tuple[dict, str]] = []

    def flush():
        if not batch:
            return
        client.import_products(store, [node for node, _ in batch])
        report.requests += 1
        for node, fingerprint in batch:
            CatalogNode.objects.update_or_create(node_id=node["id"], defaults={"fingerprint": fingerprint})
            if node["g"]:
                report.groups += 1
            else:
                report.products += 1
        if progress:
            progress(len(batch))
        batch.clear()

    for node in nodes():
        fingerprint = _fingerprint(node)
        if known.get(node["id"]) == fingerprint:
            report.unchanged += 1
            continue
        batch.append((node, fingerprint))
        if len(batch) >= assumptions.CATALOG_BATCH:
            flush()
    flush()
    return report
