"""Which ICML files to write (C2): one per shop the resolver lists with "export catalog" (B8), or one.

The shops' settings come from integration/retailcrm/shops.py; this module only turns them into
plain ``CatalogSpec`` values, so catalog/icml itself reads no settings.
"""

from catalog.icml.paths import resolve_path  # refuses names that leave the catalog folder
from catalog.icml.spec import CatalogSpec
from integration.retailcrm.models.mappings import PriceTypeMapping, WarehouseMapping
from integration.retailcrm.shops import ShopResolver, ShopSettings

SINGLE_SHOP_SLUG = "catalog"  # the feed name when no default shop code is set


def catalog_specs(shop: str | None = None, resolver: ShopResolver | None = None) -> list[CatalogSpec]:
    """The files to generate: every configured one, or only ``shop``'s."""
    resolver = resolver or ShopResolver()
    row = resolver.settings
    mapped = tuple(sorted(set(WarehouseMapping.objects.filter(export_stock=True).values_list("warehouse_id", flat=True))))
    sale_type = row.sale_price_type_id or _base_price_type_id()
    specs = [catalog_spec(settings, row, mapped, sale_type) for settings in resolver.exporting("export_catalog")]
    if shop is not None:
        specs = [spec for spec in specs if feed_slug(spec) == shop]
    return specs


def catalog_spec(shop: ShopSettings, row, mapped_warehouse_ids: tuple[int, ...], sale_price_type_id) -> CatalogSpec:
    return CatalogSpec(
        path=resolve_path(shop.catalog_file), shop=shop.site, shop_name=shop.name, company=shop.company,
        offer_id_field=row.offer_id_field, product_id_source=row.product_id_source,
        organization_guid=shop.organization_guid, group_ids=shop.catalog_group_ids,
        warehouse_ids=shop.warehouse_ids or mapped_warehouse_ids,
        sale_price_type_id=sale_price_type_id, purchase_price_type_id=row.purchase_price_type_id,
    )


def feed_slug(spec: CatalogSpec) -> str:
    """The name of the spec's file in the feed URL: the shop code."""
    return spec.shop or SINGLE_SHOP_SLUG


def _base_price_type_id() -> int | None:
    """Without a sale price type set, ``<price>`` uses the local type mapped (B5) to the CRM's base type."""
    mappings = PriceTypeMapping.objects.filter(crm_price_type__is_default=True)
    return mappings.values_list("price_type_id", flat=True).first()
