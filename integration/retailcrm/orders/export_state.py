"""F1: what RetailCRM last saw of an order, kept on the order (``Order.crm_seen``).

Two views of the exported fields: ``local`` in our terms (state, manager, warehouse, delivery,
lines — what an operator edits) and ``crm`` in the CRM's (status code, managerId, shipmentStore,
delivery code and cost, items). The import writes both after it applied an order; a successful
export writes both from the CRM's answer. An export sends only the fields whose local view
differs from the stored one, so an untouched order costs no request, and a CRM status that B1
maps to our state is not "changed" just because B2 would name another code. The ``crm`` view
lets the import tell which side changed a field when both did (a conflict, ``export_conflicts``).
"""

from decimal import Decimal

from integration.retailcrm.crm_setup import ECHO_FIELD_CODE

FIELDS = ("status", "manager", "warehouse", "delivery", "items")


def number(value) -> str:
    """A decimal as a canonical string ("2", "99.5"), however many places the database keeps."""
    return format(Decimal(str(value or 0)).normalize(), "f")


def line_key(line) -> str:
    return str(line.crm_item_id) if line.crm_item_id else f"new-{line.pk}"


def local_view(order, lines) -> dict:
    """The exported fields of ``order`` (and its ``lines``) as they are here."""
    return {
        "status": [order.state_id, bool(order.cancelled), bool(order.posted)],
        "manager": order.manager_id,
        "warehouse": order.warehouse_id,
        "delivery": [order.delivery_method or "", order.delivery_carrier or "", number(order.delivery_cost)],
        "items": {
            line_key(line): [number(line.quantity), number(line.price), number(line.discount_per_unit),
                             number(line.bonuses_charged)]
            for line in lines if not line.is_delivery
        },
    }


def crm_view(data: dict) -> dict:
    """The same fields as the CRM's order ``data`` has them."""
    delivery = data.get("delivery") if isinstance(data.get("delivery"), dict) else {}
    return {
        "status": data.get("status") or "",
        "manager": data.get("managerId"),
        "warehouse": data.get("shipmentStore") or "",
        "delivery": [delivery.get("code") or "", number(delivery.get("cost"))],
        "items": {
            str(item.get("id")): [number(item.get("quantity")), number(item.get("initialPrice")),
                                  number(item.get("discountManualAmount"))]
            for item in data.get("items") or [] if isinstance(item, dict)
        },
    }


def marker_of(data: dict) -> bool:
    fields = data.get("customFields")
    return bool(fields.get(ECHO_FIELD_CODE)) if isinstance(fields, dict) else False


def seen_after_import(order, lines, data: dict) -> dict:
    """What the CRM has just shown us; the time of our last export is kept."""
    seen = {"local": local_view(order, lines), "crm": crm_view(data), "marker": marker_of(data)}
    if isinstance(order.crm_seen, dict) and "at" in order.crm_seen:
        seen["at"] = order.crm_seen["at"]
    return seen


def changed_fields(order, lines) -> list[str]:
    """The exported fields changed here since the CRM last saw the order (all of them when it never did)."""
    seen = (order.crm_seen or {}).get("local")
    local = local_view(order, lines)
    if not seen:
        return list(FIELDS)
    return [name for name in FIELDS if _normal(seen.get(name)) != _normal(local[name])]


def crm_changed_fields(order, data: dict) -> list[str]:
    """The fields the CRM changed since we last saw the order (none known when we never did)."""
    seen = (order.crm_seen or {}).get("crm")
    if not seen:
        return []
    now = crm_view(data)
    return [name for name in FIELDS if _normal(seen.get(name)) != _normal(now[name])]


def _normal(value):
    """JSON turns tuples into lists and int keys into strings: compare in that form."""
    if isinstance(value, tuple):
        return list(value)
    return value
