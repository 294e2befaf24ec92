"""D2: prices per mapped price type (``store/prices/upload``).

Each offer entry names every mapped price type: the local price, or ``remove: true`` where there
is none, so a price deleted locally disappears in the CRM too. Entries carry their own ``site``,
so offers of several shops share requests.
"""

from catalog.offers import offer_chunks, offer_count, price_of, prices_in
from integration.retailcrm.shops import ShopResolver
from integration.retailcrm.store.pipeline import make_entry, number, run_export
from integration.retailcrm.store.scope import Target, price_targets


def price_entries(target: Target, *, id_field: str, source: str):
    codes = sorted(target.price_types)
    for chunk in offer_chunks(target.group_ids, goods_only=False, source=source,
                              organization_guid=target.organization_guid):
        prices = prices_in(chunk, set(target.price_types.values()))
        entries = []
        for offer in chunk.offers:
            items = []
            for code in codes:
                value = price_of(prices, offer.product_id, offer.characteristic_id, target.price_types[code])
                items.append({"code": code, "remove": True} if value is None else {"code": code, "price": number(value)})
            body = {id_field: offer.key, "prices": items}
            if target.site:
                body["site"] = target.site
            entries.append(make_entry(target.site, offer.key, body))
        yield entries


def export_prices(client, ctx, *, full: bool = False, shops: ShopResolver | None = None) -> None:
    """Send the prices of the chosen groups; only changed offers unless ``full`` or a reconcile is due."""
    shops = shops or ShopResolver()  # the "export prices" switch gates the job kind (integration/jobs)
    settings = shops.settings
    run_export(
        client, ctx, channel="prices", shops=shops, targets_of=price_targets, full=full,
        entries_of=lambda target: price_entries(target, id_field=settings.offer_id_field,
                                                source=settings.product_id_source),
        # Prices name their shop per entry, so one request may carry several shops.
        send=lambda batch: client.prices_upload([entry.body for entry in batch]),
        offers_of=lambda target: offer_count(target.group_ids, goods_only=False),
        one_site_per_request=False,
    )
