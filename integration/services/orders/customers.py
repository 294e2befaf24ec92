"""Finding or creating the local customer of an imported order (E1)."""

from django.db import IntegrityError, transaction

from integration.models import Customer


def _phone(data: dict) -> str:
    phones = data.get("phones") or []
    if phones and isinstance(phones[0], dict):
        return phones[0].get("number") or ""
    return data.get("phone") or ""


def sync_customer_from_crm(order: dict, *, corporate_mode: bool = False) -> Customer | None:
    """CRM id, else external id, else phone or e-mail, else a new customer."""
    data = order.get("customer") or {}
    crm_id = data.get("id")
    is_company = corporate_mode and data.get("type") == "customer_corporate"
    id_field = "crm_corporate_id" if is_company else "crm_id"
    phone = _phone(data) or order.get("phone") or ""
    email = data.get("email") or order.get("email") or ""
    external_id = data.get("externalId") or None

    customer = None
    if crm_id:
        customer = Customer.objects.filter(**{id_field: crm_id}).first()
    if customer is None and external_id:
        customer = Customer.objects.filter(external_id=external_id).first()
    if customer is None and phone:
        customer = Customer.objects.filter(phone=phone).first()
    if customer is None and email:
        customer = Customer.objects.filter(email__iexact=email).first()

    values = {
        "first_name": data.get("firstName") or order.get("firstName") or "",
        "last_name": data.get("lastName") or order.get("lastName") or "",
        "patronymic": data.get("patronymic") or order.get("patronymic") or "",
        "phone": phone, "email": email,
    }
    if is_company:
        values.update(kind=Customer.Kind.COMPANY, company_name=data.get("nickName") or data.get("name") or "")
    if customer is None:
        try:
            with transaction.atomic():  # a concurrent import may create the same customer
                return Customer.objects.create(**values, **{id_field: crm_id}, external_id=external_id)
        except IntegrityError:
            return Customer.objects.get(**{id_field: crm_id})
    changed = False
    for name, value in values.items():
        if value and getattr(customer, name) != value:
            setattr(customer, name, value)
            changed = True
    if crm_id and getattr(customer, id_field) is None:
        setattr(customer, id_field, crm_id)
        changed = True
    if changed:
        customer.save()
    return customer
