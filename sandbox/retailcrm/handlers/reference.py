"""Reference books, users, credentials and API versions."""


from ..state import BOOKS
from ..web import ApiError, as_bool_flag, as_int, clone, not_found, page_args, paginate, prune
from .common import can_see, visible_sites

# Form field carrying the JSON entry for reference/{book}/{code}/edit.
EDIT_FIELDS = {
    "statuses": "status", "order-types": "orderType", "order-methods": "orderMethod", "payment-types": "paymentType",
    "payment-statuses": "paymentStatus", "delivery-types": "deliveryType", "delivery-services": "deliveryService",
    "stores": "store", "price-types": "priceType", "sites": "site", "product-statuses": "productStatus",
    "units": "unit",
}


def render_book(app, req, book):
    entries = app.state.refs[book]
    if book == "sites":
        entries = {code: entry for code, entry in entries.items() if can_see(req, code)}
    if book == "status-groups":
        # Group membership is derived so that renaming or removing a status keeps groups consistent.
        entries = clone(entries)
        for code, group in entries.items():
            group["statuses"] = [s for s, st in app.state.refs["statuses"].items() if st.get("group") == code]
    key, container = BOOKS[book]
    if container == "list":
        return key, [clone(e) for e in entries.values()]
    return key, {code: clone(e) for code, e in entries.items()}


def get_book(app, req, book):
    if book not in BOOKS:
        raise ApiError(404, "API method not found")
    key, value = render_book(app, req, book)
    return {"success": True, key: value}


def edit_book(app, req, book, code):
    if book not in EDIT_FIELDS:
        raise ApiError(404, "API method not found")
    data = req.json_field(EDIT_FIELDS[book])
    entries = app.state.refs[book]
    created = code not in entries
    entry = entries.setdefault(code, {"code": code, "active": True})
    entry.update({k: v for k, v in data.items() if k != "code"})
    return (201 if created else 200), {"success": True}


def versions(app, req):
    return {"success": True, "versions": ["3.0", "4.0", "5.0"]}


def credentials(app, req):
    scopes = req.key_info["scopes"]
    return {
        "success": True,
        "scopes": list(scopes),
        "credentials": sorted({f"/api/{scope.split('_')[0]}" for scope in scopes}),
        "siteAccess": "access_full" if req.sites is None else "access_selective",
        "sitesAvailable": visible_sites(app, req),
    }


def list_users(app, req):
    page, limit = page_args(req)
    users = list(app.state.users.values())
    email = req.filter("email")
    if email:
        users = [u for u in users if u.get("email", "").lower() == email.lower()]
    for name in ("active", "isManager", "isAdmin", "online"):
        flag = as_bool_flag(req.filter(name))
        if flag is not None:
            users = [u for u in users if bool(u.get(name)) == flag]
    if req.filter("status"):
        users = [u for u in users if u.get("status") == req.filter("status")]
    groups = req.filter_list("groups")
    if groups:
        users = [u for u in users if {g["code"] for g in u.get("groups", [])} & set(groups)]
    chunk, pagination = paginate(users, page, limit)
    return {"success": True, "pagination": pagination, "users": [prune(clone(u)) for u in chunk]}


def get_user(app, req, user_id):
    user = app.state.users.get(as_int(user_id))
    if user is None:
        raise not_found()
    return {"success": True, "user": prune(clone(user))}


ROUTES = [
    ("api-versions", {"GET": (None, versions)}),
    ("credentials", {"GET": (None, credentials)}),
    ("reference/{book}", {"GET": ("reference_read", get_book)}),
    ("reference/{book}/{code}/edit", {"POST": ("reference_write", edit_book)}),
    ("users", {"GET": ("user_read", list_users)}),
    ("users/{user_id}", {"GET": ("user_read", get_user)}),
]
