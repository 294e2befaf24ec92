"""Which ICML files to write, from the exchange settings (C2): one file, or one per shop (B8).

This is the only part of the package that reads the integration's settings; it turns them
into plain ``CatalogSpec`` values for the generation service.
"""

from dataclasses import replace

from catalog.icml.paths import resolve_path  # refuses names that leave the catalog folder
from catalog.icml.spec import CatalogSpec

SINGLE_SHOP_SLUG = "catalog"  # the feed name when no default shop code is set


def catalog_specs(shop: str | None = None) -> list[CatalogSpec]:
    """The files to generate: every configured one, or only ``shop``'s."""
    from integration import models as im

    row = im.CrmSettings.get_solo()
    base = CatalogSpec(
        path=resolve_path(row.catalog_path), shop=row.site_code,
        offer_id_field=row.offer_id_field, product_id_source=row.product_id_source,
        sale_price_type_id=row.sale_price_type_id or _base_price_type_id(),
        purchase_price_type_id=row.purchase_price_type_id,
        warehouse_ids=tuple(sorted(set(
            im.WarehouseMapping.objects.filter(export_stock=True).values_list("warehouse_id", flat=True)))),
    )
    sites = dict(im.CrmSite.objects.values_list("code", "name"))
    if not row.multiple_organizations:
        organization = row.default_organization
        specs = [replace(
            base, shop_name=sites.get(row.site_code) or row.site_code or (organization.name if organization else ""),
            company=organization.name if organization else "",
            organization_guid=str(organization.guid) if organization and row.prefix_organization_guid else "",
            group_ids=tuple(row.catalog_groups.values_list("pk", flat=True)),
        )]
    else:
        specs = []
        settings_groups = tuple(row.catalog_groups.values_list("pk", flat=True))
        shops = im.ShopOrganization.objects.filter(export_catalog=True).select_related("crm_site", "organization")
        for shop_row in shops.order_by("crm_site__code"):
            warehouses = tuple(shop_row.warehouses.values_list("pk", flat=True))
            specs.append(replace(
                base, path=resolve_path(shop_row.effective_catalog_path), shop=shop_row.crm_site.code,
                shop_name=shop_row.crm_site.name, company=shop_row.organization.name,
                organization_guid=str(shop_row.organization.guid) if row.prefix_organization_guid else "",
                # A shop without groups of its own takes the settings' groups, as the stock and price exports do.
                group_ids=tuple(shop_row.catalog_groups.values_list("pk", flat=True)) or settings_groups,
                warehouse_ids=warehouses or base.warehouse_ids,
            ))
    if shop is not None:
        specs = [spec for spec in specs if feed_slug(spec) == shop]
    return specs


def feed_slug(spec: CatalogSpec) -> str:
    """The name of the spec's file in the feed URL: the shop code."""
    return spec.shop or SINGLE_SHOP_SLUG


def _base_price_type_id() -> int | None:
    """Without a sale price type set, ``<price>`` uses the local type mapped (B5) to the CRM's base type."""
    from integration import models as im

    mappings = im.PriceTypeMapping.objects.filter(crm_price_type__is_default=True)
    return mappings.values_list("price_type_id", flat=True).first()
