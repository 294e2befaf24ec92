"""H3/H4 against the emulator: find, calculate, apply to the kopeck, reserve once, release, adjust."""

from decimal import Decimal as D

import pytest

from integration.documents import posting
from integration.exchange.jobs import run_inline
from integration.exchange.messages import render
from loyalty.bonusplus import errors, order_calc, reserve
from loyalty.bonusplus.models import OrderBonus

from .conftest import MANUAL_CARD, MANUAL_PHONE

STORE = "Основной магазин"


def found(client, order, **how):
    result = order_calc.find(client, **how)
    assert result.customer is not None
    return order_calc.remember_card(order.pk, result.customer, card=result.card)


def test_find_by_card_and_by_phone_in_every_form(client_bp, manual_order):
    bonus = found(client_bp, manual_order, card=MANUAL_CARD)
    assert (bonus.phone, bonus.card, bonus.holder, bonus.available) == (MANUAL_PHONE, MANUAL_CARD, "Петров Иван", D("100"))
    for typed in ("80001110000", "+7 000 111-00-00", "0001110000"):
        assert order_calc.find(client_bp, phone=typed).customer["discountCardNumber"] == MANUAL_CARD


def test_the_manuals_example_apply_spreads_to_the_kopeck(client_bp, manual_order):
    found(client_bp, manual_order, card=MANUAL_CARD)
    bonus = order_calc.calculate(client_bp, manual_order.pk, STORE)
    assert bonus.check_sum == D("8160.00")
    assert bonus.max_debit == D("100")  # half the check, but the card holds 100
    order_calc.apply(client_bp, manual_order.pk, STORE, use_bonuses=True, requested=D("100"))
    lines = list(manual_order.lines.order_by("pk"))
    assert [line.bonusplus.discount for line in lines] == [D("36.76"), D("38.24"), D("25.00")]
    assert [line.amount for line in lines] == [D("2963.24"), D("3081.76"), D("2015.00")]
    manual_order.refresh_from_db()
    assert manual_order.total == D("8060.00") and manual_order.discount_total == D("100.00")
    bonus.refresh_from_db()
    assert (bonus.debit, bonus.to_pay, bonus.total_discount) == (D("100.00"), D("8060.00"), D("100.00"))
    assert bonus.earn > 0


def test_apply_again_undoes_the_previous_discount_first(client_bp, manual_order):
    found(client_bp, manual_order, card=MANUAL_CARD)
    order_calc.calculate(client_bp, manual_order.pk, STORE)
    order_calc.apply(client_bp, manual_order.pk, STORE, use_bonuses=True, requested=D("100"))
    order_calc.calculate(client_bp, manual_order.pk, STORE)
    order_calc.apply(client_bp, manual_order.pk, STORE, use_bonuses=True, requested=D("50"))
    manual_order.refresh_from_db()
    assert manual_order.total == D("8110.00")
    assert sum(line.amount for line in manual_order.lines.all()) == D("8110.00")


def test_a_changed_order_asks_for_a_new_calculation(client_bp, manual_order):
    found(client_bp, manual_order, card=MANUAL_CARD)
    order_calc.calculate(client_bp, manual_order.pk, STORE)
    bonus = order_calc.apply(client_bp, manual_order.pk, STORE, use_bonuses=True, requested=D("100"))
    assert not order_calc.is_stale(bonus)
    line = manual_order.lines.first()
    line.quantity, line.amount = 2, line.amount * 2
    line.save()
    assert order_calc.is_stale(OrderBonus.objects.get(pk=bonus.pk))


def test_debit_above_the_maximum_is_refused_before_anything_is_sent(bp, client_bp, manual_order):
    found(client_bp, manual_order, card=MANUAL_CARD)
    order_calc.calculate(client_bp, manual_order.pk, STORE)
    sent = client_bp.requests_sent
    with pytest.raises(errors.DebitTooHigh) as refused:
        order_calc.apply(client_bp, manual_order.pk, STORE, use_bonuses=True, requested=D("150"))
    assert "100" in str(refused.value)
    assert client_bp.requests_sent == sent
    manual_order.refresh_from_db()
    assert manual_order.total == D("8160.00")


def test_wrong_phone_format_sends_nothing(client_bp):
    with pytest.raises(errors.BadPhone):
        order_calc.find(client_bp, phone="12-34")
    assert client_bp.requests_sent == 0


def test_a_card_of_another_phone_is_refused(client_bp):
    with pytest.raises(errors.CardOfAnotherPhone) as refused:
        order_calc.find(client_bp, card=MANUAL_CARD, phone="79990000001")
    assert "79990000001" in str(refused.value)


def applied(client, order, amount=D("100")):
    found(client, order, card=MANUAL_CARD)
    order_calc.calculate(client, order.pk, STORE)
    return order_calc.apply(client, order.pk, STORE, use_bonuses=True, requested=amount)


def test_post_reserves_unpost_releases_repost_reserves_once(bp, client_bp, manual_order, run_queued_jobs,
                                                           django_capture_on_commit_callbacks):
    applied(client_bp, manual_order)
    with django_capture_on_commit_callbacks(execute=True):
        posting.post(manual_order)
    run_queued_jobs()
    assert float(bp.customer(MANUAL_PHONE)["reserved"]) == 100
    with django_capture_on_commit_callbacks(execute=True):
        posting.post(manual_order)  # posted again, nothing changed: nothing sent
    run_queued_jobs()
    assert len(bp.snapshot()["reserves"]) == 1
    assert float(bp.customer(MANUAL_PHONE)["reserved"]) == 100
    with django_capture_on_commit_callbacks(execute=True):
        posting.unpost(manual_order)
    run_queued_jobs()
    assert float(bp.customer(MANUAL_PHONE)["reserved"]) == 0
    assert OrderBonus.objects.get(order=manual_order).reserved == 0


def test_repost_after_a_change_adjusts_the_reserve(bp, client_bp, manual_order):
    applied(client_bp, manual_order)
    posting.post(manual_order)
    assert reserve.sync(client_bp, manual_order.pk) == (reserve.Outcome.RESERVED, D("100"))
    assert reserve.release(client_bp, manual_order.pk) == D("100")  # the window frees it before calculating
    order_calc.calculate(client_bp, manual_order.pk, STORE)
    order_calc.apply(client_bp, manual_order.pk, STORE, use_bonuses=True, requested=D("60"))
    assert reserve.sync(client_bp, manual_order.pk) == (reserve.Outcome.RESERVED, D("60"))
    assert float(bp.customer(MANUAL_PHONE)["reserved"]) == 60
    assert reserve.sync(client_bp, manual_order.pk) == (reserve.Outcome.UNCHANGED, D("0"))


def test_the_reserve_is_made_once_when_the_answer_is_lost_after_it_was_applied(bp, client_bp, manual_order):
    applied(client_bp, manual_order)
    posting.post(manual_order)
    bp.set_faults(drop_after_rate=1.0, match="balance/reserve", count=1)
    assert reserve.sync(client_bp, manual_order.pk) == (reserve.Outcome.RESERVED, D("100"))
    bonus = OrderBonus.objects.get(order=manual_order)
    assert (bonus.reserved, bonus.reserve_state) == (D("100"), OrderBonus.Reserve.SETTLED)
    assert float(bp.customer(MANUAL_PHONE)["reserved"]) == 100
    assert bp.snapshot()["faults"]["count"] == 0  # the answer really was dropped
    assert bonus.reserve_requests == 1  # and the reserve was not sent again
    assert bp.snapshot()["reserves"] == [{"phone": MANUAL_PHONE, "id": manual_order.number, "amount": 100}]
    assert reserve.sync(client_bp, manual_order.pk)[0] == reserve.Outcome.UNCHANGED


def test_a_worker_killed_after_the_call_is_settled_before_anything_else_is_sent(bp, client_bp, manual_order):
    """The call went out and was applied, but our commit never happened: the next run reads the card."""
    applied(client_bp, manual_order)
    posting.post(manual_order)
    bonus = OrderBonus.objects.get(order=manual_order)
    client_bp.reserve(MANUAL_PHONE, manual_order.number, 100)  # what the killed worker sent
    OrderBonus.objects.filter(pk=bonus.pk).update(reserve_state=OrderBonus.Reserve.PENDING, pending_delta=D("100"),
                                                  pending_available_before=D("100"))
    assert reserve.sync(client_bp, manual_order.pk)[0] == reserve.Outcome.UNCHANGED
    assert float(bp.customer(MANUAL_PHONE)["reserved"]) == 100
    assert OrderBonus.objects.get(pk=bonus.pk).reserved == D("100")


def test_the_reserve_job_runs_from_the_posting_hook(bp, client_bp, manual_order):
    applied(client_bp, manual_order)
    posting.post(manual_order)
    run = run_inline("bonusplus-reserve", scope=str(manual_order.pk), options={"order_id": manual_order.pk},
                     check_allowed=False)
    assert run.status == "succeeded", (render(run.error), run.messages)
    assert float(bp.customer(MANUAL_PHONE)["reserved"]) == 100
