"""The basket calculation behind ``PUT retail/calc`` and ``POST retail`` (CalcResult, §3.3).

Per line: ``net = sum - ds`` (``sum`` read as the amount before the caller's own discount ``ds``,
UNVERIFIED); the programme discount ``ids = net × discount%``; ``base = net - ids``; at most
``base × maxDebit%`` of it payable with bonuses. The requested debit is spread over the lines in
proportion to those caps, exact to the kopeck; accrual is ``(base - db) × accrual%``.
"""

from decimal import Decimal

from .errors import BonusError, invalid
from .state import dec, floor_money, floor_to, money

HUNDRED = Decimal(100)


def read_items(items):
    if not isinstance(items, list) or not items:
        raise invalid("items", "Не переданы позиции чека")
    lines, exts = [], set()
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise invalid(f"items[{index}]", "Неверная позиция чека")
        qnt = dec(item.get("qnt", 1), "qnt")
        price = dec(item.get("price", 0), "price")
        total = dec(item["sum"], "sum") if item.get("sum") not in (None, "") else money(price * qnt)
        ds = dec(item.get("ds", 0), "ds")
        if total < 0 or ds < 0 or ds > total:
            raise invalid(f"items[{index}].sum", "Неверная сумма позиции")
        ext = item.get("ext") or ""
        if ext:
            if ext in exts:  # the reference: "make it unique or leave it empty"
                raise invalid(f"items[{index}].ext", f"Повторяющийся идентификатор позиции {ext}")
            exts.add(ext)
        lines.append({"ext": ext, "product": item.get("product"), "sum": total, "ds": ds, "qnt": qnt,
                      "price": price})
    return lines


def spread(amount, caps):
    """Split ``amount`` over lines in proportion to ``caps``, never above a cap, kopecks adding up exactly."""
    total = sum(caps, Decimal(0))
    if amount <= 0 or total <= 0:
        return [Decimal(0) for _ in caps]
    shares = [amount * cap / total for cap in caps]
    parts = [min(floor_money(share), cap) for share, cap in zip(shares, caps)]
    left = int((amount - sum(parts, Decimal(0))) * 100)
    order = sorted(range(len(caps)), key=lambda i: (shares[i] - parts[i]), reverse=True)
    while left > 0:
        moved = False
        for i in order:
            if left and parts[i] + Decimal("0.01") <= caps[i]:
                parts[i] += Decimal("0.01")
                left -= 1
                moved = True
        if not moved:
            break
    return parts


def calculate(state, record, items, bonus_debit, strict, reserve_id=None):
    """CalcResult plus totals. ``strict`` (a purchase) refuses a debit the rules do not allow;
    a calculation clamps it instead (UNVERIFIED, README.md)."""
    lines = read_items(items)
    requested = dec(bonus_debit, "bonusDebit")
    if requested < 0:
        raise invalid("bonusDebit", "Количество бонусов не может быть отрицательным")
    multiplicity = Decimal(str(state.program["multiplicity"]))
    for line in lines:
        rules = state.rules_for(line["product"], record)
        discount_pct, debit_pct = rules["discountPercent"], rules["maxDebitPercent"]
        net = line["sum"] - line["ds"]
        line["ids"] = money(net * discount_pct / HUNDRED)
        line["idp"] = discount_pct
        line["base"] = net - line["ids"]
        line["cap"] = Decimal(0) if record["bonusDebitDenied"] else floor_money(line["base"] * debit_pct / HUNDRED)
        line["cbp"] = rules["accrualPercent"]
    cap_total = sum((line["cap"] for line in lines), Decimal(0))
    available = max(state.available(record["phone"], except_reserve=reserve_id), Decimal(0))
    max_debit = floor_to(min(cap_total, available), multiplicity)
    if strict and requested:
        if record["bonusDebitDenied"]:
            raise BonusError("BONUS_DEBIT_DENIED", "Клиенту запрещено списание бонусов")
        if requested > available:
            raise BonusError("NOT_ENOUGH_BONUSES", "Недостаточно бонусов",
                             f"requested {requested}, available {available}")
        if requested > floor_to(cap_total, multiplicity):
            raise BonusError("BONUS_DEBIT_LIMIT_EXCEEDED", "Превышена максимальная сумма списания бонусов",
                             f"requested {requested}, maximum {floor_to(cap_total, multiplicity)}")
        if floor_to(requested, multiplicity) != requested:
            raise BonusError("BONUS_DEBIT_MULTIPLICITY", f"Количество бонусов должно быть кратно {multiplicity}",
                             f"requested {requested}, multiplicity {multiplicity}")
        debit = requested
    else:
        debit = floor_to(min(requested, max_debit), multiplicity)
    for line, db in zip(lines, spread(debit, [line["cap"] for line in lines])):
        line["db"] = db
        line["cb"] = money((line["base"] - db) * line["cbp"] / HUNDRED)
    discount = [{
        "ext": line["ext"], "ds": line["ds"] + line["ids"],
        "dp": money((line["ds"] + line["ids"]) * HUNDRED / line["sum"]) if line["sum"] else Decimal(0),
        "ids": line["ids"], "idp": line["idp"], "db": line["db"],
        "dbp": money(line["db"] * HUNDRED / line["base"]) if line["base"] else Decimal(0),
        "cb": line["cb"], "cbp": line["cbp"],
        "messages": [f"Скидка {line['idp']}%"] if line["ids"] else [],
    } for line in lines]
    totals = {
        "sum": sum((line["sum"] for line in lines), Decimal(0)),
        "debit": debit,
        "credit": sum((line["cb"] for line in lines), Decimal(0)),
        "toPay": sum((line["base"] - line["db"] for line in lines), Decimal(0)),
        "paidBeforeBonuses": sum((line["base"] for line in lines), Decimal(0)),
    }
    result = {"maxDebitBonuses": max_debit, "multiplicityDebitBonus": multiplicity, "discount": discount}
    return result, totals, lines
