"""The account's in-memory data: programme rules, customers, reserves, purchases, catalogue, SMS codes.

Amounts are ``Decimal`` inside and JSON numbers outside (:func:`num`). Handlers hold ``state.lock``
for the whole request, so each call is atomic. The clock can be moved forward by the operator
(``POST /sandbox/clock``), so code expiry is tested without waiting.
"""

import datetime
import json
import os
import random
import re
import tempfile
import threading
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from ..http.web import clone

KOPECK = Decimal("0.01")

PROGRAM_DEFAULTS = {
    "discountPercent": 0,        # discount the programme itself gives (CalcResult ids/idp)
    "accrualPercent": 5,         # bonuses earned, % of what is paid in money
    "maxDebitPercent": 50,       # at most this % of the check (after discounts) payable with bonuses
    "multiplicity": 1,           # a debit must be a multiple of this
    "cardName": "Базовая",       # discountCardName of new customers
    "cardTypeId": 1,
    "regBonus": 0,               # welcome bonus credited at registration
    "codeTtlSeconds": 300,       # how long an SMS code is valid
    "codeLength": 4,
    "smsPrice": 2.5,             # taken from the account balance per SMS sent
    "duplicateExternalId": "refuse",  # "refuse" (412) or "return" (the first purchase) on a repeated externalId
    "products": {},              # {product or group id: {discountPercent?, accrualPercent?, maxDebitPercent?}}
}
RULE_KEYS = ("discountPercent", "accrualPercent", "maxDebitPercent")

PHONE = re.compile(r"^[1-9]\d{10,14}$")


def dec(value, field="amount"):
    from .errors import invalid

    if isinstance(value, bool):
        raise invalid(field, f"Неверное значение {field}")
    try:
        result = Decimal(str(value if value not in (None, "") else 0))
    except ArithmeticError:
        raise invalid(field, f"Неверное значение {field}") from None
    if not result.is_finite():
        raise invalid(field, f"Неверное значение {field}")
    return result


def money(value):
    return Decimal(value).quantize(KOPECK, rounding=ROUND_HALF_UP)


def floor_money(value):
    return Decimal(value).quantize(KOPECK, rounding=ROUND_DOWN)


def floor_to(value, step):
    """The largest multiple of ``step`` not above ``value`` (step <= 0: kopecks)."""
    step = Decimal(step)
    if step <= 0:
        return floor_money(value)
    return (Decimal(value) / step).to_integral_value(rounding=ROUND_DOWN) * step


def num(value):
    """JSON form of an amount: 150 stays an integer, 36.76 a float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def jsonable(value):
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return num(value)


def validate_program(rules):
    unknown = set(rules) - set(PROGRAM_DEFAULTS)
    if unknown:
        raise ValueError(f"unknown programme rules: {', '.join(sorted(unknown))}")
    for name in ("discountPercent", "accrualPercent", "maxDebitPercent"):
        if name in rules and not 0 <= Decimal(str(rules[name])) <= 100:
            raise ValueError(f"{name} must be between 0 and 100")
    if "multiplicity" in rules and Decimal(str(rules["multiplicity"])) < 0:
        raise ValueError("multiplicity must not be negative")
    if rules.get("duplicateExternalId", "refuse") not in ("refuse", "return"):
        raise ValueError('duplicateExternalId must be "refuse" or "return"')
    for key, product_rules in (rules.get("products") or {}).items():
        if not isinstance(product_rules, dict) or set(product_rules) - set(RULE_KEYS):
            raise ValueError(f"products[{key}] may only set {', '.join(RULE_KEYS)}")


class State:
    def __init__(self, seed="demo"):
        self.lock = threading.RLock()
        self.seed = seed
        self.reset()

    # ----- lifecycle -------------------------------------------------------------------------

    def reset(self):
        from .seed import apply_seed

        with self.lock:
            self.clock_offset = 0.0
            self.program = clone(PROGRAM_DEFAULTS)
            self.customers = {}       # phone -> record (see customers.new_record)
            self.reserves = {}        # (phone, reserve id) -> Decimal amount
            self.purchases = {}       # id -> purchase
            self.external_ids = {}    # externalId -> purchase id
            self.products = {}        # id -> ProductTiny as imported (plus "store")
            self.imports = []         # one entry per product/import call
            self.codes = {}           # phone -> {code, sentAt, expiresAt}
            self.sms = []             # every code sent, for tests and the demo (the "phone")
            self.activities = []      # bonus movements, newest last
            self.confirmed_phones = set()
            self.account = {"balance": Decimal("1000"), "tariff": "Sandbox", "username": "sandbox",
                            "smsPrice": Decimal("2.5"), "pushPrice": Decimal("0")}
            self.seq = {"customer": 0, "purchase": 0, "card": 0}
            self.random = random.Random(0)  # SMS codes repeat from one reset to the next
            apply_seed(self, self.seed)

    def next_id(self, kind):
        self.seq[kind] += 1
        return self.seq[kind]

    # ----- clock -----------------------------------------------------------------------------

    def now(self):
        return datetime.datetime.now() + datetime.timedelta(seconds=self.clock_offset)

    def timestamp(self):
        return self.now().strftime("%Y-%m-%dT%H:%M:%S")

    # ----- balances --------------------------------------------------------------------------

    def reserved(self, phone, except_id=None):
        return sum((amount for (owner, rid), amount in self.reserves.items()
                    if owner == phone and rid != except_id), Decimal(0))

    def available(self, phone, except_reserve=None):
        """What the customer may spend now: active bonuses less every other reserve."""
        return self.customers[phone]["bonuses"] - self.reserved(phone, except_reserve)

    def record_activity(self, phone, name, description, credit=0, debit=0):
        self.activities.append({
            "phone": phone, "receiptDate": self.timestamp(), "transactionName": name, "description": description,
            "bonusCredit": money(credit), "bonusDebit": money(debit),
            "remainAmount": self.customers[phone]["bonuses"],
        })

    # ----- programme rules -------------------------------------------------------------------

    def rules_for(self, product_id, record=None):
        """Rules for one line: the product's own, else its nearest group's, else the customer's, else the
        programme's."""
        rules = {key: Decimal(str(self.program[key])) for key in RULE_KEYS}
        if record is not None:
            own_rules = (("discountPercent", record["discountPercent"]), ("maxDebitPercent", record["debitPercent"]))
            for key, own in own_rules:
                if own is not None:
                    rules[key] = Decimal(str(own))
        chain, seen, node = [], set(), product_id
        while node not in (None, "") and node not in seen:
            seen.add(node)
            chain.append(node)
            node = (self.products.get(node) or {}).get("pid")
        for node in reversed(chain):  # farthest group first, so the nearest overrides
            for key, value in (self.program["products"].get(node) or {}).items():
                rules[key] = Decimal(str(value))
        return rules

    # ----- views -----------------------------------------------------------------------------

    def snapshot(self):
        from .customers import render_customer

        customers = []
        for phone, record in self.customers.items():
            view = render_customer(self, record)
            view.update({"bonuses": record["bonuses"], "reserved": self.reserved(phone),
                         "phoneConfirmed": record["phoneConfirmed"], "email": record.get("email"),
                         "sex": record.get("sex"), "birthDate": record.get("birthDate"),
                         "address": record.get("address"), "cashier": record.get("cashier"),
                         "store": record.get("store"), "ownDiscountPercent": record["discountPercent"],
                         "ownDebitPercent": record["debitPercent"]})
            customers.append(view)
        return jsonable({
            "customers": customers,
            "reserves": [{"phone": phone, "id": rid, "amount": amount}
                         for (phone, rid), amount in self.reserves.items()],
            "purchases": list(self.purchases.values()),
            "products": list(self.products.values()),
            "imports": self.imports,
            "sms": self.sms,
            "activities": self.activities,
            "account": self.account,
            "program": self.program,
            "clock": self.timestamp(),
            "counts": {"customers": len(self.customers), "reserves": len(self.reserves),
                       "purchases": len(self.purchases), "products": len(self.products)},
        })

    # ----- persistence (python -m sandbox.bonusplus --state FILE) ----------------------------

    def save(self, path):
        with self.lock:
            data = json.dumps({"snapshot": self.snapshot(), "seq": self.seq}, ensure_ascii=False)
        directory = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(data)
        os.replace(tmp, path)

    def load(self, path):
        from .customers import load_record

        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        snap = data["snapshot"]
        with self.lock:
            self.reset()
            self.customers = {}
            self.program = snap["program"]
            for view in snap["customers"]:
                self.customers[view["phone"]] = load_record(view)
            self.reserves = {(r["phone"], r["id"]): Decimal(str(r["amount"])) for r in snap["reserves"]}
            self.purchases = {p["id"]: p for p in snap["purchases"]}
            self.external_ids = {p["externalId"]: p["id"] for p in snap["purchases"] if p.get("externalId")}
            self.products = {p["id"]: p for p in snap["products"]}
            self.imports, self.sms, self.activities = snap["imports"], snap["sms"], snap["activities"]
            self.seq.update(data["seq"])
