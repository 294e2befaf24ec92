"""Which shops, groups, CRM stores and price types an export run covers.

The shops and their groups, warehouses and offer id prefix come from the shop resolver
(integration/retailcrm/shops.py), as the ICML's do; this module adds the B4/B5 mappings. Without
"multiple organizations" there is one target (the default shop, every mapped store); with it
(B8) every shop that has the export switched on is a target of its own.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_noop

from catalog.models import ProductGroup
from integration import models as im
from integration.exchange.messages import stored
from integration.retailcrm.shops import ShopResolver


@dataclass(frozen=True)
class Target:
    site: str  # "" = the client's default shop (a key that sees one shop may omit it)
    groups: tuple[ProductGroup, ...] = ()  # empty = the whole catalog
    stores: dict[str, int] = field(default_factory=dict)  # CRM store code → local warehouse id
    price_types: dict[str, int] = field(default_factory=dict)  # CRM price type code → local price type id
    organization_guid: str = ""  # offer ids start with it when "prefix offer ids" is on, as in the ICML

    @property
    def group_ids(self) -> tuple[int, ...]:
        return tuple(group.pk for group in self.groups)


class ExportNotConfigured(Exception):
    """The settings leave nothing to export; the message tells the operator what to fill in."""


def mapped_stores(warnings: list[str]) -> dict[str, int]:
    stores = {}
    for mapping in im.WarehouseMapping.objects.filter(export_stock=True).select_related("crm_store"):
        if mapping.crm_store.removed_in_crm:
            warnings.append(stored(gettext_noop(
                "CRM warehouse %(code)s no longer exists in RetailCRM; its stock is not sent. "
                "Fix “B4 · warehouses”.")) % {"code": mapping.crm_store.code})
            continue
        stores[mapping.crm_store.code] = mapping.warehouse_id
    return stores


def mapped_price_types(settings: im.CrmSettings, warnings: list[str]) -> dict[str, int]:
    """B5 when "use price types" is on; otherwise the sale price type feeds the CRM's base price type."""
    if settings.use_price_types:
        types = {}
        for mapping in im.PriceTypeMapping.objects.select_related("crm_price_type"):
            if mapping.crm_price_type.removed_in_crm:
                warnings.append(stored(gettext_noop(
                    "CRM price type %(code)s no longer exists in RetailCRM; it is not sent. "
                    "Fix “B5 · price types”.")) % {"code": mapping.crm_price_type.code})
                continue
            types[mapping.crm_price_type.code] = mapping.price_type_id
        return types
    if settings.sale_price_type_id is None:
        raise ExportNotConfigured(stored(gettext_noop(
            "Choose the sale price type in RetailCRM settings (Defaults), or switch on "
            "“use price types” and fill “B5 · price types”.")))
    base = im.CrmPriceType.objects.filter(is_default=True, removed_in_crm=False).first()
    if base is None:
        raise ExportNotConfigured(stored(gettext_noop(
            "RetailCRM's base price type is not known here: load the references from RetailCRM.")))
    return {base.code: settings.sale_price_type_id}


def stock_targets(shops: ShopResolver, warnings: list[str]) -> list[Target]:
    stores = mapped_stores(warnings)
    if not stores:
        raise ExportNotConfigured(stored(gettext_noop(
            "No warehouse is mapped for stock export: fill “B4 · warehouses”.")))
    targets = []
    for shop in shops.exporting("export_stock"):
        own = set(shop.warehouse_ids)
        shop_stores = {code: wid for code, wid in stores.items() if not own or wid in own}
        if not shop_stores:
            warnings.append(stored(gettext_noop("Shop %(site)s: none of its warehouses is mapped to a CRM warehouse; "
                                                "no stock is sent for it.")) % {"site": shop.site})
            continue
        targets.append(Target(site=shop.site, groups=shop.catalog_groups, stores=shop_stores,
                              organization_guid=shop.organization_guid))
    if not targets and shops.multiple:
        raise ExportNotConfigured(stored(gettext_noop(
            "No shop has stock export switched on in “B8 · multiple organizations”.")))
    return targets


def price_targets(shops: ShopResolver, warnings: list[str]) -> list[Target]:
    types = mapped_price_types(shops.settings, warnings)
    if not types:
        raise ExportNotConfigured(stored(gettext_noop("No price type is mapped for export: fill “B5 · price types”.")))
    targets = [Target(site=shop.site, groups=shop.catalog_groups, price_types=types,
                      organization_guid=shop.organization_guid)
               for shop in shops.exporting("export_prices")]
    if not targets:
        raise ExportNotConfigured(stored(gettext_noop(
            "No shop has price export switched on in “B8 · multiple organizations”.")))
    return targets
