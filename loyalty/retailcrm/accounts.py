"""Participation rows: what the CRM says about a customer's account, kept locally (G3, G4)."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.timezone import get_current_timezone, is_naive, make_aware

from integration.retailcrm.client.client import RetailCrmClient
from integration.models import Customer
from loyalty.retailcrm.models import LoyaltyProgram, Participation

ACTIVATED = Participation.Status.ACTIVATED


def _money(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def _crm_datetime(value):
    parsed = parse_datetime(str(value)) if value else None
    if parsed is not None and is_naive(parsed):
        parsed = make_aware(parsed, get_current_timezone())  # the CRM sends account-local times
    return parsed


def store_account(customer: Customer, program: LoyaltyProgram, account: dict) -> Participation:
    """Create or update the customer's participation from a CRM LoyaltyAccount."""
    status = account.get("status") or ""
    values = {
        "customer": customer,
        "program": program,
        "crm_account_id": int(account["id"]),
        "status": status if status in Participation.Status.values else "",
        "active": bool(account.get("active", status == ACTIVATED)),
        "phone": account.get("phoneNumber") or "",
        "card_number": account.get("cardNumber") or "",
        "balance": _money(account.get("amount")),
        "purchases_sum": _money(account.get("ordersSum")),
        "next_level_sum": _money(account.get("nextLevelSum")),
        "level": account.get("level") if isinstance(account.get("level"), dict) else {},
        "registered_at": _crm_datetime(account.get("createdAt")),
        "activated_at": _crm_datetime(account.get("activatedAt")),
        "fetched_at": timezone.now(),
    }
    with transaction.atomic():
        row = (
            Participation.objects.select_for_update().filter(crm_account_id=values["crm_account_id"]).first()
            or Participation.objects.select_for_update().filter(customer=customer, program=program).first()
            or Participation()
        )
        for name, value in values.items():
            setattr(row, name, value)
        row.save()
    return row


def refresh_account(client: RetailCrmClient, participation: Participation) -> Participation:
    """G4 "refresh": read the bonus account from the CRM into the participation row."""
    account = client.loyalty_account(participation.crm_account_id)
    return store_account(participation.customer, participation.program, account)


def link_program_accounts(accounts, program: LoyaltyProgram) -> int:
    """Store every CRM account whose customer is known locally by CRM id; returns how many were stored."""
    accounts = [a for a in accounts if (a.get("customer") or {}).get("id")]
    crm_ids = {int(a["customer"]["id"]) for a in accounts}
    customers = {c.crm_id: c for c in Customer.objects.filter(crm_id__in=crm_ids)}
    stored = 0
    for account in accounts:
        customer = customers.get(int(account["customer"]["id"]))
        if customer is not None:
            store_account(customer, program, account)
            stored += 1
    return stored
