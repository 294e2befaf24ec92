"""What the card showed when we last read it, so the purchase needs no read of its own (H5).

An unclear purchase answer is settled against the card as it was before the purchase
(assumptions.PURCHASE_EVIDENCE). Reading the card just before every purchase would cost a request
on every order to help only the rare one whose answer is lost; instead the card from the order's
last read (finding it, or settling a reserve) is kept with its time, moved by what we ourselves
did since (reserves released), and read again only when it is older than
assumptions.CARD_EVIDENCE_MAX_AGE_SECONDS.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from loyalty.bonusplus import assumptions

ZERO = Decimal("0")


def as_decimal(value) -> Decimal:
    """A BonusPlus amount (number, text, empty) as a Decimal; what cannot be read counts as zero."""
    try:
        return Decimal(str(value if value not in (None, "") else 0))
    except ArithmeticError:
        return ZERO


def seen(card: dict, reserved: Decimal) -> dict:
    """The card as just read, with what this order held in reserve at that moment and when; empty
    (so the purchase reads the card itself) if the answer lacks a figure the evidence needs."""
    if not all(name in card for name in assumptions.PURCHASE_EVIDENCE):
        return {}
    return {**{name: str(as_decimal(card.get(name))) for name in assumptions.PURCHASE_EVIDENCE},
            "reserved": str(reserved), "seenAt": timezone.now().isoformat()}


def remember(bonus, card: dict) -> None:
    """Keep a fresh read for the purchase, unless a purchase is already under way (its baseline stays)."""
    if bonus.purchase_state == bonus.Purchase.NONE:
        bonus.purchase_before = seen(card, bonus.reserved)


def expected(bonus, last: dict | None = None) -> dict | None:
    """The card as it should be now, from ``last`` (a read just made) or the order's last read if
    that is recent enough to go by; None: read the card first."""
    last = last if last is not None else (bonus.purchase_before or {})
    try:
        when = datetime.datetime.fromisoformat(last["seenAt"])
    except (KeyError, TypeError, ValueError):
        return None
    if timezone.now() - when > datetime.timedelta(seconds=assumptions.CARD_EVIDENCE_MAX_AGE_SECONDS):
        return None
    available = as_decimal(last.get("availableBonuses"))
    if assumptions.RESERVE_LOWERS_AVAILABLE:  # every reserve change we made since the read moved it by as much
        available += as_decimal(last.get("reserved")) - bonus.reserved
    return {"purchasesTotalSum": str(as_decimal(last.get("purchasesTotalSum"))), "availableBonuses": str(available),
            "reserved": str(bonus.reserved), "seenAt": last["seenAt"]}
