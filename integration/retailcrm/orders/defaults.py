"""The A2 defaults and the shop's B8 row as the documents of an order use them (E4–E6).

``shop_documents`` is the one place the documents read them, through the per-shop settings
resolver (integration/retailcrm/shops.py) like the feed, the exports and the order import.
"""

from dataclasses import dataclass

from integration.documents.sales import SaleDefaults
from integration.retailcrm.shops import ShopResolver


@dataclass(frozen=True)
class ShopDocuments:
    create_sales: bool  # the shop's B8 row allows sales (always, without "multiple organizations")
    sale: SaleDefaults
    organization_id: int | None
    bank_account: str
    cash_desk: str
    terminal: str


def shop_documents(site_code: str, crm_settings=None, *, shops: ShopResolver | None = None) -> ShopDocuments:
    """Defaults for the documents of an order of shop ``site_code``, from the one per-shop resolver."""
    shops = shops or ShopResolver(crm_settings)
    shop = shops.for_site(site_code)
    if shops.multiple and not shop.from_b8:  # a shop B8 does not list gets no documents of its own organization
        return ShopDocuments(False, SaleDefaults(), None, "", "", "")
    organization_id = shop.organization.pk if shop.organization else None
    sale = SaleDefaults(
        organization_id=organization_id, warehouse_id=shop.default_warehouse.pk if shop.default_warehouse else None,
        prices_include_vat=shop.prices_include_vat, priority=shop.priority,
        payment_deferral_days=shops.settings.payment_deferral_days,
    )
    return ShopDocuments(shop.create_sales or not shop.from_b8, sale, organization_id, shop.bank_account, shop.cash_desk,
                         shop.terminal)


def cached_shop_documents(refs, site_code: str) -> ShopDocuments:
    """``shop_documents`` once per shop and run (``refs`` is the run's ReferenceData, with its resolver)."""
    cache = refs.__dict__.setdefault("_shop_documents", {})
    if site_code not in cache:
        cache[site_code] = shop_documents(site_code, shops=refs.shops)
    return cache[site_code]
