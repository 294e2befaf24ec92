"""/sandbox/* endpoints: act like a manager in the CRM UI and control the emulator.

Bodies are plain JSON objects; no API key is needed. Changes made here are recorded in the
history with ``source: "user"`` and the acting manager, exactly like UI edits in the real CRM.
"""

from ...http import control
from ...http.control import control_snapshot
from ..domain import customers, orders
from ..state import BOOKS, Actor
from ..web import ApiError, as_int, known, not_found


def _actor(app, data):
    user_id = as_int(data.get("userId")) or next(iter(app.state.users), None)
    if user_id not in app.state.users:
        raise ApiError(400, f"User with id {data.get('userId')} not found.")
    return Actor("user", None, user_id)


def _order(app, order_id):
    order = app.state.orders.get(as_int(order_id))
    if order is None:
        raise not_found()
    return order


def state(app, data, query):
    snapshot = app.state.snapshot()
    snapshot.update(control_snapshot(app))
    return snapshot


def create_order(app, data, query):
    actor = _actor(app, data)
    fields = {k: v for k, v in data.items() if k not in ("site", "userId")}
    site = data.get("site") or next(iter(app.state.refs["sites"]))
    if not known(app.state.refs["sites"], site):
        raise ValueError(f"unknown site {site!r}")
    fields.setdefault("managerId", actor.user_id)
    fields.setdefault("orderMethod", "phone" if "phone" in app.state.refs["order-methods"] else None)
    order = orders.create(app.state, {k: v for k, v in fields.items() if v is not None}, site, actor)
    return 201, {"success": True, "id": order["id"], "order": orders.render(app.state, order)}


def edit_order(app, data, query, order_id):
    order = _order(app, order_id)
    actor = _actor(app, data)
    fields = {k: v for k, v in data.items() if k != "userId"}
    deletes = []
    if isinstance(fields.get("payments"), list):
        deletes = [as_int(p.get("id")) for p in fields["payments"] if isinstance(p, dict) and p.get("delete")]
        fields["payments"] = [p for p in fields["payments"] if not (isinstance(p, dict) and p.get("delete"))]
    orders.edit(app.state, order, fields, actor, payment_deletes=deletes)
    return {"success": True, "id": order["id"], "order": orders.render(app.state, order)}


def set_item_statuses(app, data, query, order_id):
    order = _order(app, order_id)
    orders.set_item_statuses(app.state, order, data.get("items"), _actor(app, data))
    return {"success": True, "id": order["id"], "order": orders.render(app.state, order)}


def delete_order(app, data, query, order_id):
    orders.delete(app.state, _order(app, order_id), _actor(app, data))
    return {"success": True}


def create_customer(app, data, query):
    actor = _actor(app, data)
    site = data.get("site") or next(iter(app.state.refs["sites"]))
    fields = {k: v for k, v in data.items() if k not in ("site", "userId")}
    customer = customers.create(app.state, fields, site, actor)
    return 201, {"success": True, "id": customer["id"]}


def edit_customer(app, data, query, customer_id):
    customer = app.state.customers.get(as_int(customer_id))
    if customer is None:
        raise not_found()
    customers.edit(app.state, customer, {k: v for k, v in data.items() if k != "userId"}, _actor(app, data))
    return {"success": True, "id": customer["id"]}


def _book(book):
    if book not in BOOKS:
        raise ValueError(f"unknown reference book {book!r}; known: {', '.join(BOOKS)}")
    return book


def edit_reference(app, data, query, book, code):
    entries = app.state.refs[_book(book)]
    created = code not in entries
    entry = entries.setdefault(code, {"code": code, "name": code, "active": True})
    entry.update({k: v for k, v in data.items() if k != "code"})
    return (201 if created else 200), {"success": True, "entry": entry}


def delete_reference(app, data, query, book, code):
    entries = app.state.refs[_book(book)]
    if code not in entries:
        raise not_found()
    del entries[code]
    return {"success": True}


def loyalty(app, data, query):
    loyalty_id = as_int(data.get("id")) or next(iter(app.state.loyalties), None)
    program = app.state.loyalties.get(loyalty_id)
    if program is None:
        raise not_found()
    for name in ("confirmSmsRegistration", "confirmSmsCharge", "active", "blocked"):
        if name in data:
            program[name] = bool(data[name])
    return {"success": True, "loyalty": program}


def add_offers(app, data, query):
    offers = data.get("offers")
    if not isinstance(offers, list) or not all(isinstance(o, dict) and o.get("externalId") for o in offers):
        raise ValueError('"offers" must be a list of objects with an externalId')
    try:
        ids = app.state.add_offers(offers)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"invalid offer data: {exc!r}") from None
    return 201, {"success": True, "ids": ids}


ROUTES = [
    ("state", {"GET": (None, state)}),
    *control.ROUTES,
    ("orders", {"POST": (None, create_order)}),
    ("orders/{order_id}/edit", {"POST": (None, edit_order)}),
    ("orders/{order_id}/delete", {"POST": (None, delete_order)}),
    ("orders/{order_id}/item-statuses", {"POST": (None, set_item_statuses)}),
    ("customers", {"POST": (None, create_customer)}),
    ("customers/{customer_id}/edit", {"POST": (None, edit_customer)}),
    ("references/{book}/{code}", {"POST": (None, edit_reference)}),
    ("references/{book}/{code}/delete", {"POST": (None, delete_reference)}),
    ("loyalty", {"POST": (None, loyalty)}),
    ("offers", {"POST": (None, add_offers)}),
]
