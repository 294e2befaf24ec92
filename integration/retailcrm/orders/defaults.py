"""The A2 defaults and the shop's B8 row as the documents of an order use them (E4–E6).

``shop_documents`` is the one place the documents read them; it is to be replaced by the per-shop
settings resolver (integration/retailcrm/shops.py) when that lands.
"""

from dataclasses import dataclass

from catalog.models import prices_include_vat
from integration.documents.sales import SaleDefaults
from integration.retailcrm.models.mappings import ShopOrganization


@dataclass(frozen=True)
class ShopDocuments:
    create_sales: bool  # the shop's B8 row allows sales (always, without "multiple organizations")
    sale: SaleDefaults
    organization_id: int | None
    bank_account: str
    cash_desk: str
    terminal: str


def shop_documents(site_code: str, crm_settings) -> ShopDocuments:
    """Defaults for the documents of an order of shop ``site_code``: B8 when "multiple organizations" is on, else A2."""
    row = None
    if crm_settings.multiple_organizations:
        row = ShopOrganization.objects.select_related("organization").filter(crm_site__code=site_code).first()
        if row is None:  # a shop B8 does not list gets no documents of its own organization
            return ShopDocuments(False, SaleDefaults(), None, "", "", "")
    if row is not None:
        organization = row.organization
        taxation = row.taxation or organization.taxation
        sale = SaleDefaults(
            organization_id=organization.pk, warehouse_id=row.default_warehouse_id or crm_settings.default_warehouse_id,
            prices_include_vat=prices_include_vat(taxation, row.vat_included), priority=row.priority or crm_settings.priority,
            payment_deferral_days=crm_settings.payment_deferral_days,
        )
        return ShopDocuments(row.create_sales, sale, organization.pk, organization.bank_account or crm_settings.bank_account,
                             organization.cash_desk or crm_settings.cash_desk, row.terminal)
    organization = crm_settings.default_organization
    sale = SaleDefaults(
        organization_id=crm_settings.default_organization_id, warehouse_id=crm_settings.default_warehouse_id,
        prices_include_vat=prices_include_vat(crm_settings.taxation, crm_settings.prices_include_vat),
        priority=crm_settings.priority, payment_deferral_days=crm_settings.payment_deferral_days,
    )
    return ShopDocuments(True, sale, crm_settings.default_organization_id,
                         crm_settings.bank_account or (organization.bank_account if organization else ""),
                         crm_settings.cash_desk or (organization.cash_desk if organization else ""), "")


def cached_shop_documents(refs, site_code: str) -> ShopDocuments:
    """``shop_documents`` once per shop and run (``refs`` is the run's ReferenceData)."""
    cache = refs.__dict__.setdefault("_shop_documents", {})
    if site_code not in cache:
        cache[site_code] = shop_documents(site_code, refs.settings)
    return cache[site_code]
