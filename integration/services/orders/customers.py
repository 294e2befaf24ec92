"""Finding or creating the local customer of an imported order (E1).

Matching order: CRM id (or corporate id), else external id, else phone, else e-mail, else a
new customer. The customers a batch of orders may match are read in one query up front, and
customers first seen in the batch are shared by its later orders instead of created twice.
"""

from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from integration.models import Customer


def _phone(data: dict) -> str:
    phones = data.get("phones")
    if isinstance(phones, list) and phones and isinstance(phones[0], dict):
        return _text(phones[0].get("number"))
    return _text(data.get("phone"))


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _crm_id(value) -> int | None:
    return value if type(value) is int and value > 0 else None


class CustomerMatch:
    """What an order says about its customer, normalised once."""

    def __init__(self, order: dict, corporate_mode: bool):
        data = order.get("customer") if isinstance(order.get("customer"), dict) else {}
        self.crm_id = _crm_id(data.get("id"))
        self.is_company = corporate_mode and data.get("type") == "customer_corporate"
        self.id_field = "crm_corporate_id" if self.is_company else "crm_id"
        self.phone = _text(_phone(data)) or _text(order.get("phone"))
        self.email = _text(data.get("email")) or _text(order.get("email"))
        self.external_id = _text(data.get("externalId")) or None
        self.values = {
            "first_name": _text(data.get("firstName")) or _text(order.get("firstName")),
            "last_name": _text(data.get("lastName")) or _text(order.get("lastName")),
            "patronymic": _text(data.get("patronymic")) or _text(order.get("patronymic")),
            "phone": self.phone, "email": self.email,
        }
        if self.is_company:
            self.values.update(kind=Customer.Kind.COMPANY,
                               company_name=_text(data.get("nickName")) or _text(data.get("name")))


class CustomerBook:
    """The customers of a batch of orders: preloaded, matched, created or updated in bulk."""

    def __init__(self, orders: list[dict], corporate_mode: bool):
        self.corporate_mode = corporate_mode
        self.matches = [CustomerMatch(order, corporate_mode) for order in orders]
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
        for field, values in (("external_id", {m.external_id for m in self.matches if m.external_id}),
                              ("phone", {m.phone for m in self.matches if m.phone})):
            if values:
                query |= Q(**{f"{field}__in": values})
        emails = {m.email.lower() for m in self.matches if m.email}
        rows = Customer.objects.annotate(email_lower=Lower("email")).filter(query | Q(email_lower__in=emails))
        for customer in rows.order_by("last_name", "first_name", "company_name", "pk"):
            self._remember(customer)

    def _remember(self, customer: Customer) -> None:
        for key in (("crm_id", customer.crm_id), ("crm_corporate_id", customer.crm_corporate_id),
                    ("external_id", customer.external_id), ("phone", customer.phone),
                    ("email", (customer.email or "").lower())):
            if key[1]:
                self._index.setdefault(key, customer)

    def _find(self, match: CustomerMatch) -> Customer | None:
        for key in ((match.id_field, match.crm_id), ("external_id", match.external_id), ("phone", match.phone),
                    ("email", match.email.lower())):
            if key[1] and key in self._index:
                return self._index[key]
        return None

    def customer_for(self, order: dict) -> Customer:
        """The (possibly not yet saved) customer of ``order``; call :meth:`save` before saving orders."""
        match = CustomerMatch(order, self.corporate_mode)
        customer = self._find(match)
        if customer is None:
            customer = Customer(**match.values, **{match.id_field: match.crm_id}, external_id=match.external_id)
            self.new.append(customer)
        else:
            changed = False
            for name, value in match.values.items():
                if value and getattr(customer, name) != value:
                    setattr(customer, name, value)
                    changed = True
            if match.crm_id and getattr(customer, match.id_field) is None:
                setattr(customer, match.id_field, match.crm_id)
                changed = True
            if changed and customer.pk is not None:
                self.changed[customer.pk] = customer
        self._remember(customer)
        return customer

    def save(self) -> None:
        if self.new:
            Customer.objects.bulk_create(self.new)
        if self.changed:
            fields = ["kind", "first_name", "last_name", "patronymic", "company_name", "phone", "email",
                      "crm_id", "crm_corporate_id", "updated_at"]
            now = timezone.now()
            for customer in self.changed.values():
                customer.updated_at = now
            Customer.objects.bulk_update(list(self.changed.values()), fields)
