"""Loyalty programs and participant accounts."""

import datetime

from ..domain import customers
from ..web import ApiError, as_bool_flag, as_int, clone, entity_error, not_found, page_args, paginate, prune
from .common import can_see, required_site, site_filter


def render_loyalty(loyalty):
    return prune(clone(loyalty))


def render_account(state, account):
    loyalty = state.loyalties[account["loyaltyId"]]
    level = next((lv for lv in loyalty["levels"] if lv["id"] == account["levelId"]), None)
    customer = state.customers.get(account["customerId"]) or {}
    next_levels = [lv["sum"] for lv in loyalty["levels"] if lv["sum"] > account["ordersSum"]]
    return prune({
        "id": account["id"],
        "active": account["status"] == "activated",
        "status": account["status"],
        "phoneNumber": account.get("phoneNumber"),
        "cardNumber": account.get("cardNumber"),
        "amount": account["amount"],
        "ordersSum": account["ordersSum"],
        "nextLevelSum": min(next_levels) if next_levels else None,
        "createdAt": account["createdAt"],
        "activatedAt": account.get("activatedAt"),
        "customFields": clone(account.get("customFields")) or [],
        "level": clone(level),
        "loyalty": {"id": loyalty["id"], "currency": loyalty["currency"]},
        "customer": {**{k: customer.get(k) for k in ("id", "externalId", "site", "firstName", "lastName", "patronymic")},
                     "customFields": clone(customer.get("customFields")) or []},
    })


def list_loyalties(app, req):
    page, limit = page_args(req)
    found = list(app.state.loyalties.values())
    ids = req.filter_list("ids")
    if ids:
        found = [lo for lo in found if str(lo["id"]) in ids]
    for name in ("active", "blocked"):
        flag = as_bool_flag(req.filter(name))
        if flag is not None:
            found = [lo for lo in found if lo[name] == flag]
    sites = site_filter(app, req)
    if sites is not None:
        found = [lo for lo in found if set(lo.get("sites", [])) & set(sites)]
    chunk, pagination = paginate(found, page, limit)
    return {"success": True, "pagination": pagination, "loyalties": [render_loyalty(lo) for lo in chunk]}


def get_loyalty(app, req, loyalty_id):
    loyalty = app.state.loyalties.get(as_int(loyalty_id))
    if loyalty is None:
        raise not_found()
    return {"success": True, "loyalty": render_loyalty(loyalty), "requiredFields": []}


def _find_account(app, req, account_id):
    account = app.state.loyalty_accounts.get(as_int(account_id))
    customer = app.state.customers.get(account["customerId"]) if account else None
    if account is None or (customer is not None and not can_see(req, customer["site"])):
        raise not_found()
    return account


def create_account(app, req):
    data = req.json_field("loyaltyAccount")
    site = required_site(app, req)
    state = app.state
    loyalty = next((lo for lo in state.loyalties.values() if site in lo.get("sites", []) and lo["active"]), None)
    if loyalty is None or loyalty["blocked"]:
        raise ApiError(400, "Loyalty program is not available for this site.")
    errors = {}
    ref = data.get("customer")
    customer = None
    if not isinstance(ref, dict) or (ref.get("id") in (None, "") and ref.get("externalId") in (None, "")):
        errors["customer"] = "Set one of the following fields: id, externalId"
    else:
        customer = customers.find(state, ref, site)
        if customer is None:
            errors["customer"] = "Customer not found."
    if data.get("phoneNumber") in (None, ""):
        errors["phoneNumber"] = "This value should not be blank."
    if customer is not None and any(
        a["customerId"] == customer["id"] and a["loyaltyId"] == loyalty["id"] for a in state.loyalty_accounts.values()
    ):
        errors["customer"] = "The customer already participates in this loyalty program."
    if errors:
        raise entity_error(errors)
    account = {
        "id": state.next_id("loyalty_account"),
        "loyaltyId": loyalty["id"],
        "customerId": customer["id"],
        "phoneNumber": str(data["phoneNumber"]),
        "cardNumber": data.get("cardNumber"),
        "status": "not_confirmed",
        "amount": 0.0,
        "ordersSum": 0.0,
        "levelId": loyalty["levels"][0]["id"],
        "createdAt": state.clock(),
        "activatedAt": None,
        "customFields": data.get("customFields") or {},
    }
    state.loyalty_accounts[account["id"]] = account
    return 201, {"success": True, "site": site, "loyaltyAccount": render_account(state, account), "warnings": []}


def get_account(app, req, account_id):
    account = _find_account(app, req, account_id)
    return {"success": True, "loyaltyAccount": render_account(app.state, account)}


def activate_account(app, req, account_id):
    account = _find_account(app, req, account_id)
    if account["status"] == "activated":
        raise ApiError(400, "The loyalty account is already activated.")
    state = app.state
    loyalty = state.loyalties[account["loyaltyId"]]
    body = {"success": True}
    if loyalty["confirmSmsRegistration"]:
        # The participant must confirm the phone by SMS; until then the account stays not confirmed.
        now = datetime.datetime.strptime(state.clock(), "%Y-%m-%d %H:%M:%S")
        body["verification"] = {
            "createdAt": now.strftime("%Y-%m-%d %H:%M:%S"),
            "expiredAt": (now + datetime.timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S"),
            "checkId": f"check-{account['id']}-{state.next_id('sms_check')}",
            "actionType": "verify_phone",
        }
    else:
        account["status"] = "activated"
        account["activatedAt"] = state.clock()
    body["loyaltyAccount"] = render_account(state, account)
    return body


def edit_account(app, req, account_id):
    data = req.json_field("loyaltyAccount")
    account = _find_account(app, req, account_id)
    loyalty = app.state.loyalties[account["loyaltyId"]]
    if "loyaltyLevelId" in data and as_int(data["loyaltyLevelId"]) not in {lv["id"] for lv in loyalty["levels"]}:
        raise entity_error({"loyaltyLevelId": "Loyalty level not found."})
    for name in ("phoneNumber", "cardNumber"):
        if name in data:
            account[name] = data[name]
    if isinstance(data.get("customFields"), dict):
        account["customFields"].update(data["customFields"])
    if "loyaltyLevelId" in data:
        account["levelId"] = as_int(data["loyaltyLevelId"])
    return {"success": True, "loyaltyAccount": render_account(app.state, account), "warnings": []}


def list_accounts(app, req):
    page, limit = page_args(req)
    state = app.state
    sites = site_filter(app, req)
    found = []
    for account in state.loyalty_accounts.values():
        customer = state.customers.get(account["customerId"]) or {}
        if sites is not None and customer.get("site") not in sites:
            continue
        checks = (
            ("id", lambda v: str(account["id"]) == v),
            ("customerId", lambda v: str(account["customerId"]) == v),
            ("customerExternalId", lambda v: customer.get("externalId") == v),
            ("phoneNumber", lambda v: (account.get("phoneNumber") or "") == v),
            ("cardNumber", lambda v: (account.get("cardNumber") or "") == v),
            ("status", lambda v: account["status"] == v),
        )
        if any(req.filter(name) and not check(req.filter(name)) for name, check in checks):
            continue
        if req.filter_list("ids") and str(account["id"]) not in req.filter_list("ids"):
            continue
        if req.filter_list("loyalties") and str(account["loyaltyId"]) not in req.filter_list("loyalties"):
            continue
        found.append(account)
    found.sort(key=lambda a: a["id"])
    chunk, pagination = paginate(found, page, limit)
    return {"success": True, "pagination": pagination,
            "loyaltyAccounts": [render_account(state, a) for a in chunk]}


ROUTES = [
    ("loyalty/loyalties", {"GET": ("loyalty_read", list_loyalties)}),
    ("loyalty/loyalties/{loyalty_id}", {"GET": ("loyalty_read", get_loyalty)}),
    ("loyalty/accounts", {"GET": ("loyalty_read", list_accounts)}),
    ("loyalty/account/create", {"POST": ("loyalty_write", create_account)}),
    ("loyalty/account/{account_id}", {"GET": ("loyalty_read", get_account)}),
    ("loyalty/account/{account_id}/activate", {"POST": ("loyalty_write", activate_account)}),
    ("loyalty/account/{account_id}/edit", {"POST": ("loyalty_write", edit_account)}),
]
