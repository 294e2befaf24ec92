"""H5: posting the order's sale registers the purchase in BonusPlus once (004 §10).

The sale carries the order's bonus data (its OrderBonus: card, bonuses used, lines). The reserve is
freed first (assumptions.PURCHASE_USES_RESERVE_ID), the card as it should be now is committed with
the purchase marked pending — from the order's last read of the card (:mod:`evidence`), or read
now if that is too old — then ``POST /retail`` goes with the sale's number as ``externalId``. An
answer that never came (timeout, 5xx, a dropped connection, a worker killed before our commit) is
settled by reading the card again before anything is sent twice.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from integration.documents.models.orders import Sale
from integration.exchange.locks import entity_lock
from integration.exchange.messages import for_text, stored
from loyalty.bonusplus import assumptions, errors, evidence, reserve
from loyalty.bonusplus.cashiers import cashier_field
from loyalty.bonusplus.models import BonusPlusSettings, OrderBonus
from loyalty.bonusplus.order_calc import calc_body, is_stale

ZERO = Decimal("0")


class Outcome:
    NOTHING = "nothing"  # the order has no BonusPlus data
    REGISTERED = "registered"
    ALREADY = "already"


def register(client, sale_id: int, *, cashier: str = "") -> str:
    sale = Sale.objects.select_related("order").get(pk=sale_id)
    with entity_lock(reserve.LOCK_ENTITY, sale.order_id):
        bonus = OrderBonus.objects.select_related("order").filter(order_id=sale.order_id).first()
        if bonus is None or not bonus.applied_at:
            return Outcome.NOTHING
        if bonus.purchase_state == OrderBonus.Purchase.PENDING:
            _settle(client, bonus)
            if bonus.purchase_state == OrderBonus.Purchase.PENDING:  # the card could not be read: send nothing
                raise errors.BonusPlusError(stored(gettext_noop(
                    "Whether the purchase of sale %(sale)s reached BonusPlus is not known yet: the card could not "
                    "be read. Nothing was sent again; try later."), sale=sale.number))
        if bonus.purchase_state == OrderBonus.Purchase.DONE:
            return Outcome.ALREADY
        if bonus.purchase_state == OrderBonus.Purchase.REVIEW:
            raise errors.BonusPlusError(stored(gettext_noop(
                "Whether the purchase of sale %(sale)s reached BonusPlus is unclear; check the card's operations "
                "in the BonusPlus cabinet."), sale=sale.number))
        if is_stale(bonus):
            raise errors.BonusPlusError(stored(gettext_noop(
                "Order %(order)s changed after the BonusPlus calculation: calculate again before posting the sale."),
                order=bonus.order.number))
        if bonus.reserved > 0:
            reserve.change(client, bonus, -bonus.reserved)  # the plugins' safe fallback: release, then purchase
        before = evidence.expected(bonus)
        if before is None:  # no recent read to go by: read the card now
            before = evidence.expected(bonus, evidence.seen(client.customer_by_phone(bonus.phone) or {},
                                                            bonus.reserved)) or {}
        row = BonusPlusSettings.get_solo()
        body = {**calc_body(bonus.order, bonus.phone, row.store, bonus.debit if bonus.use_bonuses else ZERO),
                "externalId": sale.number, "date": timezone.localtime(sale.date).strftime("%Y-%m-%d %H:%M:%S"),
                **cashier_field(cashier)}
        _mark(bonus, OrderBonus.Purchase.PENDING, external_id=sale.number, before=before)
        try:
            result = client.retail(body)
        except errors.BusinessError as exc:
            if exc.code in assumptions.DUPLICATE_EXTERNAL_ID_CODES:
                _mark(bonus, OrderBonus.Purchase.DONE)
                return Outcome.ALREADY
            _mark(bonus, OrderBonus.Purchase.NONE, message=exc.args[0])
            raise
        except errors.BonusPlusError as exc:
            if exc.nothing_happened:
                _mark(bonus, OrderBonus.Purchase.NONE, message=exc.args[0])
                raise
            if _settle(client, bonus) is not True:
                raise
            return Outcome.REGISTERED
        _mark(bonus, OrderBonus.Purchase.DONE, purchase_id=(result or {}).get("id"))
        return Outcome.REGISTERED


def _mark(bonus, state, *, external_id=None, before=None, purchase_id=None, message=None) -> None:
    with transaction.atomic():
        bonus.purchase_state = state
        if external_id is not None:
            bonus.purchase_external_id = external_id
        if before is not None:
            bonus.purchase_before = before
        if purchase_id is not None:
            bonus.purchase_id = purchase_id
        bonus.purchase_message = for_text(message) if message else ""
        bonus.save(update_fields=["purchase_state", "purchase_external_id", "purchase_before", "purchase_id",
                                  "purchase_message"])


def _settle(client, bonus) -> bool | None:
    """Did the pending purchase happen? True/False from the card; None when the card cannot be read
    (still pending) or tells nothing (review)."""
    try:
        card = client.customer_by_phone(bonus.phone) or {}
    except errors.BonusPlusError:
        return None
    before = bonus.purchase_before or {}
    now = {name: Decimal(str(card.get(name) or 0)) for name in assumptions.PURCHASE_EVIDENCE}
    was = {name: Decimal(str(before.get(name) or 0)) for name in assumptions.PURCHASE_EVIDENCE}
    if not before or not evidence.seen(card, bonus.reserved):  # nothing to compare with
        _mark(bonus, OrderBonus.Purchase.REVIEW, message=stored(gettext_noop(
            "Whether the purchase of sale %(sale)s reached BonusPlus is unclear; check the card's operations "
            "in the BonusPlus cabinet."), sale=bonus.purchase_external_id))
        return None
    if now == was:
        _mark(bonus, OrderBonus.Purchase.NONE, before=evidence.seen(card, bonus.reserved))
        return False
    debit = bonus.debit if bonus.use_bonuses else ZERO
    ours = {was["availableBonuses"] - debit, was["availableBonuses"] - debit + bonus.earn}
    if now["purchasesTotalSum"] > was["purchasesTotalSum"] and now["availableBonuses"] in ours:
        _mark(bonus, OrderBonus.Purchase.DONE)
        return True
    _mark(bonus, OrderBonus.Purchase.REVIEW, message=stored(gettext_noop(
        "The card changed, but not as one purchase would change it; check it in the BonusPlus cabinet.")))
    return None
