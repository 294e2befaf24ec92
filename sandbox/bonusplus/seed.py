"""Seeds: ``demo`` (the manual's card and two more customers) and ``empty``.

The manual's "Информация по бонусам" shows card 123456789, phone 70001110000 and 100 bonuses.
"""

from .customers import new_record, apply_profile

DEMO_CUSTOMERS = [
    {"phone": "70001110000", "card": "123456789", "bonuses": 100, "fn": "Иван", "ln": "Петров"},
    {"phone": "79990000001", "card": "2000000000017", "bonuses": 320, "fn": "Мария", "ln": "Смирнова",
     "phoneConfirmed": True},
    {"phone": "79990000002", "card": "2000000000024", "bonuses": 0, "fn": "Олег", "ln": "Кузнецов"},
]


def add_customer(state, data):
    """Create or replace one customer from operator data (API field names plus ``bonuses`` and flags)."""
    from .customers import check_phone

    phone = check_phone(str(data.get("phone", "")))
    old = state.customers.pop(phone, None)
    record = new_record(state, phone, card=data.get("card"), bonuses=data.get("bonuses", 0))
    if old is not None:
        record["id"] = old["id"]
    apply_profile(record, data)
    for name, key in (("phoneConfirmed", "phoneConfirmed"), ("bonusDebitDenied", "bonusDebitDenied"),
                      ("discountPercent", "discountPercent"), ("debitPercent", "debitPercent"),
                      ("cardName", "cardName")):
        if key in data:
            record[name] = data[key]
    if "pending" in data:
        from .state import dec

        record["pending"] = dec(data["pending"])
    state.customers[phone] = record
    return record


def apply_seed(state, seed):
    if seed == "empty":
        return
    if seed != "demo":
        raise ValueError(f"unknown seed {seed!r}")
    for data in DEMO_CUSTOMERS:
        add_customer(state, data)
