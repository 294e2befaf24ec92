"""retail: calculation, purchase, bonus activities (§4.5, 4.7, 4.11)."""

import uuid

from ..calc import calculate
from ..customers import by_phone, render_customer
from ..errors import BonusError, invalid
from ..state import jsonable


def calc(app, req):
    """PUT retail/calc: CalcResult; a debit above what the rules allow is clamped, not refused."""
    state, data = app.state, req.json_object()
    record = by_phone(state, data.get("phone"))
    result, _, _ = calculate(state, record, data.get("items"), data.get("bonusDebit", 0), strict=False,
                             reserve_id=_reserve_id(data))
    return result


def purchase(app, req):
    """POST retail: debit and accrue, once per ``externalId``."""
    state, data = app.state, req.json_object()
    external_id = data.get("externalId")
    external_id = str(external_id) if external_id not in (None, "") else None
    if external_id is not None and external_id in state.external_ids:
        first = state.purchases[state.external_ids[external_id]]
        if state.program["duplicateExternalId"] == "refuse":
            raise BonusError("EXTERNAL_ID_ALREADY_EXISTS", "Продажа с таким внешним идентификатором уже существует",
                             f"externalId {external_id} is sale {first['id']}")
        return _result(state, first)
    record = by_phone(state, data.get("phone"))
    if "bonusDebit" not in data:
        raise invalid("bonusDebit", "Не указано количество списываемых бонусов")
    reserve_id = _reserve_id(data)
    result, totals, lines = calculate(state, record, data.get("items"), data["bonusDebit"], strict=True,
                                      reserve_id=reserve_id)
    phone = record["phone"]
    if reserve_id is not None:  # the sale consumes the reserve it names (UNVERIFIED, README.md)
        state.reserves.pop((phone, reserve_id), None)
    description = f"Продажа {external_id or '?'}"
    if totals["debit"]:  # each movement shows the balance right after it
        record["bonuses"] -= totals["debit"]
        state.record_activity(phone, "Списание", description, debit=totals["debit"])
    if totals["credit"]:
        record["bonuses"] += totals["credit"]
        state.record_activity(phone, "Начисление", description, credit=totals["credit"])
    record["purchasesTotal"] += totals["paidBeforeBonuses"]
    record["lastPurchaseDate"] = state.timestamp()
    sale_id = state.next_id("purchase")
    sale = {
        "id": sale_id, "orderUid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"bonusplus-sandbox/sale/{sale_id}")),
        "externalId": external_id, "phone": phone, "store": data.get("store"), "cashier": data.get("cashier"),
        "date": data.get("date") or state.timestamp(), "reserveId": reserve_id, "desc": data.get("desc"),
        "bonusDebit": totals["debit"], "bonusCredit": totals["credit"], "sum": totals["sum"],
        "toPay": totals["toPay"],
        "items": jsonable([{"product": line["product"], "qnt": line["qnt"], "price": line["price"], "sum": line["sum"],
                            **discount} for line, discount in zip(lines, result["discount"])]),
    }
    state.purchases[sale_id] = sale
    if external_id is not None:
        state.external_ids[external_id] = sale_id
    return _result(state, sale)


def bonus_activities(app, req):
    """POST retail/bonusActivities {phone, rowCount, startRow, sort}: sort -1 = newest first."""
    state, data = app.state, req.json_object()
    record = by_phone(state, data.get("phone"))
    rows = [{k: v for k, v in row.items() if k != "phone"} for row in state.activities
            if row["phone"] == record["phone"]]
    if str(data.get("sort", -1)) == "-1":
        rows.reverse()
    start = max(int(data.get("startRow") or 1), 1) - 1
    count = int(data.get("rowCount") or 100)
    return {"bonusActivities": rows[start:start + count]}


def _reserve_id(data):
    value = data.get("reserveId")
    return str(value) if value not in (None, "") else None


def _result(state, sale):
    record = state.customers.get(sale["phone"])
    return {"id": sale["id"], "orderUid": sale["orderUid"],
            "orderUrl": f"/sandbox/receipts/{sale['orderUid']}",
            "customer": render_customer(state, record) if record else None}


ROUTES = [
    ("retail/calc", {"PUT": calc}),
    ("retail/bonusActivities", {"POST": bonus_activities}),
    ("retail", {"POST": purchase}),
]
