"""Finding or creating the local customer of an imported order (E1).

A person is matched by CRM id, else external id, else phone (however it was typed: the one rule of
integration/documents/phones.py), else e-mail, else created.
In corporate mode (CrmSettings.corporate_customers) an order of a company (``customer.type`` is
``customer_corporate``) belongs to the company, matched by its corporate CRM id ONLY: a company
shares phones and e-mails with the people who act for it, and matching it by them turned a
person's record into the company. The order's ``contact`` is kept as a separate person linked to
the company (``Customer.company``). Without corporate mode such an order belongs to its contact.

The customers a batch of orders may match are read in one query up front, and customers first
seen in the batch are shared by its later orders instead of created twice.
"""

from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from integration.documents.phones import normalize as phone_key, spellings
from integration.models import Customer

CORPORATE = "customer_corporate"


def _phone(data: dict) -> str:
    phones = data.get("phones")
    if isinstance(phones, list) and phones and isinstance(phones[0], dict):
        return _text(phones[0].get("number"))
    return _text(data.get("phone"))


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _crm_id(value) -> int | None:
    return value if type(value) is int and value > 0 else None


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


class PersonMatch:
    """What an order says about the person who placed it, normalised once."""

    is_company = False
    id_field = "crm_id"

    def __init__(self, data: dict, order: dict):
        self.crm_id = _crm_id(data.get("id"))
        self.phone = _text(_phone(data)) or _text(order.get("phone"))
        self.email = _text(data.get("email")) or _text(order.get("email"))
        self.external_id = _text(data.get("externalId")) or None
        self.values = {
            "first_name": _text(data.get("firstName")) or _text(order.get("firstName")),
            "last_name": _text(data.get("lastName")) or _text(order.get("lastName")),
            "patronymic": _text(data.get("patronymic")) or _text(order.get("patronymic")),
            "phone": self.phone, "email": self.email,
        }

    def keys(self):
        return (("crm_id", self.crm_id), ("external_id", self.external_id), ("phone", phone_key(self.phone)),
                ("email", self.email.lower()))


class CompanyMatch:
    """A corporate customer: its corporate CRM id is the only key."""

    is_company = True
    id_field = "crm_corporate_id"
    phone = email = ""
    external_id = None

    def __init__(self, data: dict, order: dict):
        company = _dict(order.get("company"))
        contragent = _dict(company.get("contragent")) or _dict(order.get("contragent"))
        self.crm_id = _crm_id(data.get("id"))
        self.values = {
            "kind": Customer.Kind.COMPANY,
            "company_name": _text(company.get("name")) or _text(data.get("nickName")) or _text(data.get("name"))
            or _text(contragent.get("legalName")),
            "inn": _text(contragent.get("INN"))[:12],
        }
        self.corporate_external_id = _text(data.get("externalId")) or None

    def keys(self):
        return (("crm_corporate_id", self.crm_id),)


class OrderCustomers:
    """The customer an order belongs to and, for a company's order, its contact person."""

    def __init__(self, order: dict, corporate_mode: bool):
        customer = _dict(order.get("customer"))
        self.company = self.person = None
        if customer.get("type") == CORPORATE:
            contact = _dict(order.get("contact"))
            if corporate_mode:
                self.company = CompanyMatch(customer, order)
                # The contact's own name and phone, not the order's (which may be the company's switchboard).
                self.person = PersonMatch(contact, {}) if contact else None
            else:
                self.person = PersonMatch(contact, order)
        else:
            self.person = PersonMatch(customer, order)

    def matches(self):
        return [m for m in (self.company, self.person) if m is not None]


class CustomerBook:
    """The customers of a batch of orders: preloaded, matched, created or updated in bulk."""

    def __init__(self, orders: list[dict], corporate_mode: bool):
        self.corporate_mode = corporate_mode
        self.matches = [m for order in orders for m in OrderCustomers(order, corporate_mode).matches()]
        self._index: dict[tuple[str, object], Customer] = {}
        self.new: list[Customer] = []
        self.changed: dict[int, Customer] = {}
        self._load()

    def _load(self) -> None:
        query = Q(pk__in=[])
        for field in ("crm_id", "crm_corporate_id"):
            ids = {m.crm_id for m in self.matches if m.crm_id and m.id_field == field}
            if ids:
                query |= Q(**{f"{field}__in": ids})
        people = [m for m in self.matches if not m.is_company]
        for field, values in (("external_id", {m.external_id for m in people if m.external_id}),
                              # the same phone however it was typed, here or in the CRM
                              ("phone", {text for m in people for text in spellings(m.phone)})):
            if values:
                query |= Q(**{f"{field}__in": values})
        emails = {m.email.lower() for m in people if m.email}
        rows = Customer.objects.annotate(email_lower=Lower("email")).filter(query | Q(email_lower__in=emails))
        for customer in rows.order_by("last_name", "first_name", "company_name", "pk"):
            self._remember(customer)

    def _remember(self, customer: Customer) -> None:
        if customer.crm_corporate_id:
            self._index.setdefault(("crm_corporate_id", customer.crm_corporate_id), customer)
        if customer.kind == Customer.Kind.COMPANY:
            return  # a company is never found by a person's keys
        for key in (("crm_id", customer.crm_id), ("external_id", customer.external_id),
                    ("phone", phone_key(customer.phone)),
                    ("email", (customer.email or "").lower())):
            if key[1]:
                self._index.setdefault(key, customer)

    def _find(self, match) -> Customer | None:
        for key in match.keys():
            if key[1] and key in self._index:
                return self._index[key]
        return None

    def _customer(self, match) -> Customer:
        customer = self._find(match)
        if customer is None:
            extra = {} if match.is_company else {"external_id": match.external_id}
            customer = Customer(**match.values, **{match.id_field: match.crm_id}, **extra)
            self.new.append(customer)
        else:
            changed = False
            for name, value in match.values.items():
                if name == "phone" and phone_key(value) == phone_key(customer.phone):
                    continue  # the same phone spelled another way: the card keeps how it was entered
                if value and getattr(customer, name) != value:
                    setattr(customer, name, value)
                    changed = True
            if match.crm_id and getattr(customer, match.id_field) is None:
                setattr(customer, match.id_field, match.crm_id)
                changed = True
            if changed:
                self._changed(customer)
        self._remember(customer)
        return customer

    def _changed(self, customer: Customer) -> None:
        if customer.pk is not None:
            self.changed[customer.pk] = customer

    def customers_for(self, order: dict) -> tuple[Customer, Customer | None]:
        """(the customer, the contact person or None), possibly not yet saved: call :meth:`save` first."""
        found = OrderCustomers(order, self.corporate_mode)
        if found.company is None:
            return self._customer(found.person), None
        company = self._customer(found.company)
        if found.person is None:
            return company, None
        contact = self._customer(found.person)
        if company.pk is None or contact.company_id != company.pk:
            contact.company = company
            self._changed(contact)
        return company, contact

    def save(self) -> None:
        # Companies first: a new contact person points at its (new) company.
        companies = [c for c in self.new if c.kind == Customer.Kind.COMPANY]
        if companies:
            Customer.objects.bulk_create(companies)
        people = [c for c in self.new if c.kind != Customer.Kind.COMPANY]
        if people:
            Customer.objects.bulk_create(people)
        if self.changed:
            fields = ["kind", "first_name", "last_name", "patronymic", "company_name", "inn", "phone", "email",
                      "crm_id", "crm_corporate_id", "company", "updated_at"]
            now = timezone.now()
            for customer in self.changed.values():
                customer.updated_at = now
            Customer.objects.bulk_update(list(self.changed.values()), fields)
