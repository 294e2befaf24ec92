"""The effective settings of each CRM shop: the one place that decides them (A2, B8).

With "multiple organizations" off every shop code gets the defaults of the RetailCRM settings
(A2). With it on, a shop with a B8 row gets that row — its organization, warehouses, catalog,
export flags and order defaults — and a value the row leaves empty falls back to its
organization, then to A2. The ICML feed, the stock and price exports, the order import and the
loyalty registration all ask here, so they cannot disagree about a shop (they drifted apart
twice when each worked it out itself).

A :class:`ShopResolver` reads the settings once (a few queries however many shops or orders it
is asked about); build one per job run and pass it down. ``shop_settings(code)`` is the
one-off form for code that needs a single shop once.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from catalog.models import Organization, ProductGroup, Warehouse, prices_include_vat
from integration.documents.models.orders import Order
from integration.documents.models.states import DeliveryMethod
from integration.retailcrm.models.dictionaries import CrmSite
from integration.retailcrm.models.mappings import ShopOrganization
from integration.retailcrm.models.settings import CrmSettings

# The export flags of a B8 row, by the A3 switch they refine (the switch gates the job itself).
EXPORT_FLAGS = ("export_stock", "export_prices", "export_catalog")


@dataclass(frozen=True)
class ShopSettings:
    """What one CRM shop uses. ``site`` is the CRM shop code ("" = the client's default shop)."""

    site: str
    name: str  # the CRM shop's name (ICML <name>), else its code, else the organization's name
    from_b8: bool  # True when a B8 row decided these values
    organization: Organization | None
    organization_guid: str  # the offer id prefix: set only when "prefix offer ids" is on
    default_warehouse: Warehouse | None
    warehouse_ids: tuple[int, ...]  # the shop's own warehouses (B8); empty = every mapped warehouse (B4)
    catalog_groups: tuple[ProductGroup, ...]  # empty = the whole catalog
    catalog_file: str  # the configured file name, not yet confined (catalog.icml.paths.resolve_path)
    export_stock: bool  # effective: the A3 switch and, with B8, the shop's own flag
    export_prices: bool
    export_catalog: bool
    create_sales: bool
    delivery_method: str  # for an order whose CRM delivery type is not mapped in B7
    currency: str
    priority: str
    taxation: str  # Organization.Taxation
    prices_include_vat: bool  # always off for the regimes without VAT (catalog.models.prices_include_vat)
    terminal: str  # card terminal of card payments whose B6 mapping names none
    bank_account: str
    cash_desk: str

    @property
    def catalog_group_ids(self) -> tuple[int, ...]:
        return tuple(group.pk for group in self.catalog_groups)

    @property
    def company(self) -> str:
        return self.organization.name if self.organization else ""


class ShopResolver:
    """The effective settings of every shop, read once. ``for_site(code)`` never queries again."""

    def __init__(self, settings: CrmSettings | None = None):
        self.settings = settings if settings is not None else CrmSettings.get_solo()
        row = self.settings
        self.multiple = row.multiple_organizations
        self._names = dict(CrmSite.objects.values_list("code", "name"))
        self._groups = tuple(row.catalog_groups.all())
        self.default = self._defaults(row.site_code)
        self._shops: dict[str, ShopSettings] = {}
        self._removed: set[str] = set()
        if self.multiple:
            rows = (ShopOrganization.objects.select_related("crm_site", "organization", "default_warehouse")
                    .prefetch_related("warehouses", "catalog_groups").order_by("crm_site__code"))
            for shop_row in rows:
                self._shops[shop_row.crm_site.code] = self._from_row(shop_row)
                if shop_row.crm_site.removed_in_crm:
                    self._removed.add(shop_row.crm_site.code)

    # -- reading ------------------------------------------------------------------------

    def for_site(self, site: str | None) -> ShopSettings:
        """The settings of shop ``site``; a shop without a B8 row (or B8 off) gets the defaults, under its own code."""
        site = site or ""
        shop = self._shops.get(site)
        if shop is not None:
            return shop
        if not site or site == self.default.site:
            return self.default
        return self._defaults(site)

    def all(self) -> list[ShopSettings]:
        """Every shop the settings configure, by code: the B8 rows of shops still in the CRM, or the default shop."""
        if not self.multiple:
            return [self.default]
        return [shop for code, shop in self._shops.items() if code not in self._removed]

    def exporting(self, flag: str) -> list[ShopSettings]:
        """The shops an export (``export_stock``, ``export_prices`` or ``export_catalog``) covers."""
        if flag not in EXPORT_FLAGS:
            raise ValueError(f"flag must be one of {EXPORT_FLAGS}, not {flag!r}")
        if not self.multiple:
            return [self.default]  # the A3 switch gates the job kind; the one shop is the target
        return [shop for shop in self.all() if getattr(shop, flag)]

    def customer_sites(self, customer_ids) -> dict[int, str]:
        """Each customer's CRM shop: the shop of their latest order (as customer or contact person),
        else the default shop. The CRM keeps a customer in one shop, so whatever is done for the
        customer there (create, update, loyalty account) must name that shop."""
        ids = list(customer_ids)
        sites = dict.fromkeys(ids, self.default.site)
        known = set(self._names)
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            orders = (Order.objects.filter(Q(customer_id__in=chunk) | Q(contact_id__in=chunk)).exclude(crm_site="")
                      .order_by("date", "id").values_list("customer_id", "contact_id", "crm_site"))
            for customer_id, contact_id, site in orders:  # the latest order comes last and wins
                if site not in known:
                    continue
                for person in (customer_id, contact_id):
                    if person in sites:
                        sites[person] = site
        return sites

    # -- building -----------------------------------------------------------------------

    def _guid(self, organization) -> str:
        return str(organization.guid) if organization is not None and self.settings.prefix_organization_guid else ""

    def _defaults(self, site: str) -> ShopSettings:
        row = self.settings
        organization = row.default_organization
        return ShopSettings(
            site=site, name=self._names.get(site) or site or (organization.name if organization else ""),
            from_b8=False, organization=organization, organization_guid=self._guid(organization),
            default_warehouse=row.default_warehouse, warehouse_ids=(), catalog_groups=self._groups,
            catalog_file=row.catalog_path, export_stock=row.export_stock, export_prices=row.export_prices,
            export_catalog=True, create_sales=row.create_sales, delivery_method=DeliveryMethod.PICKUP,
            currency=row.currency, priority=row.priority, taxation=row.taxation,
            prices_include_vat=prices_include_vat(row.taxation, row.prices_include_vat), terminal="",
            bank_account=row.bank_account, cash_desk=row.cash_desk,
        )

    def _from_row(self, shop_row: ShopOrganization) -> ShopSettings:
        row, organization = self.settings, shop_row.organization
        taxation = shop_row.taxation or organization.taxation or row.taxation
        return ShopSettings(
            site=shop_row.crm_site.code, name=shop_row.crm_site.name, from_b8=True,
            organization=organization, organization_guid=self._guid(organization),
            default_warehouse=shop_row.default_warehouse or row.default_warehouse,
            warehouse_ids=tuple(sorted(w.pk for w in shop_row.warehouses.all())),
            # A shop without groups of its own takes the settings' groups (feed and exports alike).
            catalog_groups=tuple(shop_row.catalog_groups.all()) or self._groups,
            catalog_file=shop_row.effective_catalog_path,
            export_stock=row.export_stock and shop_row.export_stock,
            export_prices=row.export_prices and shop_row.export_prices,
            export_catalog=shop_row.export_catalog,
            create_sales=row.create_sales and shop_row.create_sales,
            delivery_method=shop_row.default_delivery_method or DeliveryMethod.PICKUP,
            currency=shop_row.currency or organization.currency or row.currency,
            priority=shop_row.priority or row.priority, taxation=taxation,
            prices_include_vat=prices_include_vat(taxation, shop_row.vat_included), terminal=shop_row.terminal,
            bank_account=organization.bank_account or row.bank_account,
            cash_desk=organization.cash_desk or row.cash_desk,
        )


def shop_settings(site: str | None) -> ShopSettings:
    """One shop's settings, read now (in a loop, build one ShopResolver instead)."""
    return ShopResolver().for_site(site)
