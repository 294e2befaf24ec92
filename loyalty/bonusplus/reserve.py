"""H4: the order's bonuses reserved in BonusPlus while it is posted (004 §8), never twice.

Whether BonusPlus adds reserve calls up under one id or sets them (reference §4.6), and whether it
deduplicates a repeated call, is unknown, so a call is never simply repeated. We keep what BonusPlus
holds for the order (``OrderBonus.reserved``) and move it to what it should hold — the applied
bonuses while the order is posted, nothing otherwise — by releasing what is held and reserving the
new amount. Before the call the difference and the card's
balance are committed as *pending*; an unclear outcome — no answer, a 5xx, the worker killed
before our commit — is settled by reading the balance again (assumptions.RESERVE_LOWERS_AVAILABLE)
before anything else is sent.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_noop

from integration.exchange.locks import entity_lock
from integration.exchange.messages import for_text, stored
from loyalty.bonusplus import errors, evidence
from loyalty.bonusplus.models import OrderBonus
from loyalty.bonusplus.order_calc import is_stale

ZERO = Decimal("0")
LOCK_ENTITY = "bonusplus-order"


def reserve_id(order) -> str:
    """The id BonusPlus keeps the reserve under: the order's number (unique here, shown in its cabinet)."""
    return order.number


def wanted(bonus: OrderBonus) -> Decimal:
    order = bonus.order
    if order.posted and bonus.applied_at and bonus.use_bonuses:
        return bonus.debit
    return ZERO


class Outcome:
    UNCHANGED = "unchanged"
    RESERVED = "reserved"
    RELEASED = "released"
    STALE = "stale"


def sync(client, order_id: int) -> tuple[str, Decimal]:
    """Bring BonusPlus's reserve for the order in line with the order; (outcome, amount sent)."""
    with entity_lock(LOCK_ENTITY, order_id):
        bonus = OrderBonus.objects.select_related("order").filter(order_id=order_id).first()
        if bonus is None:
            return Outcome.UNCHANGED, ZERO
        if bonus.reserve_state == OrderBonus.Reserve.PENDING:
            _settle(client, bonus)
        if bonus.reserve_state == OrderBonus.Reserve.REVIEW:
            raise errors.BonusPlusError(stored(gettext_noop(
                "The bonus reserve of order %(order)s could not be confirmed; check the card's operations in the "
                "BonusPlus cabinet, then correct the reserve there."), order=bonus.order.number))
        target = wanted(bonus)
        if target and bonus.order.posted and is_stale(bonus):
            return Outcome.STALE, ZERO
        if target == bonus.reserved:
            return Outcome.UNCHANGED, ZERO
        previous = bonus.reserved
        # Release all, then reserve the new amount: right whether BonusPlus adds reserves up or sets them
        # (assumptions.RESERVE_ADJUST); an unchanged order costs nothing, a first reserve one call.
        if bonus.reserved > 0:
            change(client, bonus, -bonus.reserved)
        if target > 0:
            change(client, bonus, target)
        return (Outcome.RESERVED if target > 0 else Outcome.RELEASED), target - previous


def change(client, bonus: OrderBonus, amount: Decimal) -> None:
    before = bonus.available - bonus.reserved  # what the card should show now, all else equal
    _mark_pending(bonus, amount, before)
    try:
        client.reserve(bonus.phone, reserve_id(bonus.order), float(amount))
    except errors.BonusPlusError as exc:
        if exc.nothing_happened:
            _clear_pending(bonus, message=exc.args[0])
            raise
        if _settle(client, bonus) is not True:  # no answer: did it happen? Not (or unknown): say so, send nothing more
            raise
        return
    _confirm(bonus, amount)


def _mark_pending(bonus, delta, before) -> None:
    with transaction.atomic():
        bonus.reserve_state, bonus.pending_delta, bonus.pending_available_before = OrderBonus.Reserve.PENDING, delta, before
        bonus.reserve_requests += 1
        bonus.save(update_fields=["reserve_state", "pending_delta", "pending_available_before", "reserve_requests"])


def _confirm(bonus, delta) -> None:
    bonus.reserved += delta
    bonus.reserve_state, bonus.pending_delta, bonus.pending_available_before = OrderBonus.Reserve.SETTLED, None, None
    bonus.reserve_message = ""
    bonus.save(update_fields=["reserved", "reserve_state", "pending_delta", "pending_available_before",
                              "reserve_message"])


def _clear_pending(bonus, *, message="") -> None:
    bonus.reserve_state, bonus.pending_delta, bonus.pending_available_before = OrderBonus.Reserve.SETTLED, None, None
    bonus.reserve_message = for_text(message) if message else ""
    bonus.save(update_fields=["reserve_state", "pending_delta", "pending_available_before", "reserve_message"])


def _settle(client, bonus) -> bool | None:
    """A pending call: read the card; its balance says whether BonusPlus applied it (True/False; None: unknown)."""
    delta, before = bonus.pending_delta or ZERO, bonus.pending_available_before
    try:
        customer = client.customer_by_phone(bonus.phone)
    except errors.BonusPlusError:
        return None  # still pending: asked again on the next run, nothing is sent meanwhile
    now = Decimal(str((customer or {}).get("availableBonuses") or 0))
    if before is not None and now == before - delta:
        _confirm(bonus, delta)
        _seen(bonus, customer)
        return True
    if before is not None and now == before:
        _clear_pending(bonus)
        _seen(bonus, customer)
        return False
    bonus.reserve_state = OrderBonus.Reserve.REVIEW
    bonus.reserve_message = for_text(stored(gettext_noop(
        "The card's balance is %(now)s, neither %(before)s (reserve not made) nor %(after)s (made)."),
        now=str(now), before=str(before), after=str((before or ZERO) - delta)))
    bonus.save(update_fields=["reserve_state", "reserve_message"])
    return None


def _seen(bonus, customer) -> None:
    """A read we had to make anyway: the newest baseline for the purchase (see :mod:`evidence`)."""
    evidence.remember(bonus, customer or {})
    bonus.save(update_fields=["purchase_before"])


def release(client, order_id: int, *, locked: bool = False) -> Decimal:
    """Free what BonusPlus holds for the order before it is calculated again.

    BonusPlus caps a calculation's debit by the spendable balance, which a reserve lowers, so a
    reserved order could never be recalculated with its own bonuses. The caller queues the reserve
    again afterwards (the window does); ``locked``: the caller already holds the order's entity lock."""
    if not locked:
        with entity_lock(LOCK_ENTITY, order_id):
            return release(client, order_id, locked=True)
    bonus = OrderBonus.objects.select_related("order").filter(order_id=order_id).first()
    if bonus is None:
        return ZERO
    if bonus.reserve_state == OrderBonus.Reserve.PENDING:
        _settle(client, bonus)
    held = bonus.reserved
    if held > 0 and bonus.reserve_state == OrderBonus.Reserve.SETTLED:
        change(client, bonus, -held)
        return held
    return ZERO
