"""Orders, their payments and the orders change feed."""

import copy

from ..domain import orders as domain
from ..state import Actor
from ..web import ApiError, as_int, entity_error, input_error, not_found, page_args, paginate
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


def _matches(order, req, state):
    def wanted(name):
        return req.filter_list(name)

    if wanted("ids") and str(order["id"]) not in wanted("ids"):
        return False
    if wanted("externalIds") and order.get("externalId") not in wanted("externalIds"):
        return False
    if wanted("numbers") and order["number"] not in wanted("numbers"):
        return False
    statuses = wanted("extendedStatus")
    if statuses:
        group = state.refs["statuses"].get(order["status"], {}).get("group")
        if order["status"] not in statuses and group not in statuses:
            return False
    for name, key in (("orderTypes", "orderType"), ("orderMethods", "orderMethod"), ("shipmentStores", "shipmentStore")):
        if wanted(name) and order.get(key) not in wanted(name):
            return False
    if wanted("managers") and str(order.get("managerId")) not in wanted("managers"):
        return False
    if wanted("deliveryTypes") and (order.get("delivery") or {}).get("code") not in wanted("deliveryTypes"):
        return False
    if wanted("paymentStatuses") and not {p.get("status") for p in order["payments"]} & set(wanted("paymentStatuses")):
        return False
    if wanted("paymentTypes") and not {p.get("type") for p in order["payments"]} & set(wanted("paymentTypes")):
        return False
    if req.filter("customerId") and str(order.get("customerId")) != req.filter("customerId"):
        return False
    if req.filter("customerExternalId"):
        customer = state.customers.get(order.get("customerId")) or {}
        if customer.get("externalId") != req.filter("customerExternalId"):
            return False
    if req.filter("email") and (order.get("email") or "").lower() != req.filter("email").lower():
        return False
    created_from, created_to = req.filter("createdAtFrom"), req.filter("createdAtTo")
    if created_from and order["createdAt"] < created_from:
        return False
    if created_to and order["createdAt"][: len(created_to)] > created_to:
        return False
    for code, value in _custom_field_filters(req).items():
        if str(order["customFields"].get(code)) != value:
            return False
    return True


def _custom_field_filters(req):
    prefix = "filter[customFields]["
    return {k[len(prefix):-1]: req.query.get(k) for k in req.query.keys() if k.startswith(prefix) and k.count("[") == 2}


def list_orders(app, req):
    page, limit = page_args(req)
    sites = site_filter(app, req)
    found = [
        o for o in app.state.orders.values()
        if (sites is None or o["site"] in sites) and _matches(o, req, app.state)
    ]
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
    return 201, {"success": True, "id": order["id"], "order": domain.render(app.state, order)}


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
        before, work = copy.deepcopy(order), copy.deepcopy(order)
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
    for entry in entries:
        entity = entry.get(entity_key) or {}
        if since_id is not None and entry["id"] <= int(since_id):
            continue
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
