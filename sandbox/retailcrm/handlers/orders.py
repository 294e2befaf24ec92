"""Orders, their payments and the orders change feed."""

import bisect
import itertools

from ..domain import orders as domain
from ..state import Actor
from ..web import ApiError, as_bool_flag, as_int, clone, entity_error, input_error, not_found, page_args, paginate
from .common import by_param, can_see, lookup_site, required_site, site_filter


def api_actor(req):
    return Actor("api", req.api_key, None)


def find_order(app, req, ident, by, site):
    state = app.state
    if by == "id":
        order = state.orders.get(as_int(ident))
        if order is not None and site is not None and order["site"] != site:
            order = None
    else:
        order = state.order_by_external_id(ident, site)
    if order is None or not can_see(req, order["site"]):
        raise not_found()
    return order


def _order_filter(req, state):
    """Compile the request's filter[...] into one predicate (evaluated per order)."""
    checks = []

    def one_of(name, value_of):
        wanted = set(req.filter_list(name))
        if wanted:
            checks.append(lambda o: value_of(o) in wanted)

    one_of("ids", lambda o: str(o["id"]))
    one_of("externalIds", lambda o: o.get("externalId"))
    one_of("numbers", lambda o: o["number"])
    one_of("orderTypes", lambda o: o.get("orderType"))
    one_of("orderMethods", lambda o: o.get("orderMethod"))
    one_of("shipmentStores", lambda o: o.get("shipmentStore"))
    one_of("managers", lambda o: str(o.get("managerId")))
    one_of("deliveryTypes", lambda o: (o.get("delivery") or {}).get("code"))
    statuses = _extended_statuses(state, req.filter_list("extendedStatus"))
    if statuses is not None:
        checks.append(lambda o: o["status"] in statuses)
    for name, key in (("paymentStatuses", "status"), ("paymentTypes", "type")):
        wanted = set(req.filter_list(name))
        if wanted:
            checks.append(lambda o, w=wanted, k=key: any(p.get(k) in w for p in o["payments"]))
    customer_id, customer_ext = req.filter("customerId"), req.filter("customerExternalId")
    if customer_id:
        checks.append(lambda o: str(o.get("customerId")) == customer_id)
    if customer_ext:
        checks.append(lambda o: (state.customers.get(o.get("customerId")) or {}).get("externalId") == customer_ext)
    email = (req.filter("email") or "").lower()
    if email:
        checks.append(lambda o: (o.get("email") or "").lower() == email)
    created_from, created_to = req.filter("createdAtFrom"), req.filter("createdAtTo")
    if created_from:
        checks.append(lambda o: o["createdAt"] >= created_from)
    if created_to:
        checks.append(lambda o: o["createdAt"][: len(created_to)] <= created_to)
    for code, value in _custom_field_filters(req).items():
        checks.append(lambda o, c=code, v=value: custom_value_matches(o["customFields"].get(c), v))
    return lambda order: all(check(order) for check in checks)


def _candidates(req, state, sites):
    """Orders worth testing: an ids/externalIds filter is answered from the indexes, not a full scan."""
    ids, external_ids = req.filter_list("ids"), req.filter_list("externalIds")
    if ids:
        found = (state.orders.get(as_int(i)) for i in ids)
    elif external_ids:
        codes = sites if sites is not None else list(state.refs["sites"])
        found = (state.orders.get(state.order_ext.get((site, e))) for e in external_ids for site in codes)
    else:
        found = state.orders.values()
    unique = {o["id"]: o for o in found if o is not None}
    return [o for o in unique.values() if sites is None or o["site"] in sites]


def _extended_statuses(state, values):
    """Status codes, or status-group codes expanded to their statuses (a status code wins a tie)."""
    if not values:
        return None
    codes = set()
    for value in values:
        if value in state.refs["statuses"]:
            codes.add(value)
        else:
            codes.update(c for c, s in state.refs["statuses"].items() if s.get("group") == value)
    return codes


def custom_value_matches(stored, wanted):
    """A filter value against a stored custom field: booleans come as 1/0, multiselects match any value."""
    if isinstance(stored, bool):
        return as_bool_flag(wanted) == stored
    if isinstance(stored, list):
        return wanted in [str(v) for v in stored]
    if isinstance(stored, (int, float)) and _is_number(wanted):
        return float(stored) == float(wanted)
    return stored is not None and str(stored) == wanted


def _is_number(text):
    try:
        float(text)
    except (TypeError, ValueError):
        return False
    return True


def _custom_field_filters(req):
    prefix = "filter[customFields]["
    return {k[len(prefix):-1]: req.query.get(k) for k in req.query.keys() if k.startswith(prefix) and k.count("[") == 2}


def list_orders(app, req):
    page, limit = page_args(req)
    sites = site_filter(app, req)
    matches = _order_filter(req, app.state)
    found = [o for o in _candidates(req, app.state, sites) if matches(o)]
    found.sort(key=lambda o: o["id"], reverse=True)  # newest first, like the CRM's order list
    chunk, pagination = paginate(found, page, limit)
    return {"success": True, "pagination": pagination, "orders": [domain.render(app.state, o) for o in chunk]}


def get_order(app, req, ident):
    by = by_param(req)
    order = find_order(app, req, ident, by, lookup_site(app, req, by))
    return {"success": True, "order": domain.render(app.state, order)}


def create_order(app, req):
    data = req.json_field("order")
    site = required_site(app, req)
    order = domain.create(app.state, data, site, api_actor(req))
    return 201, {"success": True, "id": order["id"], "order": domain.render_created(app.state, order)}


def edit_order(app, req, ident):
    data = req.json_field("order")
    by = by_param(req)
    order = find_order(app, req, ident, by, lookup_site(app, req, by))
    domain.edit(app.state, order, data, api_actor(req))
    return {"success": True, "id": order["id"], "order": domain.render(app.state, order)}


def fix_external_ids(app, req):
    pairs = req.json_field("orders", kind=list)
    errors, resolved = {}, []
    for index, pair in enumerate(pairs):
        if not isinstance(pair, dict) or pair.get("id") is None or pair.get("externalId") in (None, ""):
            errors[f"orders[{index}]"] = "Set both id and externalId."
            continue
        order = app.state.orders.get(as_int(pair["id"]))
        if order is None or not can_see(req, order["site"]):
            errors[f"orders[{index}].id"] = f"Order with id {pair['id']} not found."
            continue
        other = app.state.order_by_external_id(str(pair["externalId"]), order["site"])
        if other is not None and other is not order:
            errors[f"orders[{index}].externalId"] = f'Order with externalId "{pair["externalId"]}" already exists.'
            continue
        resolved.append((order, str(pair["externalId"])))
    if errors:
        raise entity_error(errors)
    for order, external_id in resolved:
        before, work = clone(order), clone(order)
        work["externalId"] = external_id
        domain.commit(app.state, order, work, before, api_actor(req))
    return {"success": True}


def order_statuses(app, req):
    ids, external_ids = req.query.getlist("ids"), req.query.getlist("externalIds")
    if len(ids) + len(external_ids) > 500:
        raise input_error({"ids": "Maximum number of elements is 500."})
    found = [
        o for o in app.state.orders.values()
        if can_see(req, o["site"]) and (str(o["id"]) in ids or o.get("externalId") in external_ids)
    ]
    return {
        "success": True,
        "orders": [
            {"id": o["id"], "externalId": o.get("externalId"),
             "status": o["status"], "group": app.state.refs["statuses"].get(o["status"], {}).get("group")}
            for o in found
        ],
    }


def history(app, req, entries, entity_key, id_filter, external_filter):
    """Shared by orders/history and customers/history."""
    page, limit = page_args(req)
    errors = {}
    since_id = req.filter("sinceId")
    if since_id is not None and as_int(since_id) is None:
        errors["sinceId"] = "This value is not valid."
    for name in ("startDate", "endDate"):
        value = req.filter(name)
        if value is not None and len(value) not in (10, 19):
            errors[name] = "This value is not a valid datetime."
    if errors:
        raise input_error(errors)
    start, end = req.filter("startDate"), req.filter("endDate")
    if end and len(end) == 10:
        end += " 23:59:59"
    entity_id, external_id = req.filter(id_filter), req.filter(external_filter)
    found = []
    # Ids ascend, so the sinceId cursor is a binary search rather than a scan of the whole feed.
    first = bisect.bisect_right(entries, int(since_id), key=lambda e: e["id"]) if since_id is not None else 0
    for entry in itertools.islice(entries, first, None):
        entity = entry.get(entity_key) or {}
        if (start and entry["createdAt"] < start) or (end and entry["createdAt"] > end):
            continue
        if entity_id and str(entity.get("id")) != entity_id:
            continue
        if external_id and entity.get("externalId") != external_id:
            continue
        if entity.get("site") and not can_see(req, entity["site"]):
            continue
        found.append(entry)
    chunk, pagination = paginate(found, page, limit)
    return {
        "success": True,
        "generatedAt": app.state.clock(),
        "history": [app.state.render_history(e, req.api_key) for e in chunk],
        "pagination": pagination,
    }


def orders_history(app, req):
    return history(app, req, app.state.history, "order", "orderId", "orderExternalId")


# ----- payments ----------------------------------------------------------------------------


def create_payment(app, req):
    data = req.json_field("payment")
    ref = data.get("order")
    if not isinstance(ref, dict) or not any(ref.get(k) not in (None, "") for k in ("id", "externalId", "number")):
        raise entity_error({"order": "Set one of the following fields: id, externalId, number"})
    if ref.get("id") not in (None, ""):
        order = find_order(app, req, str(ref["id"]), "id", None)
    elif ref.get("externalId") not in (None, ""):
        order = find_order(app, req, str(ref["externalId"]), "externalId", required_site(app, req))
    else:
        order = next((o for o in app.state.orders.values() if o["number"] == str(ref["number"])), None)
        if order is None or not can_see(req, order["site"]):
            raise not_found()
    payment = domain.add_payment(app.state, order, {k: v for k, v in data.items() if k != "order"}, api_actor(req))
    return 201, {"success": True, "id": payment["id"]}


def _find_payment(app, req, ident, by):
    order, payment = domain.find_payment(app.state, ident, by)
    if payment is None or not can_see(req, order["site"]):
        raise ApiError(404, "Payment not found")
    return order, payment


def edit_payment(app, req, ident):
    data = req.json_field("payment")
    order, payment = _find_payment(app, req, ident, by_param(req))
    domain.change_payment(app.state, order, payment["id"], data, api_actor(req))
    return {"success": True, "id": payment["id"]}


def delete_payment(app, req, ident):
    order, payment = _find_payment(app, req, ident, "id")
    domain.remove_payment(app.state, order, payment["id"], api_actor(req))
    return {"success": True}


ROUTES = [
    ("orders", {"GET": ("order_read", list_orders)}),
    ("orders/create", {"POST": ("order_write", create_order)}),
    ("orders/fix-external-ids", {"POST": ("order_write", fix_external_ids)}),
    ("orders/history", {"GET": ("order_read", orders_history)}),
    ("orders/statuses", {"GET": ("order_read", order_statuses)}),
    ("orders/payments/create", {"POST": ("order_write", create_payment)}),
    ("orders/payments/{ident}/edit", {"POST": ("order_write", edit_payment)}),
    ("orders/payments/{ident}/delete", {"POST": ("order_write", delete_payment)}),
    ("orders/{ident}", {"GET": ("order_read", get_order)}),
    ("orders/{ident}/edit", {"POST": ("order_write", edit_order)}),
]
