"""The account's in-memory data, its change feeds and persistence.

Handlers hold ``state.lock`` for the whole request, so each API call is atomic, as it is for
a real single-account CRM from a client's point of view.
"""

import collections
import datetime
import json
import os
import tempfile
import threading

from .web import clone

# Reference books by API path: (response key, container). Stores and price types are lists in the API.
BOOKS = {
    "statuses": ("statuses", "map"),
    "status-groups": ("statusGroups", "map"),
    "order-types": ("orderTypes", "map"),
    "order-methods": ("orderMethods", "map"),
    "payment-types": ("paymentTypes", "map"),
    "payment-statuses": ("paymentStatuses", "map"),
    "delivery-types": ("deliveryTypes", "map"),
    "delivery-services": ("deliveryServices", "map"),
    "stores": ("stores", "list"),
    "price-types": ("priceTypes", "list"),
    "sites": ("sites", "map"),
    "product-statuses": ("productStatuses", "map"),
    "units": ("units", "map"),
}

# Entity maps persisted by id (JSON object keys are strings, so they are saved as lists).
_ID_MAPS = ("users", "customers", "corporate", "products", "offers", "orders", "loyalties", "loyalty_accounts")

Actor = collections.namedtuple("Actor", "source api_key user_id")

# Seeds are deterministic, so each is built once per process and then loaded from its JSON form:
# tests start many sandboxes and replaying the demo history every time would dominate their run time.
_SEED_CACHE = {}


def wall_clock():
    return datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S")


class State:
    # Seeding shadows this with a synthetic clock so the demo history has past, stable timestamps.
    clock = staticmethod(wall_clock)

    def __init__(self, seed="demo"):
        self.lock = threading.RLock()
        self.seed = seed
        self.reset()

    # ----- lifecycle -------------------------------------------------------------------------

    def reset(self):
        from .seed import apply_seed

        with self.lock:
            cached = _SEED_CACHE.get(self.seed)
            if cached is not None:
                self.load_json(cached)
                return
            self._clear()
            apply_seed(self, self.seed)
            _SEED_CACHE[self.seed] = self.to_json()

    def _clear(self):
        self.refs = {book: {} for book in BOOKS}
        for name in _ID_MAPS:
            setattr(self, name, {})
        self.history = []
        self.customer_history = []
        self.modules = {}
        self.icml_categories = {}  # site -> {category id: {id, parentId, name, picture}} from the last feed
        self.custom_fields = {}  # (entity, code) -> field
        self.uploads = {"stock": set(), "prices": set()}  # offer ids touched by store uploads
        self.seq = {}
        self._order_totals_cache = None  # see domain.customers.customer_order_totals
        self._rebuild_indexes()

    def _rebuild_indexes(self):
        """externalId/xmlId lookups stay O(1): benchmarks push 100,000 offers through the sandbox."""
        self.order_ext = {(o["site"], o["externalId"]): o["id"] for o in self.orders.values() if o.get("externalId")}
        self.customer_ext = {
            (c["site"], c["externalId"]): c["id"] for c in self.customers.values() if c.get("externalId")
        }
        self.product_ext = {(p["site"], p["externalId"]): p["id"] for p in self.products.values()}
        self.offer_keys = {}
        self.offer_sites = set()
        for offer in self.offers.values():
            self.index_offer(offer)

    def index_offer(self, offer):
        self.offer_sites.add(offer["site"])
        for key in ("externalId", "xmlId"):
            if offer.get(key):
                self.offer_keys.setdefault((offer["site"], key, offer[key]), offer["id"])

    def reindex_external_id(self, index, site, old, new, entity_id):
        """Keep an externalId index in step when an entity gets (or changes) its externalId."""
        if old == new:
            return
        if old:
            index.pop((site, old), None)
        if new:
            index[(site, new)] = entity_id

    def next_id(self, name, start=1):
        value = self.seq.get(name, start - 1) + 1
        self.seq[name] = value
        return value

    # ----- convenience for tests and the demo ----------------------------------------------

    def add_offers(self, offers):
        """Add catalog offers (dicts with externalId, name, prices...); returns their CRM ids."""
        from .domain import catalog

        with self.lock:
            return [catalog.add_offer(self, data)["id"] for data in offers]

    def order_by_external_id(self, external_id, site=None):
        return self._by_external_id(self.orders, self.order_ext, external_id, site)

    def customer_by_external_id(self, external_id, site=None):
        return self._by_external_id(self.customers, self.customer_ext, external_id, site)

    def _by_external_id(self, entities, index, external_id, site):
        for code in [site] if site is not None else self.refs["sites"]:
            entity_id = index.get((code, external_id))
            if entity_id is not None:
                return entities[entity_id]
        if site is None:  # an entity of a shop that has since been removed from the reference book
            return next((e for e in entities.values() if e.get("externalId") == external_id), None)
        return None

    # ----- change feeds ----------------------------------------------------------------------

    def record(self, feed, actor, entry):
        """Append one change to ``feed`` ("orders" or "customers") and return it."""
        entries = self.history if feed == "orders" else self.customer_history
        stored = {"id": self.next_id(f"history:{feed}"), "createdAt": self.clock()}
        stored.update(entry)
        stored["source"] = actor.source
        stored["_apiKey"] = actor.api_key
        stored["_userId"] = actor.user_id
        entries.append(stored)
        return stored

    @staticmethod
    def render_history(entry, reader_key):
        """The entry as a given key sees it: ``apiKey.current`` is relative to the reader."""
        out = {k: clone(v) for k, v in entry.items() if not k.startswith("_")}
        if entry["_userId"] is not None:
            out["user"] = {"id": entry["_userId"]}
        if entry["source"] == "api":
            out["apiKey"] = {"current": entry["_apiKey"] == reader_key}
        return out

    # ----- inspection ----------------------------------------------------------------------

    def snapshot(self):
        """What GET /sandbox/state shows: counts, feed positions, uploaded stock/prices, loyalty."""
        from .domain import catalog

        with self.lock:
            stock, prices = {}, {}
            for offer_id in sorted(self.uploads["stock"]):
                offer = self.offers[offer_id]
                stock.setdefault(offer["site"], {})[catalog.offer_label(offer)] = clone(offer["stores"])
            for offer_id in sorted(self.uploads["prices"]):
                offer = self.offers[offer_id]
                prices.setdefault(offer["site"], {})[catalog.offer_label(offer)] = dict(offer["prices"])
            return {
                "counts": {
                    "orders": len(self.orders),
                    "customers": len(self.customers),
                    "customersCorporate": len(self.corporate),
                    "offers": len(self.offers),
                    "products": len(self.products),
                    "users": len(self.users),
                    "orderHistory": len(self.history),
                    "customerHistory": len(self.customer_history),
                    "integrationModules": len(self.modules),
                    "customFields": len(self.custom_fields),
                    "loyaltyAccounts": len(self.loyalty_accounts),
                },
                "lastHistoryId": self.history[-1]["id"] if self.history else 0,
                "lastCustomerHistoryId": self.customer_history[-1]["id"] if self.customer_history else 0,
                "stock": stock,
                "prices": prices,
                "integrationModules": clone(self.modules),
                "loyaltyAccounts": [
                    {
                        "id": account["id"],
                        "loyaltyId": account["loyaltyId"],
                        "customerId": account["customerId"],
                        "phoneNumber": account.get("phoneNumber"),
                        "status": account["status"],
                        "amount": account["amount"],
                    }
                    for account in self.loyalty_accounts.values()
                ],
                "loyalties": {
                    str(loyalty["id"]): {
                        "active": loyalty["active"],
                        "blocked": loyalty["blocked"],
                        "confirmSmsRegistration": loyalty["confirmSmsRegistration"],
                    }
                    for loyalty in self.loyalties.values()
                },
            }

    # ----- persistence -----------------------------------------------------------------------

    def to_json(self):
        with self.lock:
            data = {name: list(getattr(self, name).values()) for name in _ID_MAPS}
            data.update(
                refs=self.refs,
                history=self.history,
                customer_history=self.customer_history,
                modules=self.modules,
                icml_categories=self.icml_categories,
                custom_fields=list(self.custom_fields.values()),
                uploads={k: sorted(v) for k, v in self.uploads.items()},
                seq=self.seq,
            )
            return json.dumps(data, ensure_ascii=False)

    def load_json(self, text):
        data = json.loads(text)
        with self.lock:
            self._clear()
            for name in _ID_MAPS:
                setattr(self, name, {item["id"]: item for item in data[name]})
            self.refs = {book: data["refs"].get(book, {}) for book in BOOKS}
            self.history = data["history"]
            self.customer_history = data["customer_history"]
            self.modules = data["modules"]
            self.icml_categories = data.get("icml_categories", {})
            self.custom_fields = {(f["entity"], f["code"]): f for f in data["custom_fields"]}
            self.uploads = {k: set(v) for k, v in data["uploads"].items()}
            self.seq = data["seq"]
            self._rebuild_indexes()

    def save(self, path):
        """Write atomically so a crash never leaves a half-written state file."""
        text = self.to_json()
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".sandbox-state-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)

    def load(self, path):
        with open(path, encoding="utf-8") as handle:
            self.load_json(handle.read())
