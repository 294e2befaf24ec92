"""H3 binding (004 §§4–7): card not found → phone → confirm → SMS code (skippable after N s) → client form.

The order of calls is ours to keep (reference §4.3: nothing shows that POST /customer needs a
verified code): the form is saved only after the code was confirmed, skipped after the wait, or
not required by the settings. A skipped phone is asked again next time (a new PhoneCheck state).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_noop

from integration.exchange.messages import stored
from loyalty.bonusplus import assumptions, errors, phones
from loyalty.bonusplus.cashiers import cashier_field
from loyalty.bonusplus.models import BonusPlusSettings, PhoneCheck


def _phone(raw: str) -> str:
    phone = phones.normalise(raw)
    if not phone:
        raise errors.BadPhone()
    return phone


@dataclass
class Step:
    phone: str
    code_needed: bool  # the cashier must type the SMS code (or wait to skip it)
    skip_in: int = 0  # seconds until the code may be skipped


def begin(client, raw_phone: str, settings: BonusPlusSettings) -> Step:
    """Confirmed binding of the card to ``raw_phone``: send the code when the programme requires one."""
    phone = _phone(raw_phone)
    check, _ = PhoneCheck.objects.get_or_create(phone=phone)
    if not settings.sms_required or check.verified_at:
        return Step(phone, False)
    client.send_code(phone)
    check.code_sent_at, check.skipped_at = timezone.now(), None
    check.save(update_fields=["code_sent_at", "skipped_at"])
    return Step(phone, True, settings.sms_skip_seconds)


def confirm(client, raw_phone: str, code: str) -> None:
    phone = _phone(raw_phone)
    code = (code or "").strip()
    if not code.isdigit() or len(code) not in assumptions.SMS_CODE_LENGTHS:
        raise errors.WrongSmsCode(stored(gettext_noop("The SMS code is %(lengths)s digits; check what the customer read out."),
                                         lengths="–".join(str(n) for n in (min(assumptions.SMS_CODE_LENGTHS),
                                                                           max(assumptions.SMS_CODE_LENGTHS)))))
    check = PhoneCheck.objects.filter(phone=phone).first()
    if check is None or check.code_sent_at is None:
        raise errors.SmsCodeExpired(stored(gettext_noop("No code was sent to %(phone)s; send the code first."), phone=phone))
    if timezone.now() - check.code_sent_at > timedelta(seconds=assumptions.SMS_CODE_TTL_SECONDS):
        raise _expired(phone)
    try:
        client.check_code(phone, code)
    except errors.WrongSmsCode as exc:
        if "EXPIRE" in (exc.code or "").upper():
            raise _expired(phone) from None
        raise errors.WrongSmsCode(stored(gettext_noop("The SMS code is wrong: %(msg)s"), msg=exc.msg or exc.code),
                                  code=exc.code, msg=exc.msg) from None
    check.verified_at = timezone.now()
    check.save(update_fields=["verified_at"])


def _expired(phone):
    return errors.SmsCodeExpired(stored(gettext_noop(
        "The SMS code sent to %(phone)s has expired; send a new code."), phone=phone))


def skip(raw_phone: str, settings: BonusPlusSettings) -> None:
    """The cashier goes on without the code, but only after the configured wait."""
    phone = _phone(raw_phone)
    check = PhoneCheck.objects.filter(phone=phone).first()
    if check is None or check.code_sent_at is None:
        raise errors.SmsCodeExpired(stored(gettext_noop("No code was sent to %(phone)s; send the code first."), phone=phone))
    waited = (timezone.now() - check.code_sent_at).total_seconds()
    if waited < settings.sms_skip_seconds:
        raise errors.BonusPlusError(stored(gettext_noop(
            "The code can be skipped in %(seconds)s s."), seconds=int(settings.sms_skip_seconds - waited) + 1))
    check.skipped_at = timezone.now()
    check.save(update_fields=["skipped_at"])


def seconds_to_skip(raw_phone: str, settings: BonusPlusSettings) -> int:
    phone = phones.normalise(raw_phone)
    check = PhoneCheck.objects.filter(phone=phone).first() if phone else None
    if check is None or check.code_sent_at is None:
        return settings.sms_skip_seconds
    waited = (timezone.now() - check.code_sent_at).total_seconds()
    return max(0, int(settings.sms_skip_seconds - waited + 0.999))


def may_save(phone: str, settings: BonusPlusSettings) -> bool:
    if not settings.sms_required:
        return True
    check = PhoneCheck.objects.filter(phone=phone).first()
    return bool(check and (check.verified_at or check.skipped_at))


def profile_body(form: dict) -> dict:
    """The client form (names, birth date, gender, e-mail; all optional) in BonusPlus's field names."""
    body = {}
    for ours, theirs in assumptions.PROFILE_FIELDS.items():
        value = form.get(ours)
        if value in (None, ""):
            continue
        if ours == "gender":
            value = assumptions.SEX_VALUES.get(value)
            if value is None:
                continue
        elif ours == "birth_date":
            value = value.isoformat() if hasattr(value, "isoformat") else str(value)
        body[theirs] = value
    return body


def save_client(client, raw_phone: str, card: str, form: dict, settings: BonusPlusSettings, *,
                cashier: str = "", existing: dict | None = None) -> dict:
    """Create the customer with the card, or update an existing one's form; returns the Customer.

    ``existing``: the customer as the form was opened with it (None: look it up now)."""
    phone = _phone(raw_phone)
    if not may_save(phone, settings):
        raise errors.BonusPlusError(stored(gettext_noop(
            "Confirm the phone with the SMS code first (or skip it once the wait is over).")))
    if existing is None:
        existing = client.customer_by_phone(phone)
    body = profile_body(form)
    if existing is None:
        try:
            return client.register(phone, card=card, profile={**body, "store": settings.store,
                                                                **cashier_field(cashier)})
        except errors.CustomerExists:  # registered meanwhile (another till): the form edits it instead
            existing = client.customer_by_phone(phone) or {}
    if card and existing.get("discountCardNumber") != card:
        body[assumptions.BIND_CARD_FIELD] = card
    if body:
        updated = client.update_profile(phone, body)
        if updated:
            return updated
    return existing or {}
