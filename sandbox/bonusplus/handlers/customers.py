"""customer: find, register, list, edit, SMS code, balance and reserve (§4.1–4.4, 4.6, 4.11)."""

from decimal import Decimal

from ..customers import apply_profile, by_card, by_id, by_phone, card_owner, check_phone, new_record, render_customer
from ..errors import BonusError, invalid
from ..state import dec, money


def find(app, req):
    """GET customer?phone= | ?ean= (card code) | ?id=."""
    state = app.state
    if req.query.get("phone"):
        record = by_phone(state, req.query.get("phone"))
    elif req.query.get("ean"):
        record = by_card(state, req.query.get("ean"))
    elif req.query.get("id"):
        record = by_id(state, req.query.get("id"))
    else:
        raise invalid("phone", "Не указан телефон, карта или идентификатор клиента")
    return render_customer(state, record)


def register(app, req):
    """POST customer: a new customer, optionally with a card to bind (412 if the phone or card is taken)."""
    state, data = app.state, req.json_object()
    phone = check_phone(data.get("phone"))
    if phone in state.customers:
        raise BonusError("CUSTOMER_ALREADY_EXISTS", "Клиент с таким телефоном уже существует", f"phone {phone}")
    card = data.get("card")
    if card and card_owner(state, card) is not None:
        raise BonusError("CARD_ALREADY_BOUND", "Карта уже привязана к другому клиенту", f"card {card}")
    record = new_record(state, phone, card=card, bonuses=dec(data.get("regBonus") or state.program["regBonus"]))
    apply_profile(record, data)
    record["phoneConfirmed"] = phone in state.confirmed_phones
    state.customers[phone] = record
    if record["bonuses"]:
        state.record_activity(phone, "Начисление", "Приветственные бонусы", credit=record["bonuses"])
    return render_customer(state, record)


def edit(app, req, phone):
    """PATCH customer/{phone}: profile fields, ``card`` binds a card number, ``newCard`` changes the card type."""
    state, data = app.state, req.json_object()
    record = by_phone(state, phone)
    card = data.get("card")
    if card:
        owner = card_owner(state, card)
        if owner is not None and owner is not record:
            raise BonusError("CARD_ALREADY_BOUND", "Карта уже привязана к другому клиенту", f"card {card}")
        record["card"] = str(card)
    if data.get("newCard"):
        record["cardName"] = str(data["newCard"])
    apply_profile(record, data)
    return render_customer(state, record)


def customer_list(app, req):
    """POST customer/list with filters ``phone[]``, ``cardNumber[]`` and paging ``rowCount``/``startRow``."""
    state, data = app.state, req.json_object()
    phones, cards = data.get("phone") or [], data.get("cardNumber") or []
    rows = [r for r in state.customers.values()
            if (not phones or r["phone"] in phones) and (not cards or r["card"] in cards)]
    start = max(int(data.get("startRow") or 1), 1) - 1
    count = min(int(data.get("rowCount") or 1000), 1000)
    return [render_customer(state, r) for r in rows[start:start + count]]


def stat(app, req):
    return {"allCount": len(app.state.customers)}


def send_code(app, req, phone):
    """PUT customer/{phone}/sendCode: a new code replaces the previous one; 204."""
    state = app.state
    check_phone(phone)
    length = int(state.program["codeLength"])
    code = "".join(str(state.random.randrange(10)) for _ in range(length))
    now = state.now()
    expires = now.timestamp() + float(state.program["codeTtlSeconds"])
    state.codes[phone] = {"code": code, "expires": expires}
    state.sms.append({"phone": phone, "code": code, "sentAt": state.timestamp()})
    state.account["balance"] -= Decimal(str(state.program["smsPrice"]))
    return 204, None


def check_code(app, req, phone, code):
    """PUT customer/{phone}/checkCode/{code}: 204 once for the right unexpired code, else 412."""
    state = app.state
    check_phone(phone)
    sent = state.codes.get(phone)
    if sent is None:
        raise BonusError("CODE_NOT_SENT", "Код подтверждения не отправлялся", f"no code was sent to {phone}")
    if state.now().timestamp() >= sent["expires"]:
        del state.codes[phone]
        raise BonusError("CODE_EXPIRED", "Срок действия кода истек", "request a new code with sendCode")
    if code != sent["code"]:
        raise BonusError("INVALID_CODE", "Неверный код подтверждения", f"wrong code for {phone}")
    del state.codes[phone]
    state.confirmed_phones.add(phone)
    if phone in state.customers:
        state.customers[phone]["phoneConfirmed"] = True
    return 204, None


def reserve(app, req, phone):
    """PATCH customer/{phone}/balance/reserve {id, amount}: amount > 0 sets the reserve of ``id`` to it
    (so a repeated call does not add up), amount < 0 releases that much of it; 204."""
    state, data = app.state, req.json_object()
    record = by_phone(state, phone)
    reserve_id = data.get("id")
    if reserve_id in (None, ""):
        raise invalid("id", "Не указан идентификатор резерва")
    reserve_id = str(reserve_id)
    amount = money(dec(data.get("amount"), "amount"))
    key = (phone, reserve_id)
    current = state.reserves.get(key, Decimal(0))
    if amount > 0:
        free = record["bonuses"] - state.reserved(phone, except_id=reserve_id)
        if amount > free:
            raise BonusError("NOT_ENOUGH_BONUSES", "Недостаточно бонусов для резерва",
                             f"requested {amount}, available {free}")
        state.reserves[key] = amount
    elif amount < 0:
        left = current + amount
        if left > 0:
            state.reserves[key] = left
        else:
            state.reserves.pop(key, None)
    else:
        raise invalid("amount", "Сумма резерва не может быть нулевой")
    return 204, None


def balance(app, req, phone):
    """PATCH customer/{phone}/balance {amount}: a manual correction, ± bonuses."""
    state, data = app.state, req.json_object()
    record = by_phone(state, phone)
    amount = money(dec(data.get("amount"), "amount"))
    if record["bonuses"] + amount < 0:
        raise BonusError("NOT_ENOUGH_BONUSES", "Недостаточно бонусов", f"balance {record['bonuses']}")
    record["bonuses"] += amount
    state.record_activity(phone, "Ручное изменение", data.get("description") or "",
                          credit=max(amount, Decimal(0)), debit=max(-amount, Decimal(0)))
    return {"phoneNumber": phone, "amount": record["bonuses"]}


ROUTES = [
    ("customer", {"GET": find, "POST": register}),
    ("customer/list", {"POST": customer_list}),
    ("customer/stat", {"GET": stat}),
    ("customer/{phone}", {"PATCH": edit}),
    ("customer/{phone}/sendCode", {"PUT": send_code}),
    ("customer/{phone}/checkCode/{code}", {"PUT": check_code}),
    ("customer/{phone}/balance/reserve", {"PATCH": reserve}),
    ("customer/{phone}/balance", {"PATCH": balance}),
]
