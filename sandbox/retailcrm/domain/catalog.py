"""Products and offers known to the CRM (normally filled from the shop's ICML feed)."""

from ..web import prune


def default_site(state):
    return next(iter(state.refs["sites"]), None)


def default_price_type(state):
    for code, entry in state.refs["price-types"].items():
        if entry.get("default"):
            return code
    return next(iter(state.refs["price-types"]), "base")


def _prices(state, data):
    prices = data.get("prices") or {}
    if isinstance(prices, list):
        prices = {p["code"]: float(p["price"]) for p in prices}
    prices = {code: float(value) for code, value in prices.items()}
    if "price" in data:
        prices[default_price_type(state)] = float(data["price"])
    return prices


def _default_unit(state):
    for code, unit in state.refs["units"].items():
        if unit.get("default"):
            return {"code": code, "name": unit.get("name"), "sym": unit.get("sym")}
    return {"code": "pc", "name": "Piece", "sym": "pcs."}


def add_offer(state, data):
    """Create an offer (and its product when new) from a loose dict; externalId is the key."""
    site = data.get("site") or default_site(state)
    product_external_id = str(data.get("productExternalId") or data["externalId"])
    product = state.products.get(state.product_ext.get((site, product_external_id)))
    if product is None:
        product = {
            "id": state.next_id("product", start=1001),
            "externalId": product_external_id,
            "name": data.get("productName") or data.get("name"),
            "article": data.get("article"),
            "site": site,
            "active": data.get("active", True),
            "manufacturer": data.get("manufacturer"),
            "url": data.get("url"),
            "groups": data.get("groups", []),
            "type": "product",
        }
        state.products[product["id"]] = product
        state.product_ext[(site, product_external_id)] = product["id"]
    stores = {}
    for code, value in (data.get("stores") or {}).items():
        if isinstance(value, dict):
            stores[code] = {"quantity": float(value.get("quantity", 0)), "purchasePrice": value.get("purchasePrice")}
        else:
            stores[code] = {"quantity": float(value), "purchasePrice": None}
    offer = {
        "id": state.next_id("offer", start=5001),
        "productId": product["id"],
        "externalId": str(data["externalId"]),
        "xmlId": data.get("xmlId"),
        "name": data.get("name") or product["name"],
        "article": data.get("article"),
        "site": site,
        "prices": _prices(state, data),
        "stores": stores,
        "purchasePrice": data.get("purchasePrice"),
        "vatRate": data.get("vatRate", "none"),
        "unit": data.get("unit") or _default_unit(state),
        "barcode": data.get("barcode"),
        "weight": data.get("weight"),
        "active": data.get("active", True),
    }
    state.offers[offer["id"]] = offer
    state.index_offer(offer)
    return offer


def find_offer(state, ident, sites=None):
    """Resolve an offer reference {id} | {externalId} | {xmlId} within the given shops."""
    if ident.get("id") not in (None, ""):
        try:
            offer = state.offers.get(int(ident["id"]))
        except (TypeError, ValueError):
            return None
        return offer if offer is not None and (sites is None or offer["site"] in sites) else None
    for key in ("externalId", "xmlId"):
        if ident.get(key) not in (None, ""):
            scope = sites if sites is not None else state.offer_sites
            for site in sorted(scope):
                offer_id = state.offer_keys.get((site, key, str(ident[key])))
                if offer_id is not None:
                    return state.offers[offer_id]
            return None
    return None


def offer_label(offer):
    return offer.get("externalId") or offer.get("xmlId") or f"#{offer['id']}"


def offer_quantity(offer):
    if not offer["stores"]:  # loaded from an ICML feed and no stock uploaded per store since
        return offer.get("quantity") or 0.0
    return sum(s["quantity"] for s in offer["stores"].values())


def offer_purchase_price(offer):
    """The CRM shows one purchase price per offer; the last uploaded store price wins here."""
    for stock in reversed(list(offer["stores"].values())):
        if stock.get("purchasePrice") is not None:
            return stock["purchasePrice"]
    return offer.get("purchasePrice")


def base_price(state, offer, price_type=None):
    code = price_type or default_price_type(state)
    return offer["prices"].get(code, offer["prices"].get(default_price_type(state), 0.0))


def render_offer(state, offer, with_product=False):
    types = state.refs["price-types"]
    prices = [
        {
            "priceType": code,
            "price": price,
            "ordering": types.get(code, {}).get("ordering", 99),
            "currency": types.get(code, {}).get("currency", "RUB"),
        }
        for code, price in offer["prices"].items()
    ]
    out = {
        "id": offer["id"],
        "externalId": offer["externalId"],
        "xmlId": offer.get("xmlId"),
        "name": offer["name"],
        "article": offer.get("article"),
        "price": offer["prices"].get(default_price_type(state)),
        "prices": prices,
        "purchasePrice": offer_purchase_price(offer),
        "vatRate": offer.get("vatRate"),
        "quantity": offer_quantity(offer),
        "weight": offer.get("weight"),
        "barcode": offer.get("barcode"),
        "active": offer["active"],
        "unit": offer.get("unit"),
        "images": list(offer.get("images") or []),
        "properties": {p["code"]: p["value"] for p in offer.get("params") or []},
        "dimensions": offer.get("dimensions"),
        "site": offer["site"],
    }
    if with_product:
        out["product"] = render_product(state, state.products[offer["productId"]], with_offers=False)
    return prune(out)


def render_product(state, product, with_offers=True):
    offers = [o for o in state.offers.values() if o["productId"] == product["id"]]
    prices = [p for o in offers for p in o["prices"].values()]
    out = {
        "id": product["id"],
        "externalId": product["externalId"],
        "article": product.get("article"),
        "name": product["name"],
        "url": product.get("url"),
        "manufacturer": product.get("manufacturer"),
        "type": product.get("type", "product"),
        "active": product["active"],
        "markable": product.get("markable", False),
        "imageUrl": product.get("imageUrl"),
        "description": product.get("description"),
        "quantity": sum(offer_quantity(o) for o in offers),
        "minPrice": min(prices) if prices else None,
        "maxPrice": max(prices) if prices else None,
        "groups": product.get("groups", []),
        "properties": {},
        "site": product["site"],
    }
    if with_offers:
        out["offers"] = [render_offer(state, o) for o in offers]
    return prune(out)


def item_offer_snapshot(offer):
    """What an order line keeps about its offer (the CRM copies it, so later catalog edits don't rewrite orders)."""
    return prune(
        {
            "id": offer["id"],
            "externalId": offer["externalId"],
            "xmlId": offer.get("xmlId"),
            "name": offer["name"],
            "displayName": offer["name"],
            "article": offer.get("article"),
            "vatRate": offer.get("vatRate"),
            "unit": offer.get("unit"),
        }
    )
