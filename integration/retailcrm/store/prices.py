"""D2: prices per mapped price type (``store/prices/upload``).

Each offer entry names every mapped price type: the local price, or ``remove: true`` where there
is none, so a price deleted locally disappears in the CRM too. Entries carry their own ``site``,
so offers of several shops share requests.
"""

from integration import models as im
from integration.retailcrm.store.local_offers import number, offer_chunks, offer_count, prices_of, variant_price
from integration.retailcrm.store.pipeline import make_entry, run_export
from integration.retailcrm.store.scope import Target, price_targets


def price_entries(target: Target, *, id_field: str, source: str):
    codes = sorted(target.price_types)
    for chunk in offer_chunks(target.groups, goods_only=False, source=source,
                              organization_guid=target.organization_guid):
        prices = prices_of(chunk, set(target.price_types.values()))
        entries = []
        for offer in chunk.offers:
            items = []
            for code in codes:
                value = variant_price(prices, offer, target.price_types[code])
                items.append({"code": code, "remove": True} if value is None else {"code": code, "price": number(value)})
            body = {id_field: offer.key, "prices": items}
            if target.site:
                body["site"] = target.site
            entries.append(make_entry(target.site, offer.key, body))
        yield entries


def export_prices(client, ctx, *, full: bool = False) -> None:
    """Send the prices of the chosen groups; only changed offers unless ``full`` or a reconcile is due."""
    settings = im.CrmSettings.get_solo()  # the "export prices" switch gates the job kind (integration/jobs)
    run_export(
        client, ctx, channel="prices", crm_settings=settings, targets_of=price_targets, full=full,
        entries_of=lambda target: price_entries(target, id_field=settings.offer_id_field,
                                                source=settings.product_id_source),
        # Prices name their shop per entry, so one request may carry several shops.
        send=lambda batch: client.prices_upload([entry.body for entry in batch]),
        offers_of=lambda target: offer_count(target.groups, goods_only=False),
        one_site_per_request=False,
    )
