"""Local customers in every situation mass registration meets (000 §7)."""

from dataclasses import dataclass, field

from integration.models import Customer


@dataclass
class Mix:
    participants: list[int] = field(default_factory=list)  # linked to CRM customers that already have an account
    in_crm: list[int] = field(default_factory=list)  # linked by CRM id, no account yet
    by_external_id: list[int] = field(default_factory=list)  # same externalId as a CRM customer, no CRM id stored
    by_phone: list[int] = field(default_factory=list)  # only the phone matches a CRM customer
    no_phone: list[int] = field(default_factory=list)
    bad_email: list[int] = field(default_factory=list)  # RetailCRM refuses to create them
    new: list[int] = field(default_factory=list)

    @property
    def all_ids(self) -> list[int]:
        return sorted(self.participants + self.in_crm + self.by_external_id + self.by_phone + self.no_phone
                      + self.bad_email + self.new)

    @property
    def to_create(self) -> list[int]:
        return self.in_crm + self.by_external_id + self.by_phone + self.new


def mixed_customers(state, total: int = 300) -> Mix:
    """``total`` local customers: 10 participants, 15 in the CRM, 5 by externalId, 5 by phone, 30 without
    a phone, 1 with an e-mail RetailCRM rejects, and the rest new to the CRM."""
    members = {a["customerId"] for a in state.loyalty_accounts.values()}
    main = sorted((c for c in state.customers.values() if c["site"] == "main-shop"), key=lambda c: c["id"])
    free = [c for c in main if c["id"] not in members]
    with_external = [c for c in free if c.get("externalId")]
    mix = Mix()

    def add(bucket, **values):
        values.setdefault("last_name", f"Клиент{len(mix.all_ids) + 1:04d}")
        values.setdefault("first_name", "Тест")
        bucket.append(Customer.objects.create(**values).pk)

    for crm_customer in [c for c in main if c["id"] in members][:10]:
        add(mix.participants, crm_id=crm_customer["id"], phone=crm_customer["phones"][0]["number"])
    for crm_customer in free[:15]:
        add(mix.in_crm, crm_id=crm_customer["id"], phone=f"8 (800) 100-{crm_customer['id']:04d}")
    used = {c["id"] for c in free[:15]}
    rest = [c for c in with_external if c["id"] not in used]
    for crm_customer in rest[:5]:
        add(mix.by_external_id, external_id=crm_customer["externalId"], phone=f"+7 800 200-{crm_customer['id']:04d}")
    used |= {c["id"] for c in rest[:5]}
    for crm_customer in [c for c in free if c["id"] not in used][:5]:
        digits = "".join(ch for ch in crm_customer["phones"][0]["number"] if ch.isdigit())
        add(mix.by_phone, phone="8" + digits[1:])  # the same phone typed the local way
    for n in range(30):
        add(mix.no_phone, email=f"nophone{n}@example.com")
    add(mix.bad_email, phone="+7 700 000-00-01", email="not an e-mail")
    n = 0
    while len(mix.all_ids) < total:
        n += 1
        add(mix.new, phone=f"+7 701 {n:03d}-{n % 97:02d}-{n % 89:02d}", email=f"new{n}@example.com",
            gender=Customer.Gender.FEMALE if n % 2 else Customer.Gender.MALE, address=f"Москва, ул. Новая, {n}")
    return mix
