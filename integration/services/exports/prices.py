"""D2: prices per mapped price type (``store/prices/upload``).

Each offer entry names every mapped price type: the local price, or ``remove: true`` where there
is none, so a price deleted locally disappears in the CRM too. Entries carry their own ``site``,
so offers of several shops share requests.
"""

from django.utils.translation import gettext as _

from integration import models as im
from integration.services.exports.local_offers import number, offer_chunks, prices_of, variant_price
from integration.services.exports.pipeline import ExportRun, full_run_due, make_entry, pace, summarize
from integration.services.exports.scope import Target, price_targets


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
    settings = im.CrmSettings.get_solo()
    if not settings.export_prices:
        ctx.message(_("Price export is switched off in RetailCRM settings (Exchange modes)."), warning=True)
        return
    warnings: list[str] = []
    targets = price_targets(settings, warnings)
    for text in warnings:
        ctx.message(text, warning=True)
    full = full_run_due("prices", full)
    ctx.message(_("Full upload: every offer is sent.") if full else _("Only offers changed since the last upload are sent."))

    pace(client)

    def send(batch):
        return client.prices_upload([entry.body for entry in batch])

    with ExportRun(ctx, channel="prices", id_field=settings.offer_id_field, send=send, full=full,
                   one_site_per_request=False) as run:
        for target in targets:
            for entries in price_entries(target, id_field=settings.offer_id_field, source=settings.product_id_source):
                run.feed(entries)
        run.finish()
    summarize(ctx)
