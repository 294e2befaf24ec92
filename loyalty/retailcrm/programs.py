"""G1: the shop's loyalty programs mirrored from RetailCRM, and the chosen program's accounts."""

from dataclasses import dataclass

from django.utils import timezone

from integration.retailcrm.client.client import RetailCrmClient
from loyalty.retailcrm.models import LoyaltyProgram, LoyaltySettings
from loyalty.retailcrm.accounts import link_program_accounts


@dataclass
class RefreshReport:
    programs: int
    vanished: list[str]
    accounts: int


def _program_values(data: dict, now) -> dict:
    values = {
        "name": data.get("name") or f"#{data['id']}",
        "active": bool(data.get("active")),
        "blocked": bool(data.get("blocked")),
        "confirm_sms_registration": bool(data.get("confirmSmsRegistration")),
        "confirm_sms_charge": bool(data.get("confirmSmsCharge")),
        "currency": data.get("currency") or "",
        "in_crm": True,
        "refreshed_at": now,
    }
    if isinstance(data.get("levels"), list):
        values["levels"] = data["levels"]
    return values


def refresh_programs(client: RetailCrmClient, site: str | list[str] | None) -> RefreshReport:
    """Programs of ``site`` (a shop code, or every shop of a list); the chosen one in detail (levels)
    with its participants' accounts."""
    now = timezone.now()
    sites = [code for code in ([site] if isinstance(site, str) else site or []) if code]
    found = list(client.loyalties(filter={"sites": sites} if sites else None))
    seen = set()
    for data in found:
        program, _ = LoyaltyProgram.objects.update_or_create(crm_id=int(data["id"]), defaults=_program_values(data, now))
        seen.add(program.pk)
    gone = LoyaltyProgram.objects.exclude(pk__in=seen).filter(in_crm=True)
    vanished = [str(p) for p in gone]
    gone.update(in_crm=False, refreshed_at=now)

    settings = LoyaltySettings.get_solo()
    accounts = 0
    program = settings.program
    if program is not None:
        program.refresh_from_db()
    if program is not None and program.in_crm:
        detail = client.loyalty(program.crm_id)  # the list may omit the levels
        LoyaltyProgram.objects.filter(pk=program.pk).update(**_program_values(detail, now))
        program.refresh_from_db()
        filter = {"loyalties": [program.crm_id], **({"sites": sites} if sites else {})}
        accounts = link_program_accounts(client.loyalty_accounts(filter=filter), program)
    LoyaltySettings.objects.filter(pk=settings.pk).update(programs_refreshed_at=now)
    return RefreshReport(programs=len(found), vanished=vanished, accounts=accounts)
