"""Customer records and their API form (the ``Customer`` model of the reference, §3.1)."""

from decimal import Decimal

from .errors import BonusError, customer_not_found, invalid
from .state import PHONE, dec

# Fields a registration or profile edit may set, by their API names (UNVERIFIED ones: README.md).
PERSON = ("fn", "ln", "mn")
PROFILE = ("email", "address", "sex", "birthDate")
SEX = (0, 1, 2)  # CustomerSexTypes as 0 unknown, 1 male, 2 female (UNVERIFIED)


def check_phone(phone):
    if not isinstance(phone, str) or not PHONE.match(phone):
        raise BonusError("INVALID_PHONE", "Неверный формат номера телефона",
                         f"phone must be digits with the country code and no '+', got {phone!r}")
    return phone


def new_record(state, phone, card=None, bonuses=0):
    customer_id = state.next_id("customer")
    if not card:
        # BonusPlus issues a virtual card to a customer registered without one (number format UNVERIFIED).
        card = f"2{customer_id:012d}"
    return {
        "id": customer_id, "phone": phone, "card": str(card), "cardName": state.program["cardName"],
        "cardTypeId": state.program["cardTypeId"], "bonuses": dec(bonuses), "pending": Decimal(0),
        "purchasesTotal": Decimal(0), "person": {"fn": "", "ln": "", "mn": ""}, "email": None, "address": None,
        "sex": None, "birthDate": None, "cashier": None, "store": None, "phoneConfirmed": False,
        "discountPercent": None, "debitPercent": None, "bonusDebitDenied": False, "lastPurchaseDate": None,
    }


def load_record(view):
    record = {
        "id": view["id"], "phone": view["phone"], "card": view["discountCardNumber"],
        "cardName": view["discountCardName"], "cardTypeId": view["discountCardTypeId"],
        "bonuses": dec(view["bonuses"]), "pending": dec(view["notActiveBonuses"]),
        "purchasesTotal": dec(view["purchasesTotalSum"]), "person": dict(view["person"]),
        "bonusDebitDenied": view["bonusDebitDenided"], "lastPurchaseDate": view.get("lastPurchaseDate"),
        "discountPercent": view.get("ownDiscountPercent"), "debitPercent": view.get("ownDebitPercent"),
        "phoneConfirmed": view["phoneConfirmed"],
    }
    for name in PROFILE + ("cashier", "store"):
        record[name] = view.get(name)
    return record


def apply_profile(record, data):
    """Set the fields of ``data`` that a registration or PATCH may carry; unknown keys are ignored."""
    for name in PERSON:
        if name in data:
            record["person"][name] = str(data[name] or "")
    for name in ("email", "address"):
        if name in data:
            record[name] = data[name] or None
    birth = data.get("birthDate", data.get("bd")) if ("birthDate" in data or "bd" in data) else None
    if birth is not None:
        record["birthDate"] = str(birth)
    if "sex" in data:
        if data["sex"] not in SEX:
            raise invalid("sex", "Неверное значение пола")
        record["sex"] = data["sex"]
    if "cashier" in data:
        record["cashier"] = data["cashier"]
    if "store" in data:
        record["store"] = data["store"]


def render_customer(state, record):
    phone = record["phone"]
    program = state.program
    available = state.available(phone)
    return {
        "id": record["id"], "phone": phone,
        "discountCardNumber": record["card"], "discountCardName": record["cardName"],
        "discountCardTypeId": record["cardTypeId"], "nextCardName": None,
        "purchasesTotalSum": record["purchasesTotal"], "purchasesSumToNextCard": 0,
        "availableBonuses": available, "notActiveBonuses": record["pending"],
        "allBonuses": available + record["pending"],
        "baseDiscountPercent": record["discountPercent"] if record["discountPercent"] is not None
        else program["discountPercent"],
        "baseBonusDebitPercent": record["debitPercent"] if record["debitPercent"] is not None
        else program["maxDebitPercent"],
        "bonusDebitDenided": record["bonusDebitDenied"],
        "multiplicityDebitBonus": program["multiplicity"],
        "lastPurchaseDate": record["lastPurchaseDate"],
        "nearestBonusesExpirationAmount": 0, "nearestBonusesExpirationDate": None,
        "person": dict(record["person"], sex=record["sex"], birthDate=record["birthDate"], email=record["email"]),
    }


def by_phone(state, phone):
    record = state.customers.get(check_phone(phone))
    if record is None:
        raise customer_not_found(f"no customer with phone {phone}")
    return record


def by_card(state, card):
    for record in state.customers.values():
        if record["card"] == str(card):
            return record
    raise customer_not_found(f"no customer with card {card}")


def by_id(state, customer_id):
    for record in state.customers.values():
        if str(record["id"]) == str(customer_id):
            return record
    raise customer_not_found(f"no customer with id {customer_id}")


def card_owner(state, card):
    for record in state.customers.values():
        if record["card"] == str(card):
            return record
    return None
