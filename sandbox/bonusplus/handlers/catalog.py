"""product/import and account (§4.9, §1)."""

from ..errors import invalid


def product_import(app, req):
    """POST product/import {store, products: [ProductTiny]}: upsert by id (merge, UNVERIFIED); 204.

    A node's ``pid`` must name a group, known before or sent in the same call, so each product
    sits in exactly one existing group.
    """
    state, data = app.state, req.json_object()
    nodes = data.get("products")
    if not isinstance(nodes, list) or not nodes:
        raise invalid("products", "Не переданы товары")
    incoming = {}
    for index, node in enumerate(nodes):
        if not isinstance(node, dict) or node.get("id") in (None, "") or not node.get("n"):
            raise invalid(f"products[{index}]", "У товара или группы должны быть id и n")
        incoming[str(node["id"])] = node
    for index, node in enumerate(nodes):
        pid = node.get("pid")
        if pid in (None, ""):
            continue
        parent = incoming.get(str(pid)) or state.products.get(str(pid))
        if parent is None or not parent.get("g"):
            raise invalid(f"products[{index}].pid", f"Группа {pid} не найдена")
    for key, node in incoming.items():
        stored = {"id": key, "n": str(node["n"]), "g": bool(node.get("g")), "store": data.get("store")}
        if node.get("pid") not in (None, ""):
            stored["pid"] = str(node["pid"])
        if node.get("a"):
            stored["a"] = str(node["a"])
        state.products[key] = stored
    state.imports.append({"store": data.get("store"), "count": len(incoming), "ids": list(incoming)})
    return 204, None


def account(app, req):
    """GET account: the BonusPlus tariff account (not a customer); also the key check."""
    return dict(app.state.account)


ROUTES = [
    ("product/import", {"POST": product_import}),
    ("account", {"GET": account}),
]
