"""D1: stock and purchase price per mapped CRM store (``store/inventories/upload``).

Every offer entry lists every mapped store of its shop, with 0 where the local warehouse has no
stock row: a deleted row therefore reaches the CRM as 0, and a full upload leaves the CRM with
exactly the local quantities.
"""

from catalog.offers import offer_chunks, offer_count, price_of, prices_in, stock_in
from integration.retailcrm.shops import ShopResolver
from integration.retailcrm.store.pipeline import make_entry, number, run_export
from integration.retailcrm.store.scope import Target, stock_targets


def stock_entries(target: Target, *, id_field: str, source: str, purchase_type_id: int | None):
    """Lists of entries, one list per chunk of the catalog."""
    codes = sorted(target.stores)
    warehouse_ids = set(target.stores.values())
    for chunk in offer_chunks(target.group_ids, goods_only=True, source=source,
                              organization_guid=target.organization_guid):
        stock = stock_in(chunk, warehouse_ids)
        costs = prices_in(chunk, [purchase_type_id]) if purchase_type_id else {}
        entries = []
        for offer in chunk.offers:
            cost = price_of(costs, offer.product_id, offer.characteristic_id, purchase_type_id) if costs else None
            stores = []
            for code in codes:
                quantity = stock.get((offer.product_id, offer.characteristic_id, target.stores[code]), 0)
                store = {"code": code, "available": number(max(quantity, 0))}
                if cost is not None:
                    store["purchasePrice"] = number(cost)
                stores.append(store)
            entries.append(make_entry(target.site, offer.key, {id_field: offer.key, "stores": stores}))
        yield entries


def export_stock(client, ctx, *, full: bool = False, shops: ShopResolver | None = None) -> None:
    """Send the stock of the chosen groups; only changed offers unless ``full`` or a reconcile is due."""
    shops = shops or ShopResolver()  # the "export stock" switch gates the job kind (integration/jobs)
    settings = shops.settings
    run_export(
        client, ctx, channel="stock", shops=shops, targets_of=stock_targets, full=full,
        entries_of=lambda target: stock_entries(target, id_field=settings.offer_id_field,
                                                source=settings.product_id_source,
                                                purchase_type_id=settings.purchase_price_type_id),
        send=lambda batch: client.inventories_upload([entry.body for entry in batch], site=batch[0].site or None),
        offers_of=lambda target: offer_count(target.group_ids, goods_only=True),
        one_site_per_request=True,
    )
