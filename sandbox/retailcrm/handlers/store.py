"""Catalog reads and the stock/price uploads an ERP performs."""

from ..domain import catalog
from ..domain.orders import catalog_sites
from ..web import ApiError, as_bool_flag, as_int, entity_error, input_error, known, page_args, paginate
from .common import explicit_site, site_filter, visible_sites

BATCH_LIMIT = 250


def _catalog_scope(app, req, sites=None):
    """Catalog-owning shops reachable through the given (or the key's visible) shops."""
    scope = set()
    for site in sites if sites is not None else visible_sites(app, req):
        scope.update(catalog_sites(app.state, site))
    return scope


def _offer_filters(app, req, offers):
    sites = site_filter(app, req)
    scope = _catalog_scope(app, req, sites)
    out = [o for o in offers if o["site"] in scope]
    ids = req.filter_list("ids")
    if ids:
        out = [o for o in out if str(o["id"]) in ids]
    for name, key in (("externalIds", "externalId"), ("offerExternalId", "externalId"),
                      ("xmlIds", "xmlId"), ("offerXmlId", "xmlId"), ("offerArticle", "article")):
        wanted = req.filter_list(name)
        if wanted:
            out = [o for o in out if o.get(key) in wanted]
    if req.filter("name"):
        out = [o for o in out if req.filter("name").lower() in o["name"].lower()]
    for name in ("active", "offerActive"):
        flag = as_bool_flag(req.filter(name))
        if flag is not None:
            out = [o for o in out if o["active"] == flag]
    if req.filter("sinceId"):
        out = [o for o in out if o["id"] > (as_int(req.filter("sinceId")) or 0)]
    if req.filter("productExternalId"):
        out = [o for o in out if app.state.products[o["productId"]]["externalId"] == req.filter("productExternalId")]
    return out  # offers are stored in id order


def inventories(app, req):
    page, limit = page_args(req, limits=(20, 50, 100, BATCH_LIMIT))
    details = as_bool_flag(req.filter("details"))
    chunk, pagination = paginate(_offer_filters(app, req, app.state.offers.values()), page, limit)
    offers = []
    for offer in chunk:
        entry = {
            "id": offer["id"], "externalId": offer["externalId"], "xmlId": offer.get("xmlId"), "site": offer["site"],
            "purchasePrice": catalog.offer_purchase_price(offer), "quantity": catalog.offer_quantity(offer),
        }
        if details:
            entry["stores"] = [
                {"store": code, "quantity": stock["quantity"], "purchasePrice": stock.get("purchasePrice")}
                for code, stock in offer["stores"].items()
            ]
        offers.append({k: v for k, v in entry.items() if v is not None})
    return {"success": True, "pagination": pagination, "offers": offers}


def _batch(req, name):
    batch = req.json_field(name, kind=list)
    if len(batch) > BATCH_LIMIT:
        raise input_error({name: f"Parameter '{name}' must contain {BATCH_LIMIT} or less records"})
    return batch


def _identity(entry):
    return {k: entry[k] for k in ("id", "externalId", "xmlId") if entry.get(k) not in (None, "")}


def _upload_answer(processed, not_found):
    if not_found:
        # Partly failed batch: the known offers were stored, the rest are listed back.
        return 460, {"success": False, "errorMsg": "Offers are loaded with errors",
                     "processedOffersCount": processed, "notFoundOffers": not_found}
    return {"success": True, "processedOffersCount": processed, "notFoundOffers": []}


def upload_inventories(app, req):
    batch = _batch(req, "offers")
    site = explicit_site(app, req)
    scope = _catalog_scope(app, req, [site] if site else None)
    stores = app.state.refs["stores"]
    errors = {}
    for index, entry in enumerate(batch):
        if not isinstance(entry, dict) or not _identity(entry):
            errors[f"offers[{index}]"] = "Set one of the following fields: id, externalId, xmlId"
            continue
        if not isinstance(entry.get("stores") or [], list):
            errors[f"offers[{index}].stores"] = "This value should be a list."
            continue
        for j, stock in enumerate(entry.get("stores") or []):
            code = stock.get("code") if isinstance(stock, dict) else None
            if not known(stores, code):
                errors[f"offers[{index}].stores[{j}].code"] = f'Store with code "{code}" not found.'
            elif "available" in stock and not isinstance(stock["available"], (int, float)):
                errors[f"offers[{index}].stores[{j}].available"] = "This value should be a number."
    if errors:
        raise entity_error(errors)
    processed, not_found = 0, []
    for entry in batch:
        offer = catalog.find_offer(app.state, entry, scope)
        if offer is None:
            not_found.append(_identity(entry))
            continue
        processed += 1
        app.state.uploads["stock"].add(offer["id"])
        for stock in entry.get("stores") or []:
            current = offer["stores"].setdefault(stock["code"], {"quantity": 0.0, "purchasePrice": None})
            if "available" in stock:
                quantity = float(stock["available"])
                if stores[stock["code"]].get("inventoryType") == "available":
                    quantity = 1.0 if quantity > 0 else 0.0
                current["quantity"] = quantity
            if stock.get("purchasePrice") is not None:
                current["purchasePrice"] = float(stock["purchasePrice"])
    return _upload_answer(processed, not_found)


def upload_prices(app, req):
    batch = _batch(req, "prices")
    types = app.state.refs["price-types"]
    errors = {}
    for index, entry in enumerate(batch):
        if not isinstance(entry, dict) or not _identity(entry):
            errors[f"prices[{index}]"] = "Set one of the following fields: id, externalId, xmlId"
            continue
        if entry.get("site") is not None:
            try:
                explicit_site(app, req, entry["site"])
            except ApiError as error:
                errors[f"prices[{index}].site"] = error.errors.get("site") if error.errors else error.message
        if not isinstance(entry.get("prices") or [], list):
            errors[f"prices[{index}].prices"] = "This value should be a list."
            continue
        for j, price in enumerate(entry.get("prices") or []):
            if not isinstance(price, dict) or not known(types, price.get("code")):
                errors[f"prices[{index}].prices[{j}].code"] = "Price type not found."
            elif not price.get("remove") and not isinstance(price.get("price"), (int, float)):
                errors[f"prices[{index}].prices[{j}].price"] = "This value should be a number."
    if errors:
        raise entity_error(errors)
    processed, not_found = 0, []
    for entry in batch:
        scope = _catalog_scope(app, req, [entry["site"]] if entry.get("site") else None)
        offer = catalog.find_offer(app.state, entry, scope)
        if offer is None:
            not_found.append(_identity(entry))
            continue
        processed += 1
        app.state.uploads["prices"].add(offer["id"])
        for price in entry.get("prices") or []:
            if price.get("remove"):
                offer["prices"].pop(price["code"], None)
            else:
                offer["prices"][price["code"]] = float(price["price"])
    return _upload_answer(processed, not_found)


def list_offers(app, req):
    page, limit = page_args(req)
    chunk, pagination = paginate(_offer_filters(app, req, app.state.offers.values()), page, limit)
    return {"success": True, "pagination": pagination,
            "offers": [catalog.render_offer(app.state, o, with_product=True) for o in chunk]}


def list_products(app, req):
    page, limit = page_args(req)
    scope = _catalog_scope(app, req, site_filter(app, req))
    products = [p for p in app.state.products.values() if p["site"] in scope]
    ids, offer_ids = req.filter_list("ids"), req.filter_list("offerIds")
    if ids:
        products = [p for p in products if str(p["id"]) in ids]
    offers_of = {}
    for offer in app.state.offers.values():
        offers_of.setdefault(offer["productId"], []).append(offer)
    if offer_ids:
        products = [p for p in products if {str(o["id"]) for o in offers_of.get(p["id"], [])} & set(offer_ids)]
    if req.filter("externalId"):
        products = [p for p in products if p["externalId"] == req.filter("externalId")]
    for name, key in (("offerExternalId", "externalId"), ("offerXmlId", "xmlId")):
        if req.filter(name):
            products = [p for p in products if any(o.get(key) == req.filter(name) for o in offers_of.get(p["id"], []))]
    if req.filter("name"):
        products = [p for p in products if req.filter("name").lower() in (p["name"] or "").lower()]
    flag = as_bool_flag(req.filter("active"))
    if flag is not None:
        products = [p for p in products if p["active"] == flag]
    if req.filter("sinceId"):
        products = [p for p in products if p["id"] > (as_int(req.filter("sinceId")) or 0)]
    products.sort(key=lambda p: p["id"])
    chunk, pagination = paginate(products, page, limit)
    return {"success": True, "pagination": pagination,
            "products": [catalog.render_product(app.state, p) for p in chunk]}


ROUTES = [
    ("store/inventories", {"GET": ("store_read", inventories)}),
    ("store/inventories/upload", {"POST": ("store_write", upload_inventories)}),
    ("store/prices/upload", {"POST": ("store_write", upload_prices)}),
    ("store/offers", {"GET": ("store_read", list_offers)}),
    ("store/products", {"GET": ("store_read", list_products)}),
]
