"""H3: the card of an order, the calculation form and "Apply" (004 §§4–8).

Services take plain arguments (a client, an order id or rows, numbers) so views and tests call the
same code. Our "Apply" is undone exactly before it is done again: each line keeps the share we put
on it (:class:`OrderBonusLine`), so the check BonusPlus sees is always the order after the operator's
own manual and automatic discounts and before ours.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from integration.documents.models.orders import Order, OrderLine
from integration.exchange.messages import stored
from loyalty.bonusplus import assumptions, errors, evidence, phones
from loyalty.bonusplus.catalog import group_id, product_id
from loyalty.bonusplus.models import OrderBonus, OrderBonusLine
from loyalty.bonusplus.split import KOPECK, spread

_dec = evidence.as_decimal
ZERO = evidence.ZERO


def basket(order: Order) -> list[tuple[OrderLine, Decimal]]:
    """(line, its sum before our discount): goods only, the delivery line is not part of the check."""
    lines = order.lines.filter(is_delivery=False).select_related("product", "bonusplus").order_by("pk")
    result = []
    for line in lines:
        ours = getattr(line, "bonusplus", None)
        result.append((line, line.amount + (ours.discount if ours else ZERO)))
    return result


def lines_fingerprint(order: Order) -> str:
    rows = order.lines.order_by("pk").values_list("pk", "product_id", "characteristic_id", "quantity", "price", "amount")
    return hashlib.sha256(repr([tuple(str(v) for v in row) for row in rows]).encode()).hexdigest()


def is_stale(bonus: OrderBonus) -> bool:
    """The order changed after "Apply": its calculation no longer describes it."""
    return bool(bonus.applied_at) and bonus.lines_fingerprint != lines_fingerprint(bonus.order)


def holder_of(customer: dict) -> str:
    person = customer.get("person") or {}
    return " ".join(part for part in (person.get("ln"), person.get("fn"), person.get("mn")) if part)


# -- finding the card --------------------------------------------------------------------------

@dataclass
class Found:
    customer: dict | None
    phone: str
    card: str


def find(client, *, phone: str = "", card: str = "") -> Found:
    """By card code (typed or scanned) or by phone; a card of another phone than the one typed is refused."""
    card = (card or "").strip()
    wanted_phone = ""
    if phone.strip():
        wanted_phone = phones.normalise(phone)
        if not wanted_phone:
            raise errors.BadPhone()
    if not card and not wanted_phone:
        raise errors.BadPhone(stored(gettext_noop("Enter a card code or a phone number.")))
    if card:
        customer = client.customer_by_card(card)
        if customer and wanted_phone and phones.normalise(customer.get("phone", "")) != wanted_phone:
            raise errors.CardOfAnotherPhone(stored(gettext_noop(
                "Card %(card)s belongs to another phone number, not %(phone)s; nothing was changed."),
                card=card, phone=wanted_phone))
        return Found(customer, phones.normalise(customer.get("phone", "")) or wanted_phone if customer else wanted_phone,
                     card)
    customer = client.customer_by_phone(wanted_phone)
    return Found(customer, wanted_phone, (customer or {}).get("discountCardNumber") or "")


def remember_card(order_id: int, customer: dict, *, card: str = "") -> OrderBonus:
    bonus, _ = OrderBonus.objects.get_or_create(order_id=order_id)
    bonus.phone = phones.normalise(customer.get("phone", "")) or bonus.phone
    bonus.card = customer.get("discountCardNumber") or card or bonus.card
    bonus.holder = holder_of(customer) or bonus.holder
    # What this order may use: the card's balance plus what BonusPlus already holds for this order.
    bonus.available = _dec(customer.get("availableBonuses")) + (bonus.reserved if assumptions.RESERVE_LOWERS_AVAILABLE
                                                                 else ZERO)
    bonus.multiplicity = _dec(customer.get("multiplicityDebitBonus")) or Decimal("1")
    evidence.remember(bonus, customer)  # the purchase's baseline, so it needs no read of its own
    bonus.save()
    return bonus


# -- calculation ---------------------------------------------------------------------------------

def calc_body(order: Order, phone: str, store: str, debit: Decimal) -> dict:
    items = []
    for line, amount in basket(order):
        item = {"ext": str(line.pk), "product": product_id(line.product_id), "qnt": float(line.quantity),
                "price": float(line.price), "sum": float(amount), "ds": 0}
        if not assumptions.SEND_NET_SUM:
            item["sum"], item["ds"] = float(line.price * line.quantity), float(line.price * line.quantity - amount)
        if line.product.group_id:
            item["cat"] = group_id(line.product.group_id)
        items.append(item)
    return {"phone": phone, "store": store, "bonusDebit": float(debit), "items": items}


def _totals(result: dict) -> dict:
    lines = result.get("discount") or []
    return {
        "debit": sum((_dec(row.get("db")) for row in lines), ZERO),
        "discount": sum((_dec(row.get(assumptions.DISCOUNT_FIELD)) for row in lines), ZERO),
        "earn": sum((_dec(row.get("cb")) for row in lines), ZERO),
        "by_ext": {str(row.get("ext")): row for row in lines},
    }


def allowed_debit(bonus: OrderBonus) -> Decimal:
    """The most this check may take: the maximum for it, what the card holds, rounded down to the multiplicity."""
    top = max(ZERO, min(bonus.max_debit, bonus.available))
    step = bonus.multiplicity if bonus.multiplicity > 0 else Decimal("1")
    return ((top / step).to_integral_value(rounding=ROUND_DOWN) * step).quantize(KOPECK)


def calculate(client, order_id: int, store: str) -> OrderBonus:
    """PUT retail/calc with no debit: the maximum, the programme's discount and the accrual (reference §4.5)."""
    bonus = OrderBonus.objects.select_related("order").get(order_id=order_id)
    if not bonus.phone:
        raise errors.BadPhone()
    lines = basket(bonus.order)
    result = client.calc(calc_body(bonus.order, bonus.phone, store, ZERO))
    totals = _totals(result)
    bonus.check_sum = sum((amount for _, amount in lines), ZERO)
    bonus.max_debit = _dec(result.get("maxDebitBonuses"))
    if result.get("multiplicityDebitBonus") not in (None, ""):
        bonus.multiplicity = _dec(result.get("multiplicityDebitBonus")) or Decimal("1")
    bonus.discount_sum = totals["discount"].quantize(KOPECK)
    bonus.discount_percent = _percent(bonus.discount_sum, bonus.check_sum)
    bonus.earn = totals["earn"]
    bonus.to_pay = bonus.check_sum - bonus.discount_sum - (bonus.debit if bonus.use_bonuses else ZERO)
    bonus.save()
    return bonus


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(KOPECK) if whole else ZERO


def check_requested(bonus: OrderBonus, requested: Decimal) -> Decimal:
    """The operator's amount, or a specific refusal before anything is sent."""
    requested = _dec(requested)
    if requested < 0:
        raise errors.DebitTooHigh(stored(gettext_noop("The number of bonuses cannot be negative.")))
    if requested > bonus.available:
        raise errors.DebitTooHigh(stored(gettext_noop(
            "Only %(available)s bonuses are available on the card; %(requested)s were asked for."),
            available=str(bonus.available), requested=str(requested)))
    top = allowed_debit(bonus)
    if requested > top:
        raise errors.DebitTooHigh(stored(gettext_noop(
            "At most %(max)s bonuses can be used for this check; %(requested)s were asked for."),
            max=str(top), requested=str(requested)))
    step = bonus.multiplicity if bonus.multiplicity > 0 else Decimal("1")
    if (requested / step) != (requested / step).to_integral_value():
        raise errors.DebitTooHigh(stored(gettext_noop("Bonuses are spent in steps of %(step)s; %(requested)s is not one."),
                                         step=str(step.normalize()), requested=str(requested)))
    return requested


def apply(client, order_id: int, store: str, *, use_bonuses: bool, requested, user=None) -> OrderBonus:
    """"Применить": the bonuses and the programme's discount become manual discounts on the lines.

    BonusPlus is asked before the transaction (no row stays locked while it answers); the lines are
    written only if the order is still the one it calculated."""
    bonus = OrderBonus.objects.select_related("order").get(order_id=order_id)
    debit = check_requested(bonus, requested) if use_bonuses else ZERO
    asked_for = lines_fingerprint(bonus.order)
    result = client.calc(calc_body(bonus.order, bonus.phone, store, debit))
    return _write(order_id, result, use_bonuses=use_bonuses, debit=debit, asked_for=asked_for, user=user)


@transaction.atomic
def _write(order_id, result, *, use_bonuses, debit, asked_for, user) -> OrderBonus:
    bonus = OrderBonus.objects.select_for_update().get(order_id=order_id)
    order = Order.objects.select_for_update().get(pk=order_id)
    if lines_fingerprint(order) != asked_for:
        raise errors.BonusPlusError(stored(gettext_noop(
            "The order changed while BonusPlus was calculating it; calculate again.")))
    lines = basket(order)
    totals = _totals(result)
    if use_bonuses and result.get("discount") and totals["debit"] < debit:  # BonusPlus lowered it: say so, apply nothing
        raise errors.DebitTooHigh(stored(gettext_noop(
            "At most %(max)s bonuses can be used for this check; %(requested)s were asked for."),
            max=str(totals["debit"]), requested=str(debit)))
    spent = (totals["debit"] if use_bonuses and totals["debit"] else debit).quantize(KOPECK)
    discount = totals["discount"].quantize(KOPECK)
    _undo(order, lines)
    weights = [amount for _, amount in lines]
    discounts = spread(spent + discount, weights)
    bonuses = spread(spent, weights)
    earn_total = totals["earn"]
    earns = spread(earn_total, weights)
    total_discount = ZERO
    for (line, base), share, used, earn in zip(lines, discounts, bonuses, earns):
        line.amount = base - share
        if line.quantity:
            line.discount_per_unit = ((line.price * line.quantity - line.amount) / line.quantity).quantize(KOPECK)
        line.save(update_fields=["amount", "discount_per_unit"])
        OrderBonusLine.objects.update_or_create(line=line, defaults={"bonus": bonus, "discount": share, "bonuses": used,
                                                                     "earn": earn})
        total_discount += share
    order.total -= total_discount
    order.discount_total += total_discount
    order.save(update_fields=["total", "discount_total", "updated_at"])
    bonus.use_bonuses = use_bonuses and spent > 0
    bonus.debit = spent if use_bonuses else ZERO
    bonus.check_sum = sum(weights, ZERO)
    bonus.discount_sum = discount
    bonus.discount_percent = _percent(discount, bonus.check_sum)
    bonus.earn = earn_total
    bonus.to_pay = bonus.check_sum - total_discount
    bonus.applied_at = timezone.now()
    bonus.applied_by = user if getattr(user, "pk", None) else None
    bonus.lines_fingerprint = lines_fingerprint(order)
    bonus.save()
    return bonus


def _undo(order: Order, lines) -> None:
    """Take our previous discount off the lines and the order (the operator's own discounts stay)."""
    previous = ZERO
    for line, base in lines:
        ours = getattr(line, "bonusplus", None)
        if ours and ours.discount:
            previous += ours.discount
            line.amount = base
    if previous:
        order.total += previous
        order.discount_total -= previous
    OrderBonusLine.objects.filter(line__order_id=order.pk).update(discount=ZERO, bonuses=ZERO, earn=ZERO)
