"""Orders: applying client/operator input, totals, rendering and the change feed.

Every write goes through ``create``/``edit``/``delete`` so API calls, operator actions and the
seed all produce the same history entries.
"""


from ..web import as_int, clone, entity_error, known, prune
from . import catalog, corporate, customers
from .diff import address_field, keyed_changes, snake

TEXT_FIELDS = (
    "statusComment", "firstName", "lastName", "patronymic", "phone", "additionalPhone", "email",
    "managerComment", "customerComment", "shipmentDate", "countryIso", "currency", "privilegeType",
)
BOOL_FIELDS = ("call", "expired", "shipped")
NUMBER_FIELDS = ("discountManualAmount", "discountManualPercent")
CODE_FIELDS = {
    "status": "statuses", "orderType": "order-types", "orderMethod": "order-methods", "shipmentStore": "stores",
}
PASSTHROUGH = ("contragent", "source", "weight", "length", "width", "height")

# Stored key -> (history field code, wrapping): True marks reference values, which the feed wraps as
# {"code": ...}; "id" marks references to users, which it wraps as {"id": ...} (the manager field).
HISTORY_FIELDS = {
    "status": ("status", True), "statusComment": ("status_comment", False), "orderType": ("order_type", True),
    "orderMethod": ("order_method", True), "externalId": ("external_id", False), "managerId": ("manager", "id"),
    "firstName": ("first_name", False), "lastName": ("last_name", False), "patronymic": ("patronymic", False),
    "phone": ("phone", False), "additionalPhone": ("additional_phone", False), "email": ("email", False),
    "managerComment": ("manager_comment", False), "customerComment": ("customer_comment", False),
    "shipmentStore": ("shipment_store", True), "shipmentDate": ("shipment_date", False), "shipped": ("shipped", False),
    "discountManualAmount": ("discount_manual_amount", False),
    "discountManualPercent": ("discount_manual_percent", False), "fullPaidAt": ("full_paid_at", False),
    "call": ("call", False), "expired": ("expired", False),
}
DELIVERY_HISTORY = {
    "code": ("delivery_type", True), "cost": ("delivery_cost", False), "netCost": ("delivery_net_cost", False),
    "date": ("delivery_date", False), "time": ("delivery_time", False),
}
ITEM_HISTORY = {
    "quantity": ("quantity", False), "status": ("status", True), "initialPrice": ("initial_price", False),
    "discountManualAmount": ("discount_manual_amount", False),
    "discountManualPercent": ("discount_manual_percent", False), "purchasePrice": ("purchase_price", False),
    "vatRate": ("vat_rate", False), "comment": ("comment", False),
}
PAYMENT_HISTORY = {
    "status": ("status", True), "type": ("type", True), "amount": ("amount", False), "paidAt": ("paid_at", False),
    "externalId": ("external_id", False), "comment": ("comment", False),
}


def _number(value):
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _default_code(state, book):
    for code, entry in state.refs[book].items():
        if entry.get("defaultForApi"):
            return code
    return next(iter(state.refs[book]), None)


def catalog_sites(state, site):
    """Shops sharing the catalog of ``site`` (offers belong to a catalog's main shop)."""
    catalog_id = state.refs["sites"].get(site, {}).get("catalogId")
    return [code for code, s in state.refs["sites"].items() if s.get("catalogId") == catalog_id] or [site]


# ----- input -------------------------------------------------------------------------------


def apply_input(state, order, data, errors, creating):
    """Apply API-shaped ``data`` to the stored ``order`` (a working copy); collect ``errors``."""
    for name in TEXT_FIELDS:
        if name in data:
            order[name] = None if data[name] in (None, "") else str(data[name])
    for name in BOOL_FIELDS:
        if name in data:
            order[name] = bool(data[name])
    for name in NUMBER_FIELDS:
        if name in data:
            value = _number(data[name])
            if value is None or value < 0:
                errors[name] = "This value should be a non-negative number."
            else:
                order[name] = value
    for name, book in CODE_FIELDS.items():
        if name in data and data[name] not in (None, ""):
            if not known(state.refs[book], data[name]):
                errors[name] = f'"{data[name]}" is not a valid {snake(name).replace("_", " ")} code.'
            else:
                order[name] = data[name]
    for name in PASSTHROUGH:
        if name in data:
            order[name] = data[name]
    if "managerId" in data:
        manager = as_int(data["managerId"])
        if data["managerId"] is None:
            order["managerId"] = None
        elif manager not in state.users:
            errors["managerId"] = f"User with id {data['managerId']} not found."
        else:
            order["managerId"] = manager
    if creating:
        for name in ("externalId", "number", "createdAt"):
            if data.get(name) not in (None, ""):
                order[name] = str(data[name])
    if "customer" in data:
        if corporate.is_corporate_ref(data["customer"]):
            corporate.apply_customer(state, order, data, errors)
        else:
            _apply_customer(state, order, data["customer"], errors)
    if "delivery" in data:
        _apply_delivery(state, order, data["delivery"], errors)
    if "customFields" in data:
        if not isinstance(data["customFields"], dict):
            errors["customFields"] = "This value should be an object."
        else:
            for code, value in data["customFields"].items():
                if value is None:
                    order["customFields"].pop(code, None)
                else:
                    order["customFields"][code] = value
    if "items" in data:
        _apply_items(state, order, data["items"], errors)
    if "payments" in data:
        apply_payments(state, order, data["payments"], errors)


def _apply_customer(state, order, ref, errors):
    if not isinstance(ref, dict) or (ref.get("id") in (None, "") and ref.get("externalId") in (None, "")):
        errors["customer"] = "Set one of the following fields: id, externalId"
        return
    customer = customers.find(state, ref, ref.get("site") or order["site"])
    if customer is None:
        errors["customer"] = "Customer not found."
    else:
        order["customerId"] = customer["id"]


def _apply_delivery(state, order, raw, errors):
    if not isinstance(raw, dict):
        errors["delivery"] = "This value should be an object."
        return
    delivery = order.setdefault("delivery", {})
    if raw.get("code") not in (None, ""):
        if not known(state.refs["delivery-types"], raw["code"]):
            errors["delivery.code"] = f'"{raw["code"]}" is not a valid delivery type code.'
        else:
            delivery["code"] = raw["code"]
    for name in ("cost", "netCost"):
        if name in raw:
            value = _number(raw[name])
            if value is None:
                errors[f"delivery.{name}"] = "This value should be a number."
            else:
                delivery[name] = value
    for name in ("date", "vatRate"):
        if name in raw:
            delivery[name] = raw[name]
    for name in ("time", "address", "data", "service"):
        if isinstance(raw.get(name), dict):
            merged = dict(delivery.get(name) or {})
            merged.update(raw[name])
            delivery[name] = {k: v for k, v in merged.items() if v is not None}


def _apply_items(state, order, raw_items, errors):
    if not isinstance(raw_items, list):
        errors["items"] = "This value should be a list."
        return
    existing = order["items"]
    result = []
    for index, raw in enumerate(raw_items):
        path = f"items[{index}]"
        if not isinstance(raw, dict):
            errors[path] = "This value should be an object."
            continue
        item = _match_item(existing, raw)
        if raw.get("id") not in (None, "") and item is None:
            errors[f"{path}.id"] = f"Order item with id {raw['id']} not found."
            continue
        if item is None:
            item = _new_item(state, order, raw, path, errors)
            if item is None:
                continue
        _update_item(state, item, raw, path, errors)
        result.append(item)
    order["items"] = result


def _match_item(existing, raw):
    if raw.get("id") not in (None, ""):
        return next((it for it in existing if it["id"] == as_int(raw["id"])), None)
    given = raw.get("externalIds") if isinstance(raw.get("externalIds"), list) else []
    wanted = {(str(e.get("code")), str(e.get("value"))) for e in given if isinstance(e, dict)}
    if wanted:
        for item in existing:
            if wanted & {(e["code"], e["value"]) for e in item.get("externalIds", [])}:
                return item
    return None


def _new_item(state, order, raw, path, errors):
    offer = None
    ref = raw.get("offer")
    if ref is not None:
        keys = [k for k in ("id", "externalId", "xmlId") if isinstance(ref, dict) and ref.get(k) not in (None, "")]
        if not keys:
            errors[f"{path}.offer"] = "Set one of the following fields: id, externalId, xmlId"
            return None
        offer = catalog.find_offer(state, ref, catalog_sites(state, order["site"]))
        if offer is None:
            errors[f"{path}.offer.{keys[0]}"] = f"Offer with {keys[0]} {ref[keys[0]]} not found."
            return None
    elif not raw.get("productName"):
        errors[f"{path}.offer"] = "Set the offer or the productName of the item."
        return None
    price_type = (raw.get("priceType") or {}).get("code") if isinstance(raw.get("priceType"), dict) else None
    return {
        "id": None,
        "offer": catalog.item_offer_snapshot(offer) if offer else None,
        "productName": offer["name"] if offer else raw["productName"],
        "quantity": 1.0,
        "initialPrice": catalog.base_price(state, offer, price_type) if offer else 0.0,
        "purchasePrice": catalog.offer_purchase_price(offer) if offer else None,
        "discountManualAmount": 0.0,
        "discountManualPercent": 0.0,
        "priceType": {"code": price_type or catalog.default_price_type(state)},
        "vatRate": offer.get("vatRate") if offer else "none",
        "status": next(iter(state.refs["product-statuses"]), None),
        "createdAt": state.clock(),
        "externalIds": [],
        "properties": [],
    }


def _update_item(state, item, raw, path, errors):
    for name in ("quantity", "initialPrice", "purchasePrice", "discountManualAmount", "discountManualPercent"):
        if name in raw:
            value = _number(raw[name])
            if value is None or value < 0 or (name == "quantity" and value == 0):
                errors[f"{path}.{name}"] = "This value should be a positive number."
            else:
                item[name] = value
    if raw.get("status") not in (None, ""):
        if not known(state.refs["product-statuses"], raw["status"]):
            errors[f"{path}.status"] = f'"{raw["status"]}" is not a valid item status code.'
        else:
            item["status"] = raw["status"]
    if isinstance(raw.get("priceType"), dict) and raw["priceType"].get("code"):
        if not known(state.refs["price-types"], raw["priceType"]["code"]):
            errors[f"{path}.priceType"] = f'"{raw["priceType"]["code"]}" is not a valid price type code.'
        else:
            item["priceType"] = {"code": raw["priceType"]["code"]}
    for name in ("vatRate", "comment"):
        if name in raw:
            item[name] = raw[name]
    if item["offer"] is None and raw.get("productName"):
        item["productName"] = raw["productName"]
    if isinstance(raw.get("externalIds"), list):
        item["externalIds"] = [
            {"code": str(e.get("code")), "value": str(e.get("value"))}
            for e in raw["externalIds"] if isinstance(e, dict)
        ]
    if isinstance(raw.get("properties"), list):
        item["properties"] = raw["properties"]


def apply_payments(state, order, raw_list, errors, prefix="payments"):
    """Payments come as a list: entries with an id (or a known externalId) update, others are added."""
    if not isinstance(raw_list, list):
        errors[prefix] = "This value should be a list."
        return
    for index, raw in enumerate(raw_list):
        path = f"{prefix}[{index}]"
        if not isinstance(raw, dict):
            errors[path] = "This value should be an object."
            continue
        payment = None
        if raw.get("id") not in (None, ""):
            payment = next((p for p in order["payments"] if p["id"] == as_int(raw["id"])), None)
            if payment is None:
                errors[f"{path}.id"] = f"Payment with id {raw['id']} not found."
                continue
        elif raw.get("externalId") not in (None, ""):
            payment = next((p for p in order["payments"] if p.get("externalId") == str(raw["externalId"])), None)
        if payment is None:
            if raw.get("type") in (None, ""):
                errors[f"{path}.type"] = "This value should not be blank."
                continue
            payment = {"id": None, "status": _default_code(state, "payment-statuses"), "amount": None}
            order["payments"].append(payment)
        update_payment(state, payment, raw, path, errors)


def update_payment(state, payment, raw, path, errors):
    def key(name):
        return f"{path}.{name}" if path else name

    if raw.get("type") not in (None, ""):
        if not known(state.refs["payment-types"], raw["type"]):
            errors[key("type")] = f'"{raw["type"]}" is not a valid payment type code.'
        else:
            payment["type"] = raw["type"]
    if raw.get("status") not in (None, ""):
        if not known(state.refs["payment-statuses"], raw["status"]):
            errors[key("status")] = f'"{raw["status"]}" is not a valid payment status code.'
        else:
            payment["status"] = raw["status"]
    if "amount" in raw:
        value = _number(raw["amount"])
        if value is None or value < 0:
            errors[key("amount")] = "This value should be a non-negative number."
        else:
            payment["amount"] = value
    for name in ("paidAt", "comment", "externalId"):
        if name in raw:
            payment[name] = None if raw[name] in (None, "") else str(raw[name])


# ----- totals and rendering ----------------------------------------------------------------


def totals(order):
    """Per-unit discounts and sums: line = (initialPrice - discountTotal) * quantity."""
    lines = []
    for item in order["items"]:
        unit = item["initialPrice"]
        own = item["discountManualAmount"] + unit * item["discountManualPercent"] / 100.0
        after = max(unit - own, 0.0)
        lines.append([item, own + after * order.get("discountManualPercent", 0.0) / 100.0])
    gross = sum((it["initialPrice"] - d) * it["quantity"] for it, d in lines)
    amount = order.get("discountManualAmount", 0.0)
    for line in lines:
        item, discount = line
        if amount and gross > 0:
            share = (item["initialPrice"] - discount) * item["quantity"] / gross
            discount += amount * share / item["quantity"]
        line[1] = round(min(discount, item["initialPrice"]), 2)
    summ = round(sum((it["initialPrice"] - d) * it["quantity"] for it, d in lines), 2)
    delivery_cost = (order.get("delivery") or {}).get("cost") or 0.0
    return {
        "discounts": {it["id"]: d for it, d in lines},
        "summ": summ,
        "totalSumm": round(summ + delivery_cost, 2),
    }


def paid_amount(state, order):
    complete = {c for c, s in state.refs["payment-statuses"].items() if s.get("paymentComplete")}
    return round(sum((p.get("amount") or 0.0 for p in order["payments"] if p.get("status") in complete), 0.0), 2)


def render_item(item, discount=None):
    quantity = item["quantity"]
    out = {
        "id": item["id"],
        "externalIds": item.get("externalIds") or None,
        "offer": clone(item["offer"]),
        "productName": item["productName"],
        "quantity": quantity,
        "initialPrice": item["initialPrice"],
        "priceType": item.get("priceType"),
        "discountManualAmount": item["discountManualAmount"],
        "discountManualPercent": item["discountManualPercent"],
        "vatRate": item.get("vatRate"),
        "purchasePrice": item.get("purchasePrice"),
        "status": item.get("status"),
        "comment": item.get("comment"),
        "createdAt": item.get("createdAt"),
        "properties": {p["code"]: p for p in item["properties"] if isinstance(p, dict) and "code" in p}
        or [],
        **corporate.item_bonuses(item),
    }
    if discount is not None:
        out["discountTotal"] = discount
        out["prices"] = [{"price": round(item["initialPrice"] - discount, 2), "quantity": quantity}]
    return out


def render_payment(payment):
    return prune({k: payment.get(k) for k in ("id", "externalId", "type", "status", "amount", "paidAt", "comment")})


def render(state, order):
    sums = totals(order)
    purchase = sum((it.get("purchasePrice") or 0.0) * it["quantity"] for it in order["items"])
    out = {
        "slug": order["id"],
        "id": order["id"],
        "number": order["number"],
        "externalId": order.get("externalId"),
        "site": order["site"],
        "status": order["status"],
        "statusComment": order.get("statusComment"),
        "orderType": order.get("orderType"),
        "orderMethod": order.get("orderMethod"),
        "countryIso": order.get("countryIso"),
        "currency": order.get("currency"),
        "createdAt": order["createdAt"],
        "statusUpdatedAt": order.get("statusUpdatedAt"),
        "fullPaidAt": order.get("fullPaidAt"),
        "managerId": order.get("managerId"),
        "fromApi": order.get("fromApi", False),
        "call": order.get("call", False),
        "expired": order.get("expired", False),
        "summ": sums["summ"],
        "totalSumm": sums["totalSumm"],
        "prepaySum": paid_amount(state, order),
        "purchaseSumm": round(purchase, 2),
        "discountManualAmount": order.get("discountManualAmount", 0.0),
        "discountManualPercent": order.get("discountManualPercent", 0.0),
        "shipmentStore": order.get("shipmentStore"),
        "shipmentDate": order.get("shipmentDate"),
        "shipped": order.get("shipped", False),
        "privilegeType": order.get("privilegeType"),
        "items": [render_item(it, sums["discounts"][it["id"]]) for it in order["items"]],
        "payments": {str(p["id"]): render_payment(p) for p in order["payments"]},
        "delivery": clone(order.get("delivery") or {}),
        "customFields": clone(order["customFields"]) or [],
    }
    for name in TEXT_FIELDS + PASSTHROUGH:
        out.setdefault(name, clone(order.get(name)))
    customer = state.customers.get(order.get("customerId"))
    if customer is not None:
        out["customer"] = customers.render(state, customer)
    corporate.render_parties(state, order, out)
    out.update(corporate.order_bonuses(order))
    return _as_recorded(prune(out))


def render_created(state, order, for_history=False):
    """The order as orders/create answers and the feed's creating entry carry it: payments are a LIST there
    (keyed by id only in get/list/edit); the feed leaves the key out when there are none."""
    out = render(state, order)
    out["payments"] = list(out.get("payments", {}).values())
    if for_history and not out["payments"]:
        del out["payments"]
    return out


def _as_recorded(out):
    """Members the real API sends for every order although the sandbox does not model them (see the shape tests)."""
    out.setdefault("contragent", {"contragentType": "individual"})
    out.setdefault("privilegeType", "none")
    out.setdefault("applyRound", False)
    out.setdefault("links", [])
    if "customer" in out:
        out.setdefault("contact", clone(out["customer"]))  # an individual is their own contact person
    delivery = out.setdefault("delivery", {})  # the CRM sends costs (0) even for an order without delivery
    delivery.setdefault("cost", 0.0)
    delivery.setdefault("netCost", 0.0)
    for item in out["items"]:
        item.setdefault("purchasePrice", 0.0)
        item.setdefault("markingCodes", [])
        item.setdefault("externalIds", [])
        if "discountTotal" in item:  # per unit; the parts are for the whole line (one part: discounts are manual)
            line_discount = round(item["discountTotal"] * item["quantity"], 2)
            item.setdefault("discounts", [{"type": "manual_product", "amount": line_discount}] if line_discount else [])
    return out


def stub(order):
    """The short order the feed attaches to ordinary (non-creating) entries."""
    return prune({k: order.get(k) for k in ("id", "number", "externalId", "site", "status", "managerId")})


# ----- writes ------------------------------------------------------------------------------


def _finish(state, order, before):
    """Give new lines/payments their ids and keep derived timestamps in step with the data."""
    for item in order["items"]:
        if item["id"] is None:
            item["id"] = state.next_id("order_item")
    sums = totals(order)
    allocated = sum(p["amount"] or 0.0 for p in order["payments"] if p["amount"] is not None)
    for payment in order["payments"]:
        if payment["id"] is None:
            payment["id"] = state.next_id("payment")
        if payment["amount"] is None:
            payment["amount"] = max(round(sums["totalSumm"] - allocated, 2), 0.0)
            allocated += payment["amount"]
    if before is None or before["status"] != order["status"]:
        order["statusUpdatedAt"] = state.clock()
    paid = paid_amount(state, order)
    if paid >= sums["totalSumm"] > 0:
        order.setdefault("fullPaidAt", None)
        order["fullPaidAt"] = order["fullPaidAt"] or state.clock()
    else:
        order["fullPaidAt"] = None


def create(state, data, site, actor):
    """Validate and store a new order; raises ApiError on invalid input. Returns the stored order."""
    if not isinstance(data, dict):
        raise entity_error({"order": "This value should be an object."})
    order = {
        "id": None, "site": site, "status": None, "items": [], "payments": [], "customFields": {},
        "createdAt": state.clock(), "customerId": None, "currency": "RUB", "countryIso": "RU",
        "fromApi": actor.source == "api", "discountManualAmount": 0.0, "discountManualPercent": 0.0,
    }
    errors = {}
    if data.get("externalId") not in (None, "") and state.order_by_external_id(str(data["externalId"]), site):
        errors["externalId"] = f'Order with externalId "{data["externalId"]}" already exists.'
    apply_input(state, order, data, errors, creating=True)
    if errors:
        raise entity_error(errors)
    order["status"] = order["status"] or _default_code(state, "statuses")
    order["orderType"] = order.get("orderType") or _default_code(state, "order-types")
    order["orderMethod"] = order.get("orderMethod") or _default_code(state, "order-methods")
    if order["customerId"] is None and not order.get("corporateId"):
        # Like the CRM, an order without a customer reference creates a customer from its contact data.
        contact = {k: order.get(k) for k in ("firstName", "lastName", "patronymic", "email")}
        if order.get("phone"):
            contact["phones"] = [{"number": order["phone"]}]
        order["customerId"] = customers.create(state, contact, site, actor)["id"]
    order["id"] = state.next_id("order", start=1001)
    order["number"] = order.get("number") or f"{order['id']}A"
    _finish(state, order, None)
    state.orders[order["id"]] = order
    state.reindex_external_id(state.order_ext, site, None, order.get("externalId"), order["id"])
    state.record(
        "orders", actor,
        {"created": True, "field": "status", "oldValue": None, "newValue": {"code": order["status"]},
         "order": render_created(state, order, for_history=True)},
    )
    return order


def edit(state, order, data, actor, payment_deletes=()):
    """Apply a partial change; every changed field becomes one history entry."""
    if not isinstance(data, dict):
        raise entity_error({"order": "This value should be an object."})
    before = clone(order)
    work = clone(order)
    errors = {}
    apply_input(state, work, data, errors, creating=False)
    if errors:
        raise entity_error(errors)
    work["payments"] = [p for p in work["payments"] if p["id"] not in set(payment_deletes)]
    _finish(state, work, before)
    commit(state, order, work, before, actor)
    return order


def commit(state, order, work, before, actor):
    """Store ``work`` as the new ``order`` and record what changed since ``before``."""
    order.clear()
    order.update(work)
    state.reindex_external_id(state.order_ext, order["site"], before.get("externalId"), order.get("externalId"),
                              order["id"])
    for change in diff(before, order):
        change["order"] = stub(order)
        state.record("orders", actor, change)


def add_payment(state, order, raw, actor):
    """orders/payments/create: one payment, defaulting its amount to what is still unpaid."""
    before, work, errors = clone(order), clone(order), {}
    if raw.get("type") in (None, ""):
        errors["type"] = "This value should not be blank."
    payment = {"id": None, "status": _default_code(state, "payment-statuses"), "amount": None}
    update_payment(state, payment, raw, "", errors)
    if errors:
        raise entity_error(errors)
    work["payments"].append(payment)
    _finish(state, work, before)
    commit(state, order, work, before, actor)
    return order["payments"][-1]


def change_payment(state, order, payment_id, raw, actor):
    before, work, errors = clone(order), clone(order), {}
    payment = next(p for p in work["payments"] if p["id"] == payment_id)
    update_payment(state, payment, raw, "", errors)
    if errors:
        raise entity_error(errors)
    _finish(state, work, before)
    commit(state, order, work, before, actor)


def remove_payment(state, order, payment_id, actor):
    before, work = clone(order), clone(order)
    work["payments"] = [p for p in work["payments"] if p["id"] != payment_id]
    _finish(state, work, before)
    commit(state, order, work, before, actor)


def find_payment(state, ident, by="externalId"):
    """(order, payment) for a payment id or externalId across all orders."""
    for order in state.orders.values():
        for payment in order["payments"]:
            if (by == "id" and payment["id"] == as_int(ident)) or (by != "id" and payment.get("externalId") == ident):
                return order, payment
    return None, None


def delete(state, order, actor):
    del state.orders[order["id"]]
    state.reindex_external_id(state.order_ext, order["site"], order.get("externalId"), None, order["id"])
    state.record(
        "orders", actor,
        {"deleted": True, "field": "id", "oldValue": order["id"], "newValue": None, "order": stub(order)},
    )


# ----- change detection --------------------------------------------------------------------


def _value(value, is_code):
    if value is None:
        return None
    if is_code == "id":
        return {"id": value}
    return {"code": value} if is_code else clone(value)


def _changes(old, new, fields, prefix=""):
    out = []
    for key, (field, is_code) in fields.items():
        if old.get(key) != new.get(key):
            out.append({"field": prefix + field, "oldValue": _value(old.get(key), is_code),
                        "newValue": _value(new.get(key), is_code)})
    return out


def _item_ref(item):
    offer = item.get("offer") or {}
    return prune({"id": item["id"], "offer": {k: offer.get(k) for k in ("id", "externalId", "xmlId")} or None})


def _item_sub(item):
    sub = render_item(item)
    return prune({k: sub.get(k) for k in ("id", "offer", "productName", "quantity", "initialPrice", "status",
                                          "externalIds", "priceType", "createdAt")})


def diff(before, after):
    """History entries (without ids) describing how ``before`` became ``after``."""
    changes = _changes(before, after, HISTORY_FIELDS)
    if before.get("customerId") != after.get("customerId"):
        changes.append({"field": "customer", "oldValue": {"id": before.get("customerId")},
                        "newValue": {"id": after.get("customerId"), "site": after["site"]}})
    old_delivery, new_delivery = before.get("delivery") or {}, after.get("delivery") or {}
    changes += _changes(old_delivery, new_delivery, DELIVERY_HISTORY)
    changes += keyed_changes(old_delivery.get("address"), new_delivery.get("address"),
                             lambda key: f"delivery_address.{address_field(key)}")
    changes += keyed_changes(old_delivery.get("data"), new_delivery.get("data"),
                             lambda key: f"integration_delivery_data.{snake(key)}")
    changes += keyed_changes(before.get("customFields"), after.get("customFields"), lambda code: f"custom_{code}")
    changes += _item_changes(before["items"], after["items"])
    changes += _payment_changes(before["payments"], after["payments"])
    return changes


def _item_changes(old_items, new_items):
    out = []
    old_by_id = {it["id"]: it for it in old_items}
    new_ids = {it["id"] for it in new_items}
    for item in old_items:
        if item["id"] not in new_ids:
            out.append({"field": "order_product", "oldValue": _item_ref(item), "newValue": None,
                        "item": _item_sub(item)})
    for item in new_items:
        old = old_by_id.get(item["id"])
        if old is None:
            out.append({"field": "order_product", "oldValue": None, "newValue": _item_ref(item),
                        "item": _item_sub(item)})
            continue
        for change in _changes(old, item, ITEM_HISTORY, prefix="order_product."):
            change["item"] = _item_sub(item)
            out.append(change)
    return out


def _payment_changes(old_payments, new_payments):
    out = []
    old_by_id = {p["id"]: p for p in old_payments}
    new_ids = {p["id"] for p in new_payments}
    for payment in old_payments:
        if payment["id"] not in new_ids:
            out.append({"field": "payments", "oldValue": {"id": payment["id"], "type": payment.get("type")},
                        "newValue": None, "payment": render_payment(payment)})
    for payment in new_payments:
        old = old_by_id.get(payment["id"])
        if old is None:
            out.append({"field": "payments", "oldValue": None,
                        "newValue": {"id": payment["id"], "type": payment.get("type")},
                        "payment": render_payment(payment)})
            continue
        for change in _changes(old, payment, PAYMENT_HISTORY, prefix="payments."):
            change["payment"] = render_payment(payment)
            out.append(change)
    return out


# ----- item statuses, as a manager sets them ------------------------------------------------


def set_item_statuses(state, order, changes, actor):
    """Give order lines new item statuses the way a manager does in the CRM.

    ``changes``: [{"id": line id, "status": code, "quantity": n}]. With a quantity below the line's,
    the line is split: the rest keeps its status and a new line with the same offer, price and
    discounts takes the new one (a partial return). Lines not named are left alone. When every
    line then has an item status whose ``orderStatusByProductStatus`` names one order status, the
    order moves to it, as the CRM's item-status rules do.
    """
    errors, lines = {}, {it["id"]: dict(id=it["id"]) for it in order["items"]}
    added = []
    if not isinstance(changes, list) or not changes:
        raise entity_error({"items": "Give a non-empty list of {id, status[, quantity]}."})
    for index, change in enumerate(changes):
        path = f"items[{index}]"
        item = next((it for it in order["items"] if isinstance(change, dict) and it["id"] == as_int(change.get("id"))),
                    None)
        if item is None:
            errors[f"{path}.id"] = f"Order item with id {change.get('id') if isinstance(change, dict) else change} " \
                                   "not found."
            continue
        if not known(state.refs["product-statuses"], change.get("status")):
            errors[f"{path}.status"] = f'"{change.get("status")}" is not a valid item status code.'
            continue
        quantity = _number(change.get("quantity", item["quantity"]))
        if quantity is None or not 0 < quantity <= item["quantity"]:
            errors[f"{path}.quantity"] = f"The quantity must be above 0 and at most {item['quantity']:g}."
            continue
        if quantity == item["quantity"]:
            lines[item["id"]]["status"] = change["status"]
            continue
        lines[item["id"]]["quantity"] = item["quantity"] - quantity
        added.append(_split_line(item, quantity, change["status"]))
    if errors:
        raise entity_error(errors)
    patch = {"items": list(lines.values()) + added}
    target = _order_status_by_items(state, order, patch["items"])
    if target and target != order["status"]:
        patch["status"] = target
    return edit(state, order, patch, actor)


def _split_line(item, quantity, status):
    line = {"quantity": quantity, "status": status, "initialPrice": item["initialPrice"],
            "discountManualAmount": item["discountManualAmount"],
            "discountManualPercent": item["discountManualPercent"],
            "priceType": item.get("priceType"), "vatRate": item.get("vatRate")}
    if item.get("offer"):
        line["offer"] = {"id": item["offer"]["id"]}
    else:
        line["productName"] = item["productName"]
    if item.get("purchasePrice") is not None:
        line["purchasePrice"] = item["purchasePrice"]
    return line


def _order_status_by_items(state, order, lines):
    current = {it["id"]: it.get("status") for it in order["items"]}
    statuses = {line.get("status", current.get(line.get("id"))) for line in lines}
    targets = {(state.refs["product-statuses"].get(code) or {}).get("orderStatusByProductStatus") for code in statuses}
    if len(targets) == 1:
        target = targets.pop()
        return target if known(state.refs["statuses"], target) else None
    return None
