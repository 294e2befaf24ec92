"""RetailCRM API v5: one typed method per call the back office makes.

Plain Python (requests + the transport); no Django import, so workers, benchmarks and the
sandbox tests can use it directly. Build a configured instance with
:func:`integration.retailcrm.client.factory.client_from_settings`.

Conventions:
* list methods that the exchange pages through explicitly (``orders``, ``customers``) yield
  :class:`Page` objects; the ``iter_*`` twins and every other list method yield entities;
* ``by`` chooses the identifier (``"id"`` = CRM id, ``"externalId"`` = ours); the client always
  sends it, since the server's default (externalId) is the opposite of what a reader expects;
* ``site`` defaults to the client's shop where the server needs one (creating, or resolving an
  externalId), and is sent as given otherwise;
* answers are normalised (see quirks.py): payments are lists, customFields are dicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote

from integration.retailcrm.client import errors
from integration.retailcrm.client.quirks import (
    as_list,
    normalize_customer,
    normalize_history_entry,
    normalize_loyalty_account,
    normalize_order,
)
from integration.retailcrm.client.results import HistoryPage, Page, UploadResult
from integration.retailcrm.client.transport import CLIENT_VERSION, CrmTransport

__all__ = ["CLIENT_VERSION", "MAX_UPLOAD_OFFERS", "ORDERS_BATCH", "RetailCrmClient", "batched"]

MAX_UPLOAD_OFFERS = 250  # per call for inventories and prices (reference §1.8)
ORDERS_BATCH = 100  # ids per orders-by-ids request = the largest page, so one request per batch
CUSTOMERS_UPLOAD_LIMIT = 50  # customers per customers/upload call (reference §1.8)
PAGE_LIMITS = frozenset({20, 50, 100})
INVENTORY_LIMITS = PAGE_LIMITS | {250}

# method name → (path, answer key); every book is normalised to a list of dicts
_REFERENCE_BOOKS = {
    "statuses": ("/reference/statuses", "statuses"),
    "status_groups": ("/reference/status-groups", "statusGroups"),
    "order_types": ("/reference/order-types", "orderTypes"),
    "order_methods": ("/reference/order-methods", "orderMethods"),
    "payment_types": ("/reference/payment-types", "paymentTypes"),
    "payment_statuses": ("/reference/payment-statuses", "paymentStatuses"),
    "delivery_types": ("/reference/delivery-types", "deliveryTypes"),
    "delivery_services": ("/reference/delivery-services", "deliveryServices"),
    "stores": ("/reference/stores", "stores"),
    "price_types": ("/reference/price-types", "priceTypes"),
    "sites": ("/reference/sites", "sites"),
    "product_statuses": ("/reference/product-statuses", "productStatuses"),
    "units": ("/reference/units", "units"),
}

_HISTORY_PATHS = {
    "orders": "/orders/history",
    "customers": "/customers/history",
    "customers-corporate": "/customers-corporate/history",
}


def batched(items: Iterable, size: int = MAX_UPLOAD_OFFERS) -> Iterator[list]:
    """Split ``items`` into lists of at most ``size`` (uploads take at most 250 offers)."""
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _segment(identifier: Any) -> str:
    # externalIds are ours and may contain "/", "#" or spaces (e.g. "GUID#GUID" offer ids)
    return quote(str(identifier), safe="")


def _check_by(by: str) -> str:
    if by not in ("id", "externalId"):
        raise ValueError(f'by must be "id" or "externalId", got {by!r}')
    return by


def _check_limit(limit: int, allowed: frozenset[int] = PAGE_LIMITS) -> int:
    if limit not in allowed:
        raise ValueError(f"RetailCRM accepts page sizes {sorted(allowed)}, got {limit!r}")
    return limit


def _identifier(entity: dict, by: str, what: str) -> Any:
    value = entity.get(_check_by(by))
    if value in (None, ""):
        raise ValueError(f'{what} has no "{by}" to address it by')
    return value


def _id_pairs(pairs: Iterable) -> list[dict]:
    """(id, externalId) tuples or {"id", "externalId"} dicts → the list fix-external-ids takes."""
    result = []
    for pair in pairs:
        crm_id, external_id = (pair["id"], pair["externalId"]) if isinstance(pair, dict) else pair
        result.append({"id": int(crm_id), "externalId": str(external_id)})
    return result


class RetailCrmClient(CrmTransport):
    """RetailCRM API v5 client; see :class:`CrmTransport` for the constructor arguments."""

    # -- helpers ---------------------------------------------------------------------------

    def _site(self, site: str | None) -> str | None:
        return site or self.site

    def _page(self, path: str, key: str, *, filter: dict | None = None, page: int = 1, limit: int = 100,
              normalize=None, limits: frozenset[int] = PAGE_LIMITS, params: dict | None = None) -> Page:
        _check_limit(limit, limits)
        payload = self.get(path, {**(params or {}), "filter": filter or None, "limit": limit, "page": page})
        items = as_list(payload.get(key))
        if normalize:
            items = [normalize(item) for item in items]
        pagination = payload.get("pagination") or {}
        current = int(pagination.get("currentPage") or page)
        return Page(
            items=items,
            current_page=current,
            total_pages=int(pagination.get("totalPageCount") or current),
            total_count=int(pagination.get("totalCount") or len(items)),
            limit=int(pagination.get("limit") or limit),
        )

    def _pages(self, path: str, key: str, **kwargs) -> Iterator[Page]:
        page = 1
        while True:
            result = self._page(path, key, page=page, **kwargs)
            yield result
            if result.is_last:
                return
            page = result.current_page + 1

    def _items(self, path: str, key: str, **kwargs) -> Iterator[dict]:
        for page in self._pages(path, key, **kwargs):
            yield from page.items

    # -- account ---------------------------------------------------------------------------

    def api_versions(self) -> list[str]:
        """Versions the account speaks, e.g. ``["3.0", "4.0", "5.0"]`` (unversioned route)."""
        return [str(v) for v in self.get("/api-versions", versioned=False).get("versions") or []]

    def credentials(self) -> dict:
        """``scopes``, ``siteAccess`` (access_full|access_selective), ``sitesAvailable`` of this key."""
        payload = self.get("/credentials", versioned=False)
        return {
            "scopes": list(payload.get("scopes") or []),
            "siteAccess": payload.get("siteAccess"),
            "sitesAvailable": list(payload.get("sitesAvailable") or []),
            "credentials": list(payload.get("credentials") or []),
        }

    # -- reference books (each returns a list of dicts) ------------------------------------

    def reference(self, book: str) -> list[dict]:
        path, key = _REFERENCE_BOOKS[book]
        return as_list(self.get(path).get(key))

    def statuses(self) -> list[dict]:
        return self.reference("statuses")

    def status_groups(self) -> list[dict]:
        return self.reference("status_groups")

    def order_types(self) -> list[dict]:
        return self.reference("order_types")

    def order_methods(self) -> list[dict]:
        return self.reference("order_methods")

    def payment_types(self) -> list[dict]:
        return self.reference("payment_types")

    def payment_statuses(self) -> list[dict]:
        return self.reference("payment_statuses")

    def delivery_types(self) -> list[dict]:
        return self.reference("delivery_types")

    def delivery_services(self) -> list[dict]:
        return self.reference("delivery_services")

    def stores(self) -> list[dict]:
        return self.reference("stores")

    def price_types(self) -> list[dict]:
        return self.reference("price_types")

    def sites(self) -> list[dict]:
        return self.reference("sites")

    def product_statuses(self) -> list[dict]:
        return self.reference("product_statuses")

    def units(self) -> list[dict]:
        return self.reference("units")

    # -- users -----------------------------------------------------------------------------

    def users(self, *, limit: int = 100, **filters) -> Iterator[dict]:
        """CRM users (managers); keyword arguments are ``filter[...]`` keys, e.g. ``active=True``."""
        return self._items("/users", "users", filter=filters, limit=limit)

    def user(self, user_id: int) -> dict:
        return self.get(f"/users/{_segment(user_id)}")["user"]

    # -- orders ----------------------------------------------------------------------------

    def orders(self, filter: dict | None = None, limit: int = 100) -> Iterator[Page]:
        """Pages of orders matching ``filter`` (keys of reference §3.1, e.g. ``{"extendedStatus": [...]}``)."""
        return self._pages("/orders", "orders", filter=filter, limit=limit, normalize=normalize_order)

    def iter_orders(self, filter: dict | None = None, limit: int = 100) -> Iterator[dict]:
        for page in self.orders(filter, limit):
            yield from page.items

    def order(self, identifier, by: str = "id", site: str | None = None) -> dict:
        """One order by CRM id (default) or by our externalId."""
        params = {"by": _check_by(by), "site": self._site(site) if by == "externalId" else site}
        return normalize_order(self.get(f"/orders/{_segment(identifier)}", params)["order"])

    def orders_by_ids(self, ids: Iterable[int]) -> Iterator[dict]:
        """Current state of many orders, 100 per request (the history feed names ids; this fetches them)."""
        unique = list(dict.fromkeys(int(i) for i in ids))
        for chunk in batched(unique, ORDERS_BATCH):
            yield from self.iter_orders({"ids": chunk}, limit=ORDERS_BATCH)

    def order_create(self, order: dict, site: str | None = None) -> dict:
        """Create an order; returns the answer (``id`` and, when sent back, ``order``)."""
        payload = self.post("/orders/create", {"order": order, "site": self._site(site)})
        normalize_order(payload.get("order"))
        return payload

    def order_edit(self, order: dict, by: str = "externalId", site: str | None = None) -> dict:
        """Partial update: only the fields present in ``order`` change (``items`` replaces all lines)."""
        identifier = _identifier(order, by, "The order")
        data = {"order": order, "by": by, "site": self._site(site) if by == "externalId" else site}
        payload = self.post(f"/orders/{_segment(identifier)}/edit", data)
        normalize_order(payload.get("order"))
        return payload

    def orders_fix_external_ids(self, pairs: Iterable) -> dict:
        """Set our ids on CRM orders: ``[(crm_id, external_id), ...]`` (edit cannot change externalId)."""
        return self.post("/orders/fix-external-ids", {"orders": _id_pairs(pairs)})

    def iter_history(self, since_id: int | None = None, start_date=None, limit: int = 100, *,
                     filter: dict | None = None, entity: str = "orders") -> Iterator[HistoryPage]:
        """The change feed in ascending order, one page at a time, until it is exhausted.

        Always asks for page 1 with ``sinceId`` = the last id seen (reference §3.7): page
        numbers shift while the feed grows, ids do not. Store ``page.last_id`` only after
        the page is applied. Without ``since_id`` the first request uses ``start_date``
        (a datetime or ``"Y-m-d H:i:s"``); without both it starts at the beginning.
        """
        _check_limit(limit)
        path = _HISTORY_PATHS[entity]
        cursor = since_id
        while True:
            query = dict(filter or {})
            if cursor is not None:
                query["sinceId"] = cursor
            elif start_date is not None:
                query["startDate"] = start_date
            payload = self.get(path, {"filter": query, "limit": limit, "page": 1})
            entries = [normalize_history_entry(e) for e in payload.get("history") or []]
            if not entries:
                return
            last_id = max(int(e["id"]) for e in entries)
            if cursor is not None and last_id <= cursor:
                # a server that ignored sinceId would otherwise be read forever
                raise errors.CrmMalformedResponse(
                    f"RetailCRM history did not move past id {cursor} (got up to {last_id}); stopping.",
                    status=200, method="GET", path="/api/v5" + path,
                )
            pagination = payload.get("pagination") or {}
            total = int(pagination.get("totalCount") or len(entries))
            yield HistoryPage(entries=entries, last_id=last_id, generated_at=payload.get("generatedAt"),
                              remaining=max(0, total - len(entries)))
            if int(pagination.get("currentPage") or 1) >= int(pagination.get("totalPageCount") or 1):
                return
            cursor = last_id

    # -- payments --------------------------------------------------------------------------

    def payment_create(self, payment: dict, site: str | None = None) -> dict:
        """``payment`` carries ``order: {"id"|"externalId": ...}``; returns the answer with ``id``."""
        return self.post("/orders/payments/create", {"payment": payment, "site": self._site(site)})

    def payment_edit(self, payment: dict, by: str = "externalId", site: str | None = None) -> dict:
        identifier = _identifier(payment, by, "The payment")
        data = {"payment": payment, "by": by, "site": self._site(site) if by == "externalId" else site}
        return self.post(f"/orders/payments/{_segment(identifier)}/edit", data)

    def payment_delete(self, payment_id: int) -> dict:
        """Delete by CRM payment id (the only identifier this route accepts)."""
        return self.post(f"/orders/payments/{_segment(payment_id)}/delete")

    # -- customers -------------------------------------------------------------------------

    def customers(self, filter: dict | None = None, limit: int = 100) -> Iterator[Page]:
        return self._pages("/customers", "customers", filter=filter, limit=limit, normalize=normalize_customer)

    def customers_page(self, filter: dict | None = None, page: int = 1, limit: int = 100) -> Page:
        """One page, for callers that decide after the first page whether reading on is worth it."""
        return self._page("/customers", "customers", filter=filter, page=page, limit=limit, normalize=normalize_customer)

    def customers_upload(self, customers: list[dict], site: str | None = None) -> dict:
        """Create up to 50 customers in one request; a partly rejected batch raises CrmPartialFailure (460)."""
        if len(customers) > CUSTOMERS_UPLOAD_LIMIT:
            raise ValueError(f"customers/upload takes at most {CUSTOMERS_UPLOAD_LIMIT} customers per request")
        return self.post("/customers/upload", {"customers": customers, "site": self._site(site)})

    def iter_customers(self, filter: dict | None = None, limit: int = 100) -> Iterator[dict]:
        for page in self.customers(filter, limit):
            yield from page.items

    def customer(self, identifier, by: str = "id", site: str | None = None) -> dict:
        params = {"by": _check_by(by), "site": self._site(site) if by == "externalId" else site}
        return normalize_customer(self.get(f"/customers/{_segment(identifier)}", params)["customer"])

    def customer_create(self, customer: dict, site: str | None = None) -> dict:
        return self.post("/customers/create", {"customer": customer, "site": self._site(site)})

    def customer_edit(self, customer: dict, by: str = "externalId", site: str | None = None) -> dict:
        identifier = _identifier(customer, by, "The customer")
        data = {"customer": customer, "by": by, "site": self._site(site) if by == "externalId" else site}
        return self.post(f"/customers/{_segment(identifier)}/edit", data)

    def customers_fix_external_ids(self, pairs: Iterable) -> dict:
        return self.post("/customers/fix-external-ids", {"customers": _id_pairs(pairs)})

    def corporate_customers(self, filter: dict | None = None, limit: int = 100) -> Iterator[dict]:
        return self._items("/customers-corporate", "customersCorporate", filter=filter, limit=limit,
                           normalize=normalize_customer)

    def corporate_customer_create(self, customer: dict, site: str | None = None) -> dict:
        return self.post("/customers-corporate/create", {"customerCorporate": customer, "site": self._site(site)})

    # -- store: stock, prices, catalog -----------------------------------------------------

    def inventories(self, filter: dict | None = None, limit: int = 250) -> Iterator[dict]:
        """Offers with stock; ``filter={"details": 1}`` adds the per-warehouse breakdown."""
        return self._items("/store/inventories", "offers", filter=filter, limit=limit, limits=INVENTORY_LIMITS)

    def inventories_upload(self, offers: list[dict], site: str | None = None) -> UploadResult:
        """Stock and purchase prices per warehouse for at most 250 offers.

        Offers the CRM does not know are reported in ``not_found_offers``, not raised: the
        others were updated, and one unknown SKU must not make the caller retry (and so
        re-send) a whole batch. A 460 answer is turned into ``partial=True`` for the same reason.
        """
        offers = self._upload_batch(offers, "inventories_upload", "offers")
        return self._upload("/store/inventories/upload", {"offers": offers, "site": self._site(site)})

    def prices_upload(self, prices: list[dict]) -> UploadResult:
        """Prices per price type for at most 250 offers; each element names its own ``site``.

        Elements without ``site`` get the client's shop. Not-found offers and 460 are reported
        as in :meth:`inventories_upload`.
        """
        prices = self._upload_batch(prices, "prices_upload", "prices")
        if self.site:
            prices = [price if price.get("site") else {**price, "site": self.site} for price in prices]
        return self._upload("/store/prices/upload", {"prices": prices})

    @staticmethod
    def _upload_batch(items, method: str, what: str) -> list[dict]:
        items = list(items)
        if len(items) > MAX_UPLOAD_OFFERS:
            raise ValueError(
                f"{method} takes at most {MAX_UPLOAD_OFFERS} {what} per call (RetailCRM's limit), "
                f"got {len(items)}; split them with integration.retailcrm.client.client.batched()"
            )
        return items

    def _upload(self, path: str, data: dict) -> UploadResult:
        try:
            payload, partial = self.post(path, data), False
        except errors.CrmPartialFailure as exc:
            payload, partial = exc.payload or {}, True
        return UploadResult(
            processed_offers_count=int(payload.get("processedOffersCount") or 0),
            not_found_offers=list(payload.get("notFoundOffers") or []),
            partial=partial,
            error_msg=payload.get("errorMsg"),
            raw=payload,
        )

    def offers(self, filter: dict | None = None, limit: int = 100) -> Iterator[dict]:
        return self._items("/store/offers", "offers", filter=filter, limit=limit)

    def products(self, filter: dict | None = None, limit: int = 100) -> Iterator[dict]:
        return self._items("/store/products", "products", filter=filter, limit=limit)

    # -- integration module ----------------------------------------------------------------

    def integration_module(self, code: str) -> dict:
        return self.get(f"/integration-modules/{_segment(code)}")["integrationModule"]

    def integration_module_edit(self, code: str, module: dict) -> dict:
        """Create or update the module registration (201 the first time, 200 after)."""
        return self.post(f"/integration-modules/{_segment(code)}/edit", {"integrationModule": module})

    # -- custom fields ---------------------------------------------------------------------

    def custom_fields(self, filter: dict | None = None, limit: int = 100) -> Iterator[dict]:
        return self._items("/custom-fields", "customFields", filter=filter, limit=limit)

    def custom_field_create(self, entity: str, field: dict) -> dict:
        """``entity`` is ``order``, ``customer``…; returns the answer with the field's ``code``."""
        return self.post(f"/custom-fields/{_segment(entity)}/create", {"customField": field})

    # -- loyalty ---------------------------------------------------------------------------

    def loyalties(self, filter: dict | None = None, limit: int = 100) -> Iterator[dict]:
        return self._items("/loyalty/loyalties", "loyalties", filter=filter, limit=limit)

    def loyalty(self, loyalty_id: int) -> dict:
        return self.get(f"/loyalty/loyalties/{_segment(loyalty_id)}")["loyalty"]

    def loyalty_accounts(self, filter: dict | None = None, limit: int = 100) -> Iterator[dict]:
        return self._items("/loyalty/accounts", "loyaltyAccounts", filter=filter, limit=limit,
                           normalize=normalize_loyalty_account)

    def loyalty_accounts_page(self, filter: dict | None = None, page: int = 1, limit: int = 100) -> Page:
        return self._page("/loyalty/accounts", "loyaltyAccounts", filter=filter, page=page, limit=limit,
                          normalize=normalize_loyalty_account)

    def loyalty_account_create(self, account: dict, site: str | None = None) -> dict:
        payload = self.post("/loyalty/account/create", {"loyaltyAccount": account, "site": self._site(site)})
        normalize_loyalty_account(payload.get("loyaltyAccount"))
        return payload

    def loyalty_account(self, account_id: int) -> dict:
        return normalize_loyalty_account(self.get(f"/loyalty/account/{_segment(account_id)}")["loyaltyAccount"])

    def loyalty_account_activate(self, account_id: int) -> dict:
        payload = self.post(f"/loyalty/account/{_segment(account_id)}/activate")
        normalize_loyalty_account(payload.get("loyaltyAccount"))
        return payload

    def loyalty_account_edit(self, account_id: int, account: dict) -> dict:
        payload = self.post(f"/loyalty/account/{_segment(account_id)}/edit", {"loyaltyAccount": account})
        normalize_loyalty_account(payload.get("loyaltyAccount"))
        return payload
