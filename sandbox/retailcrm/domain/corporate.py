"""Orders of corporate customers and item bonuses, as RetailCRM has them.

An order of a company names ``customer: {"id": …, "type": "customer_corporate"}`` with the
``contact`` (an individual customer acting for the company) and the ``company`` (one of the
corporate customer's companies). Rendered orders carry the corporate customer, the contact and the
company, like the real API. Items carry ``bonusesChargeTotal``/``bonusesCreditTotal``.
"""

from ..web import as_int, clone, entity_error, prune

CORPORATE = "customer_corporate"


def is_corporate_ref(ref) -> bool:
    return isinstance(ref, dict) and ref.get("type") == CORPORATE


def find_corporate(state, ref, site=None):
    if ref.get("id") not in (None, ""):
        return state.corporate.get(as_int(ref["id"]))
    external_id = ref.get("externalId")
    return next((c for c in state.corporate.values() if c.get("externalId") not in (None, "")
                 and c["externalId"] == str(external_id) and (site is None or c["site"] == site)), None)


def contact_ids(corporate) -> list[int]:
    return [as_int((c.get("customer") or {}).get("id")) for c in corporate.get("customerContacts") or []]


def apply_customer(state, order, data, errors):
    """``customer``/``contact``/``company`` of an order for a company (called by orders.apply_input)."""
    ref = data["customer"]
    corporate = find_corporate(state, ref, ref.get("site") or order["site"])
    if corporate is None:
        errors["customer"] = "Corporate customer not found."
        return
    order["corporateId"], order["customerId"] = corporate["id"], None
    contact_ref = data.get("contact") if isinstance(data.get("contact"), dict) else None
    if contact_ref is not None:
        contact = _find_customer(state, contact_ref, order["site"])
        if contact is None or contact["id"] not in contact_ids(corporate):
            errors["contact"] = "The contact is not a contact person of the corporate customer."
        else:
            order["contactId"] = contact["id"]
    elif order.get("contactId") not in contact_ids(corporate):
        main = [c for c in corporate.get("customerContacts") or [] if c.get("isMain")]
        order["contactId"] = as_int(((main or corporate.get("customerContacts") or [{}])[0].get("customer") or {}).get("id"))
    company_ref = data.get("company") if isinstance(data.get("company"), dict) else None
    companies = corporate.get("companies") or []
    if company_ref is not None:
        company = next((c for c in companies if c["id"] == as_int(company_ref.get("id"))
                        or (company_ref.get("externalId") and c.get("externalId") == company_ref["externalId"])), None)
        if company is None:
            errors["company"] = "Company not found."
        else:
            order["companyId"] = company["id"]
    elif order.get("companyId") not in [c["id"] for c in companies]:
        main = [c for c in companies if c.get("isMain")] or companies
        order["companyId"] = main[0]["id"] if main else None


def _find_customer(state, ref, site):
    from . import customers

    return customers.find(state, ref, ref.get("site") or site)


def render_parties(state, order, out):
    """Add the corporate customer, its contact and company to a rendered order (real API shape)."""
    from . import customers

    corporate = state.corporate.get(order.get("corporateId"))
    if corporate is None:
        return
    out["customer"] = render_corporate(corporate)
    contact = state.customers.get(order.get("contactId"))
    if contact is not None:
        out["contact"] = customers.render(state, contact, with_totals=False)
    company = next((c for c in corporate.get("companies") or [] if c["id"] == order.get("companyId")), None)
    if company is not None:
        out["company"] = render_company(corporate, company)


def render_corporate(corporate):
    out = {"type": CORPORATE}
    out.update({k: clone(v) for k, v in corporate.items() if k not in ("companies", "customerContacts", "addresses")})
    out["customFields"] = out.get("customFields") or []
    companies = corporate.get("companies") or []
    main = next((c for c in companies if c.get("isMain")), companies[0] if companies else None)
    if main is not None:
        out["mainCompany"] = {"id": main["id"], "name": main.get("name")}
    contacts = corporate.get("customerContacts") or []
    main_contact = next((c for c in contacts if c.get("isMain")), contacts[0] if contacts else None)
    if main_contact is not None:
        out["mainCustomerContact"] = {"id": main_contact["id"], "customer": clone(main_contact["customer"])}
    return prune(out)


def render_company(corporate, company):
    return prune({
        "isMain": bool(company.get("isMain")), "id": company["id"], "externalId": company.get("externalId"),
        "customer": {"site": corporate["site"], "id": corporate["id"], "externalId": corporate.get("externalId"),
                     "type": CORPORATE},
        "active": company.get("active", True), "name": company.get("name"), "brand": company.get("brand"),
        "createdAt": company.get("createdAt"), "contragent": clone(company.get("contragent") or {}),
        "customFields": clone(company.get("customFields")) or [],
    })


def create_with_parties(state, data, site, actor):
    """Operator: a corporate customer with its companies and contact persons (new individual customers
    from ``contacts`` data, or existing ones by ``contactIds``)."""
    from . import customers

    if not isinstance(data, dict):
        raise entity_error({"customerCorporate": "This value should be an object."})
    corporate = customers.create_corporate(state, {k: v for k, v in data.items() if k not in (
        "companies", "contacts", "contactIds", "customerContacts")}, site)
    companies = []
    for index, raw in enumerate(data.get("companies") or [{"name": data.get("nickName")}]):
        if not isinstance(raw, dict) or not raw.get("name"):
            raise entity_error({f"companies[{index}].name": "This value should not be blank."})
        companies.append({
            "id": state.next_id("company", start=701), "isMain": index == 0, "name": str(raw["name"]),
            "externalId": raw.get("externalId"), "brand": raw.get("brand"), "active": True,
            "createdAt": state.clock(), "contragent": raw.get("contragent") or {"contragentType": "legal-entity"},
            "customFields": raw.get("customFields") or {},
        })
    people = [state.customers.get(as_int(i)) for i in data.get("contactIds") or []]
    if any(p is None for p in people):
        raise entity_error({"contactIds": "Customer not found."})
    for raw in data.get("contacts") or []:
        people.append(customers.create(state, dict(raw, isContact=True), site, actor))
    corporate["companies"] = companies
    corporate["customerContacts"] = [
        {"id": state.next_id("customer_contact", start=301), "isMain": index == 0,
         "customer": {"id": person["id"], "site": person["site"], "externalId": person.get("externalId")},
         "companies": [{"id": c["id"]} for c in companies]}
        for index, person in enumerate(people)
    ]
    return corporate


# ----- item bonuses (G5) ---------------------------------------------------------------------------


def item_bonuses(item) -> dict:
    return {"bonusesChargeTotal": item.get("bonusesChargeTotal", 0.0),
            "bonusesCreditTotal": item.get("bonusesCreditTotal", 0.0)}


def order_bonuses(order) -> dict:
    return {name: round(sum(item.get(name, 0.0) for item in order["items"]), 2)
            for name in ("bonusesChargeTotal", "bonusesCreditTotal")}


def set_item_bonuses(order, raw_items):
    """Operator: ``[{"id": item id, "bonusesChargeTotal": x, "bonusesCreditTotal": y}, …]`` on a working copy."""
    if not isinstance(raw_items, list) or not raw_items:
        raise entity_error({"items": "Give a list of items with their bonuses."})
    by_id = {item["id"]: item for item in order["items"]}
    errors = {}
    for index, raw in enumerate(raw_items):
        item = by_id.get(as_int((raw or {}).get("id"))) if isinstance(raw, dict) else None
        if item is None:
            errors[f"items[{index}].id"] = "Order item not found."
            continue
        for name in ("bonusesChargeTotal", "bonusesCreditTotal"):
            if name in raw:
                try:
                    value = float(raw[name])
                except (TypeError, ValueError):
                    value = -1.0
                if value < 0:
                    errors[f"items[{index}].{name}"] = "This value should be a non-negative number."
                else:
                    item[name] = value
    if errors:
        raise entity_error(errors)
