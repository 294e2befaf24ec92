"""Individual and corporate customers and the customers change feed."""

import re

from ..domain import customers as domain
from ..web import ApiError, as_bool_flag, as_int, clone, entity_error, not_found, page_args, paginate
from .common import by_param, can_see, lookup_site, required_site, site_filter
from .orders import api_actor, history

UPLOAD_LIMIT = 50


def find_customer(app, req, ident, by, site):
    ref = {"id": ident} if by == "id" else {"externalId": ident}
    customer = domain.find(app.state, ref, site)
    if customer is None or (site is not None and customer["site"] != site) or not can_see(req, customer["site"]):
        raise not_found()
    return customer


def _text_match(customer, text):
    """filter[name]: free text over names and e-mail, plus phone digits."""
    text = text.strip().lower()
    haystack = " ".join(
        str(customer.get(k) or "") for k in ("firstName", "lastName", "patronymic", "email")
    ).lower()
    if all(word in haystack for word in text.split()):
        return True
    digits = re.sub(r"\D", "", text)
    return bool(digits) and any(digits in re.sub(r"\D", "", p["number"]) for p in customer.get("phones", []))


def _matches(customer, req):
    if req.filter_list("ids") and str(customer["id"]) not in req.filter_list("ids"):
        return False
    if req.filter_list("externalIds") and customer.get("externalId") not in req.filter_list("externalIds"):
        return False
    if req.filter("email") and (customer.get("email") or "").lower() != req.filter("email").lower():
        return False
    if req.filter("name") and not _text_match(customer, req.filter("name")):
        return False
    if req.filter_list("managers") and str(customer.get("managerId")) not in req.filter_list("managers"):
        return False
    for name in ("vip", "bad"):
        flag = as_bool_flag(req.filter(name))
        if flag is not None and bool(customer.get(name)) != flag:
            return False
    if req.filter("dateFrom") and customer["createdAt"] < req.filter("dateFrom"):
        return False
    if req.filter("dateTo") and customer["createdAt"][:10] > req.filter("dateTo"):
        return False
    return True


def list_customers(app, req):
    page, limit = page_args(req)
    sites = site_filter(app, req)
    found = [
        c for c in app.state.customers.values()
        if (sites is None or c["site"] in sites) and _matches(c, req)
    ]
    found.sort(key=lambda c: c["id"], reverse=True)
    chunk, pagination = paginate(found, page, limit)
    sums = domain.order_totals(app.state, [c["id"] for c in chunk])
    return {"success": True, "pagination": pagination,
            "customers": [domain.render(app.state, c, sums=sums.get(c["id"], [])) for c in chunk]}


def get_customer(app, req, ident):
    by = by_param(req)
    customer = find_customer(app, req, ident, by, lookup_site(app, req, by))
    return {"success": True, "customer": domain.render(app.state, customer)}


def create_customer(app, req):
    data = req.json_field("customer")
    customer = domain.create(app.state, data, required_site(app, req), api_actor(req))
    return 201, {"success": True, "id": customer["id"]}


def edit_customer(app, req, ident):
    data = req.json_field("customer")
    by = by_param(req)
    customer = find_customer(app, req, ident, by, lookup_site(app, req, by))
    domain.edit(app.state, customer, data, api_actor(req))
    return {"success": True, "id": customer["id"]}


def fix_external_ids(app, req):
    pairs = req.json_field("customers", kind=list)
    errors, resolved = {}, []
    for index, pair in enumerate(pairs):
        customer = app.state.customers.get(as_int(pair.get("id"))) if isinstance(pair, dict) else None
        if customer is None or not can_see(req, customer["site"]) or pair.get("externalId") in (None, ""):
            errors[f"customers[{index}]"] = "Customer not found or externalId missing."
            continue
        other = domain.find(app.state, {"externalId": pair["externalId"]}, customer["site"])
        if other is not None and other is not customer:
            errors[f"customers[{index}].externalId"] = (
                f'Customer with externalId "{pair["externalId"]}" already exists.'
            )
            continue
        resolved.append((customer, str(pair["externalId"])))
    if errors:
        raise entity_error(errors)
    for customer, external_id in resolved:
        before, work = clone(customer), clone(customer)
        work["externalId"] = external_id
        domain.commit(app.state, customer, work, before, api_actor(req))
    return {"success": True}


def upload_customers(app, req):
    batch = req.json_field("customers", kind=list)
    if len(batch) > UPLOAD_LIMIT:
        raise ApiError(400, "Errors in the input parameters",
                       {"customers": f"Parameter 'customers' must contain {UPLOAD_LIMIT} or less records"})
    site = required_site(app, req)
    uploaded, failed, messages = [], [], []
    for index, data in enumerate(batch):
        try:
            customer = domain.create(app.state, data, site, api_actor(req))
        except ApiError as error:
            failed.append({"externalId": data.get("externalId") if isinstance(data, dict) else None})
            messages += [f"customers[{index}].{k}: {v}" for k, v in (error.errors or {}).items()]
        else:
            uploaded.append({"id": customer["id"], "externalId": customer.get("externalId")})
    if failed:
        return 460, {"success": False, "errorMsg": "Customers are loaded with errors", "errors": messages,
                     "uploadedCustomers": uploaded, "failedCustomers": failed}
    return 201, {"success": True, "uploadedCustomers": uploaded, "failedCustomers": []}


def customers_history(app, req):
    return history(app, req, app.state.customer_history, "customer", "customerId", "customerExternalId")


def list_corporate(app, req):
    page, limit = page_args(req)
    sites = site_filter(app, req)
    found = [
        c for c in app.state.corporate.values()
        if (sites is None or c["site"] in sites)
        and (not req.filter_list("ids") or str(c["id"]) in req.filter_list("ids"))
        and (not req.filter_list("externalIds") or c.get("externalId") in req.filter_list("externalIds"))
    ]
    found.sort(key=lambda c: c["id"], reverse=True)
    chunk, pagination = paginate(found, page, limit)
    return {"success": True, "pagination": pagination,
            "customersCorporate": [domain.corporate_as_recorded(app.state, domain.render_corporate(c))
                                   for c in chunk]}


def create_corporate(app, req):
    data = req.json_field("customerCorporate")
    corporate = domain.create_corporate(app.state, data, required_site(app, req))
    return 201, {"success": True, "id": corporate["id"]}


ROUTES = [
    ("customers", {"GET": ("customer_read", list_customers)}),
    ("customers/create", {"POST": ("customer_write", create_customer)}),
    ("customers/fix-external-ids", {"POST": ("customer_write", fix_external_ids)}),
    ("customers/upload", {"POST": ("customer_write", upload_customers)}),
    ("customers/history", {"GET": ("customer_read", customers_history)}),
    ("customers/{ident}", {"GET": ("customer_read", get_customer)}),
    ("customers/{ident}/edit", {"POST": ("customer_write", edit_customer)}),
    ("customers-corporate", {"GET": ("customer_read", list_corporate)}),
    ("customers-corporate/create", {"POST": ("customer_write", create_corporate)}),
]
