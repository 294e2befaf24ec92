"""What the loyalty services need from RetailCRM beyond the typed client methods.

* :class:`Directory` reads a list once page by page when that costs fewer requests than
  looking entries up one by one (the page count is known after the first page);
* :func:`upload_customers` creates up to 50 customers per request (``customers/upload``);
* :func:`customer_payload` is the local customer as RetailCRM's customer JSON.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from integration.retailcrm.client.client import RetailCrmClient, batched
from integration.retailcrm.client.errors import CrmPartialFailure
from integration.retailcrm.client.quirks import as_list, normalize_customer, normalize_loyalty_account
from integration.documents.phones import normalize as normalize_phone
from integration.models import Customer

PAGE = 100
UPLOAD_LIMIT = 50  # customers per customers/upload call (reference §1.8)


def phone_key(phone: str | None) -> str:
    """What identifies a phone however it was typed: "+7 (916) 120-45-89" == "89161204589" (the one rule)."""
    return normalize_phone(phone)


def customer_phone_keys(crm_customer: dict) -> set[str]:
    return {phone_key(p.get("number")) for p in crm_customer.get("phones") or [] if isinstance(p, dict)} - {""}


@dataclass
class ListPage:
    items: list[dict]
    total_pages: int


def list_page(client: RetailCrmClient, path: str, key: str, *, filter: dict, page: int = 1,
              limit: int = PAGE, normalize: Callable | None = None) -> ListPage:
    payload = client.get(path, {"filter": filter, "limit": limit, "page": page})
    items = as_list(payload.get(key))
    if normalize:
        items = [normalize(item) for item in items]
    pagination = payload.get("pagination") or {}
    return ListPage(items, int(pagination.get("totalPageCount") or 0))


def customers_page(client, filter: dict, page: int = 1, limit: int = PAGE) -> ListPage:
    return list_page(client, "/customers", "customers", filter=filter, page=page, limit=limit,
                     normalize=normalize_customer)


def accounts_page(client, filter: dict, page: int = 1, limit: int = PAGE) -> ListPage:
    return list_page(client, "/loyalty/accounts", "loyaltyAccounts", filter=filter, page=page, limit=limit,
                     normalize=normalize_loyalty_account)


class Directory:
    """All entries of a filtered list, read only when that is cheaper than ``lookups`` single requests."""

    def __init__(self, fetch_page: Callable[[int], ListPage]):
        self._fetch_page = fetch_page
        self._first: ListPage | None = None

    def read_all_if_cheaper(self, lookups: int) -> list[dict] | None:
        """Every entry, or None when one request per lookup is cheaper than the remaining pages."""
        if lookups <= 0:
            return []
        self._first = self._first or self._fetch_page(1)
        remaining = max(self._first.total_pages - 1, 0)
        if remaining > lookups:
            return None
        items = list(self._first.items)
        for page in range(2, self._first.total_pages + 1):
            items.extend(self._fetch_page(page).items)
        return items


def customers_by(client, field: str, values: list, site: str | None) -> list[dict]:
    """Customers whose ``ids`` or ``externalIds`` are among ``values`` (100 per request)."""
    found = []
    for chunk in batched(values, PAGE):
        filter = {field: [str(v) for v in chunk]}
        if site and field == "externalIds":
            filter["sites"] = [site]
        found.extend(customers_page(client, filter).items)
    return found


def customer_payload(customer: Customer) -> dict:
    """The local customer as RetailCRM customer JSON (only what the back office knows)."""
    payload = {
        "externalId": customer.external_id,
        "firstName": customer.first_name or None,
        "lastName": customer.last_name or None,
        "patronymic": customer.patronymic or None,
        "email": customer.email or None,
        "phones": [{"number": customer.phone}] if customer.phone else [],
        "sex": customer.gender or None,
        "birthday": customer.birth_date.isoformat() if customer.birth_date else None,
        "address": {"text": customer.address} if customer.address else None,
    }
    return {k: v for k, v in payload.items() if v not in (None, "")}


@dataclass
class UploadOutcome:
    created: dict[str, int]  # externalId → CRM id
    errors: dict[str, str]  # externalId → the CRM's reason


def upload_customers(client: RetailCrmClient, payloads: list[dict], site: str | None) -> UploadOutcome:
    """Create customers in batches of 50; a partly rejected batch (460) keeps what was created."""
    outcome = UploadOutcome({}, {})
    for batch in batched(payloads, UPLOAD_LIMIT):
        try:
            answer = client.post("/customers/upload", {"customers": batch, "site": site or client.site})
        except CrmPartialFailure as exc:
            answer = exc.payload or {}
            reasons = _reasons_by_index(exc.error_list)
            for index, item in enumerate(batch):
                if index in reasons:
                    outcome.errors[item["externalId"]] = reasons[index]
        for row in as_list(answer.get("uploadedCustomers")):
            if row.get("externalId") and row.get("id"):
                outcome.created[str(row["externalId"])] = int(row["id"])
        for row in as_list(answer.get("failedCustomers")):
            external_id = str(row.get("externalId") or "")
            if external_id and external_id not in outcome.created:
                outcome.errors.setdefault(external_id, "")
    return outcome


def _reasons_by_index(lines: list[str]) -> dict[int, str]:
    """"customers[3].email: This value is not a valid email address." → {3: "email: …"}."""
    reasons: dict[int, str] = {}
    for line in lines:
        match = re.match(r"customers\[(\d+)\]\.?(.*)", line)
        if match:
            index = int(match.group(1))
            reasons[index] = "; ".join(filter(None, [reasons.get(index), match.group(2).strip()]))
    return reasons
