"""/sandbox/* endpoints for corporate customers, their orders and item bonuses (issue 15 items 5 and 6)."""

from ..domain import corporate, orders
from ..web import as_int, clone, known, not_found
from .operator import _actor, _order


def create_corporate(app, data, query):
    """{"nickName", "site"?, "externalId"?, "companies": [{"name", "contragent"?}], "contacts": [customer data]
    | "contactIds": [ids]} → the corporate customer with its companies and contact persons."""
    actor = _actor(app, data)
    site = data.get("site") or next(iter(app.state.refs["sites"]))
    if not known(app.state.refs["sites"], site):
        raise ValueError(f"unknown site {site!r}")
    fields = {k: v for k, v in data.items() if k not in ("site", "userId")}
    found = corporate.create_with_parties(app.state, fields, site, actor)
    return 201, {"success": True, "id": found["id"], "customerCorporate": corporate.render_corporate(found),
                 "companies": [corporate.render_company(found, c) for c in found["companies"]],
                 "contactIds": corporate.contact_ids(found)}


def create_corporate_order(app, data, query, corporate_id):
    """An order of the corporate customer placed by a manager: ``contactId``/``companyId`` (default: the main
    ones) and any order fields (items, delivery, payments…)."""
    found = app.state.corporate.get(as_int(corporate_id))
    if found is None:
        raise not_found()
    actor = _actor(app, data)
    fields = {k: v for k, v in data.items() if k not in ("userId", "contactId", "companyId")}
    fields["customer"] = {"id": found["id"], "type": corporate.CORPORATE}
    if data.get("contactId") is not None:
        fields["contact"] = {"id": data["contactId"]}
    if data.get("companyId") is not None:
        fields["company"] = {"id": data["companyId"]}
    fields.setdefault("managerId", actor.user_id)
    fields.setdefault("orderType", "eshop-legal" if "eshop-legal" in app.state.refs["order-types"] else None)
    fields.setdefault("orderMethod", "phone" if "phone" in app.state.refs["order-methods"] else None)
    order = orders.create(app.state, {k: v for k, v in fields.items() if v is not None}, found["site"], actor)
    return 201, {"success": True, "id": order["id"], "order": orders.render(app.state, order)}


def give_bonuses(app, data, query, order_id):
    """{"items": [{"id": item id, "bonusesChargeTotal": x, "bonusesCreditTotal": y}]}: what the loyalty
    program charged and credited per item (G5). The change is stored without a history entry."""
    order = _order(app, order_id)
    work = clone(order)
    corporate.set_item_bonuses(work, data.get("items"))
    order.clear()
    order.update(work)
    return {"success": True, "id": order["id"], "order": orders.render(app.state, order)}


ROUTES = [
    ("customers-corporate", {"POST": (None, create_corporate)}),
    ("customers-corporate/{corporate_id}/orders", {"POST": (None, create_corporate_order)}),
    ("orders/{order_id}/bonuses", {"POST": (None, give_bonuses)}),
]
