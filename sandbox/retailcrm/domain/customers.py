"""Individual and corporate customers, with the customers change feed."""

import re

from ..web import as_int, clone, entity_error, prune
from .diff import address_field, keyed_changes

TEXT_FIELDS = ("firstName", "lastName", "patronymic", "email", "birthday", "sex", "discountCardNumber")
BOOL_FIELDS = ("vip", "bad", "subscribed", "isContact")
PASSTHROUGH = ("contragent", "tags", "source")

HISTORY_FIELDS = {
    "externalId": "external_id", "firstName": "first_name", "lastName": "last_name", "patronymic": "patronymic",
    "email": "email", "birthday": "birthday", "sex": "sex", "discountCardNumber": "discount_card_number",
    "vip": "vip", "bad": "bad", "managerId": "manager", "personalDiscount": "personal_discount",
}
# The feed wraps a manager as {"id": N}; phones get one entry per number added or removed (see _phone_changes).
WRAPPED_IDS = {"managerId"}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def find(state, ref, site=None):
    """A customer by {id} or by {externalId} within ``site`` (any shop when site is None)."""
    if ref.get("id") not in (None, ""):
        return state.customers.get(as_int(ref["id"]))
    return state.customer_by_external_id(str(ref.get("externalId")), site)


def apply_input(state, customer, data, errors, creating):
    for name in TEXT_FIELDS:
        if name in data:
            customer[name] = None if data[name] in (None, "") else str(data[name])
    if customer.get("email") and not _EMAIL.match(customer["email"]):
        errors["email"] = "This value is not a valid email address."
    for name in BOOL_FIELDS:
        if name in data:
            customer[name] = bool(data[name])
    for name in PASSTHROUGH:
        if name in data:
            customer[name] = data[name]
    if "personalDiscount" in data:
        try:
            customer["personalDiscount"] = float(data["personalDiscount"])
        except (TypeError, ValueError):
            errors["personalDiscount"] = "This value should be a number."
    if "managerId" in data:
        if data["managerId"] is not None and as_int(data["managerId"]) not in state.users:
            errors["managerId"] = f"User with id {data['managerId']} not found."
        else:
            customer["managerId"] = as_int(data["managerId"])
    if "phones" in data:
        phones = data["phones"]
        if not isinstance(phones, list) or not all(isinstance(p, dict) and p.get("number") for p in phones):
            errors["phones"] = 'Each phone must be an object with a "number".'
        else:
            customer["phones"] = [{"number": str(p["number"])} for p in phones]
    if "address" in data:
        if not isinstance(data["address"], dict):
            errors["address"] = "This value should be an object."
        else:
            address = dict(customer.get("address") or {})
            address.update(data["address"])
            customer["address"] = {k: v for k, v in address.items() if v is not None}
    if "customFields" in data:
        if not isinstance(data["customFields"], dict):
            errors["customFields"] = "This value should be an object."
        else:
            for code, value in data["customFields"].items():
                if value is None:
                    customer["customFields"].pop(code, None)
                else:
                    customer["customFields"][code] = value
    if creating:
        for name in ("externalId", "createdAt"):
            if data.get(name) not in (None, ""):
                customer[name] = str(data[name])


def order_totals(state, customer_ids):
    """{customer id: [order totalSumm, ...]} in one pass over the orders (for a page of customers)."""
    from . import orders

    wanted, sums = set(customer_ids), {}
    for order in state.orders.values():
        if order.get("customerId") in wanted:
            sums.setdefault(order["customerId"], []).append(orders.totals(order)["totalSumm"])
    return sums


def customer_order_totals(state, customer_id):
    """[order totalSumm, ...] of one customer, through an index of orders by customer that is rebuilt only after
    the orders changed (every order write records a feed entry; a new order counts before its entry is written),
    so pages of orders can embed their customers' totals cheaply."""
    from . import orders

    version = (len(state.orders), len(state.history), state.history[-1]["id"] if state.history else 0)
    cache = getattr(state, "_order_totals_cache", None)
    if cache is None or cache[0] != version:
        by_customer = {}
        for order in state.orders.values():
            by_customer.setdefault(order.get("customerId"), []).append(order)
        cache = (version, by_customer)
        state._order_totals_cache = cache
    return [orders.totals(order)["totalSumm"] for order in cache[1].get(customer_id, [])]


def render(state, customer, with_totals=True, sums=None):
    out = {
        "type": "customer",
        "id": customer["id"],
        "externalId": customer.get("externalId"),
        "site": customer["site"],
        "createdAt": customer["createdAt"],
        "managerId": customer.get("managerId"),
        "vip": customer.get("vip", False),
        "bad": customer.get("bad", False),
        "phones": clone(customer.get("phones") or []),
        "address": clone(customer.get("address")),
        "customFields": clone(customer.get("customFields")) or [],
        "personalDiscount": customer.get("personalDiscount", 0.0),
    }
    for name in TEXT_FIELDS + PASSTHROUGH + ("subscribed", "isContact"):
        out.setdefault(name, clone(customer.get(name)))
    if with_totals:
        if sums is None:
            sums = customer_order_totals(state, customer["id"])
        out["ordersCount"] = len(sums)
        out["totalSumm"] = round(sum(sums), 2)
        out["averageSumm"] = round(sum(sums) / len(sums), 2) if sums else 0.0
        out["costSumm"] = 0.0  # purchase costs are not modelled: the whole sum is margin
        out["marginSumm"] = out["totalSumm"]
    return _as_recorded(prune(out))


def _as_recorded(out):
    """Members the real API sends for every customer although the sandbox does not model them."""
    out.setdefault("isContact", False)
    out.setdefault("contragent", {"contragentType": "individual"})
    out.setdefault("tags", [])
    out.setdefault("cumulativeDiscount", 0.0)
    if isinstance(out.get("address"), dict):
        out["address"].setdefault("id", out["id"])
        parts = [out["address"].get(k) for k in ("city", "street", "building")]
        out["address"].setdefault("text", ", ".join(p for p in parts if p))
    return out


def stub(customer):
    return prune({k: customer.get(k) for k in ("id", "externalId", "site")})


def create(state, data, site, actor):
    if not isinstance(data, dict):
        raise entity_error({"customer": "This value should be an object."})
    customer = {"id": None, "site": site, "createdAt": state.clock(), "customFields": {}, "phones": []}
    errors = {}
    if data.get("externalId") not in (None, "") and find(state, {"externalId": data["externalId"]}, site):
        errors["externalId"] = f'Customer with externalId "{data["externalId"]}" already exists.'
    apply_input(state, customer, data, errors, creating=True)
    if errors:
        raise entity_error(errors)
    customer["id"] = state.next_id("customer", start=101)
    state.customers[customer["id"]] = customer
    state.reindex_external_id(state.customer_ext, site, None, customer.get("externalId"), customer["id"])
    state.record(
        "customers", actor,
        {"created": True, "field": "id", "oldValue": None, "newValue": customer["id"],
         "customer": render(state, customer)},
    )
    return customer


def edit(state, customer, data, actor):
    if not isinstance(data, dict):
        raise entity_error({"customer": "This value should be an object."})
    before, work, errors = clone(customer), clone(customer), {}
    apply_input(state, work, data, errors, creating=False)
    if errors:
        raise entity_error(errors)
    commit(state, customer, work, before, actor)
    return customer


def commit(state, customer, work, before, actor):
    customer.clear()
    customer.update(work)
    state.reindex_external_id(state.customer_ext, customer["site"], before.get("externalId"),
                              customer.get("externalId"), customer["id"])
    for change in diff(before, customer):
        change["customer"] = stub(customer)
        state.record("customers", actor, change)


def diff(before, after):
    changes = []
    for key, field in HISTORY_FIELDS.items():
        if before.get(key) != after.get(key):
            old, new = clone(before.get(key)), clone(after.get(key))
            if key in WRAPPED_IDS:
                old, new = ({"id": v} if v is not None else None for v in (old, new))
            changes.append({"field": field, "oldValue": old, "newValue": new})
    changes += _phone_changes(before.get("phones"), after.get("phones"))
    changes += keyed_changes(before.get("address"), after.get("address"), lambda key: f"address.{address_field(key)}")
    changes += keyed_changes(before.get("customFields"), after.get("customFields"), lambda code: f"custom_{code}")
    return changes


def _phone_changes(old, new):
    """As the real feed: one "phones" entry per number, removed ones first, the value being the number."""
    old_numbers = [p["number"] for p in old or []]
    new_numbers = [p["number"] for p in new or []]
    removed = [{"field": "phones", "oldValue": n, "newValue": None} for n in old_numbers if n not in new_numbers]
    added = [{"field": "phones", "oldValue": None, "newValue": n} for n in new_numbers if n not in old_numbers]
    return removed + added


# ----- corporate customers -------------------------------------------------------------------


def create_corporate(state, data, site):
    if not isinstance(data, dict):
        raise entity_error({"customerCorporate": "This value should be an object."})
    errors = {}
    external_id = data.get("externalId")
    if external_id not in (None, "") and any(
        c.get("externalId") == str(external_id) and c["site"] == site for c in state.corporate.values()
    ):
        errors["externalId"] = f'Corporate customer with externalId "{external_id}" already exists.'
    if data.get("managerId") is not None and as_int(data["managerId"]) not in state.users:
        errors["managerId"] = f"User with id {data['managerId']} not found."
    if errors:
        raise entity_error(errors)
    corporate = {
        "id": state.next_id("customer", start=101),
        "externalId": None if external_id in (None, "") else str(external_id),
        "nickName": data.get("nickName"),
        "site": site,
        "createdAt": state.clock(),
        "managerId": as_int(data.get("managerId")),
        "vip": bool(data.get("vip", False)),
        "bad": bool(data.get("bad", False)),
        "customFields": data.get("customFields") or {},
        "companies": data.get("companies") or [],
        "addresses": data.get("addresses") or [],
        "customerContacts": data.get("customerContacts") or [],
        "tags": data.get("tags") or [],
    }
    _number_parts(state, corporate)
    state.corporate[corporate["id"]] = corporate
    return corporate


def _number_parts(state, corporate):
    """Companies, addresses and contact links get their own CRM ids, as the CRM gives them."""
    for key in ("companies", "addresses", "customerContacts"):
        for part in corporate[key]:
            if isinstance(part, dict) and part.get("id") in (None, ""):
                part["id"] = state.next_id(f"corporate_{key}")


def render_corporate(corporate):
    out = {"type": "customer_corporate"}
    out.update(clone(corporate))
    out["customFields"] = out["customFields"] or []
    return prune(out)


def corporate_as_recorded(state, out):
    """The summary members a corporate customer carries in lists: totals, the main address, company and contact."""
    sums = customer_order_totals(state, out["id"])
    out.setdefault("ordersCount", len(sums))
    out.setdefault("totalSumm", round(sum(sums), 2))
    out.setdefault("averageSumm", round(sum(sums) / len(sums), 2) if sums else 0.0)
    out.setdefault("marginSumm", out["totalSumm"])
    out.setdefault("personalDiscount", 0.0)
    for key, source in (("mainAddress", "addresses"), ("mainCompany", "companies"),
                        ("mainCustomerContact", "customerContacts")):
        entries = [e for e in out.get(source) or [] if isinstance(e, dict)]
        main = next((e for e in entries if e.get("isMain")), entries[0] if entries else None)
        if main is not None:
            out.setdefault(key, {k: v for k, v in main.items() if k != "isMain"})
    return out
