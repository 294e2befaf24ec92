"""Smoothing over RetailCRM's JSON shapes (reference §1.9) so callers see one shape per field.

PHP serialises an empty associative array as ``[]`` and a non-empty one as an object, and the
API keys several collections by code or id. Callers would otherwise need ``isinstance`` checks
everywhere; here we normalise once, on the way in:

* reference books: object keyed by code or list → list of dicts;
* order ``payments``: object keyed by payment id or list → list (id filled in from the key);
* ``customFields`` and item ``properties``: ``[]`` → ``{}``.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "as_list",
    "as_mapping",
    "normalize_customer",
    "normalize_history_entry",
    "normalize_loyalty_account",
    "normalize_order",
    "normalize_payments",
]


def as_list(container: Any) -> list:
    """An object keyed by code/id, a list, or nothing → a list of its values."""
    if container is None:
        return []
    if isinstance(container, dict):
        return list(container.values())
    return list(container)


def as_mapping(value: Any) -> dict:
    """``[]``/None (PHP's empty array) → ``{}``; objects unchanged."""
    if isinstance(value, dict):
        return value
    if not value:
        return {}
    # a non-empty list where an object was expected: keep the data rather than drop it
    return {str(index): item for index, item in enumerate(value)}


def normalize_payments(payments: Any) -> list[dict]:
    if isinstance(payments, dict):
        result = []
        for key, payment in payments.items():
            if isinstance(payment, dict) and "id" not in payment and str(key).isdigit():
                payment = {**payment, "id": int(key)}
            result.append(payment)
        return result
    return list(payments or [])


def _custom_fields(entity: dict) -> None:
    if "customFields" in entity:
        entity["customFields"] = as_mapping(entity["customFields"])


def normalize_customer(customer: Any) -> Any:
    if not isinstance(customer, dict):
        return customer
    _custom_fields(customer)
    for company in customer.get("companies") or []:
        if isinstance(company, dict):
            _custom_fields(company)
    return customer


def normalize_order(order: Any) -> Any:
    if not isinstance(order, dict):
        return order
    _custom_fields(order)
    if "payments" in order:
        order["payments"] = normalize_payments(order["payments"])
    for item in order.get("items") or []:
        if not isinstance(item, dict):
            continue
        if "properties" in item:
            item["properties"] = as_mapping(item["properties"])
        offer = item.get("offer")
        if isinstance(offer, dict) and "properties" in offer:
            offer["properties"] = as_mapping(offer["properties"])
    for key in ("customer", "contact"):
        normalize_customer(order.get(key))
    return order


def normalize_history_entry(entry: Any) -> Any:
    if not isinstance(entry, dict):
        return entry
    for key in ("order", "ancestor", "combinedTo"):
        normalize_order(entry.get(key))
    normalize_customer(entry.get("customer"))
    return entry


def normalize_loyalty_account(account: Any) -> Any:
    if not isinstance(account, dict):
        return account
    _custom_fields(account)
    normalize_customer(account.get("customer"))
    return account
