"""D1: stock and purchase price per mapped CRM store (``store/inventories/upload``).

Every offer entry lists every mapped store of its shop, with 0 where the local warehouse has no
stock row: a deleted row therefore reaches the CRM as 0, and a full upload leaves the CRM with
exactly the local quantities.
"""

from catalog.models import StockBalance
from integration import models as im
from integration.retailcrm.store.local_offers import number, offer_chunks, offer_count, prices_of, variant_price
from integration.retailcrm.store.pipeline import make_entry, run_export
from integration.retailcrm.store.scope import Target, stock_targets


def stock_entries(target: Target, *, id_field: str, source: str, purchase_type_id: int | None):
    """Lists of entries, one list per chunk of the catalog."""
    codes = sorted(target.stores)
    warehouse_ids = set(target.stores.values())
    for chunk in offer_chunks(target.groups, goods_only=True, source=source,
                              organization_guid=target.organization_guid):
        stock = {
            (p, c, w): q for p, c, w, q in StockBalance.objects.filter(
                product_id__gte=chunk.first_id, product_id__lte=chunk.last_id, warehouse_id__in=warehouse_ids,
            ).values_list("product_id", "characteristic_id", "warehouse_id", "quantity")
        }
        costs = prices_of(chunk, [purchase_type_id]) if purchase_type_id else {}
        entries = []
        for offer in chunk.offers:
            cost = variant_price(costs, offer, purchase_type_id) if costs else None
            stores = []
            for code in codes:
                quantity = stock.get((offer.product_id, offer.characteristic_id, target.stores[code]), 0)
                store = {"code": code, "available": number(max(quantity, 0))}
                if cost is not None:
                    store["purchasePrice"] = number(cost)
                stores.append(store)
            entries.append(make_entry(target.site, offer.key, {id_field: offer.key, "stores": stores}))
        yield entries


def export_stock(client, ctx, *, full: bool = False) -> None:
    """Send the stock of the chosen groups; only changed offers unless ``full`` or a reconcile is due."""
    settings = im.CrmSettings.get_solo()  # the "export stock" switch gates the job kind (integration/jobs)
    run_export(
        client, ctx, channel="stock", crm_settings=settings, targets_of=stock_targets, full=full,
        entries_of=lambda target: stock_entries(target, id_field=settings.offer_id_field,
                                                source=settings.product_id_source,
                                                purchase_type_id=settings.purchase_price_type_id),
        send=lambda batch: client.inventories_upload([entry.body for entry in batch], site=batch[0].site or None),
        offers_of=lambda target: offer_count(target.groups, goods_only=True),
        one_site_per_request=True,
    )
