"""Issue 18 "must show": a worker SIGKILLed between BonusPlus applying the reserve and our commit.

A real ``rqworker`` runs the reserve job; the emulator applies the reserve and then holds the
answer back, and the worker (with its work-horse) is killed while it waits. The next run finds the
reserve pending, reads the card, and records it: exactly one reserve call, the reserve made once.
"""

import time
from decimal import Decimal as D

import pytest

from integration.documents import posting
from integration.exchange.jobs import run_inline
from integration.exchange.messages import render
from loyalty.bonusplus import order_calc
from loyalty.bonusplus.models import OrderBonus
from tests.workers import Worker, wait_until

from .conftest import MANUAL_CARD, MANUAL_PHONE

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

LOCK_TTL = 2


def test_a_worker_killed_after_the_reserve_was_applied_reserves_once(bp, client_bp, manual_order, settings, tmp_path):
    settings.EXCHANGE_LOCK_TTL_SECONDS = LOCK_TTL
    found = order_calc.find(client_bp, card=MANUAL_CARD)
    order_calc.remember_card(manual_order.pk, found.customer, card=found.card)
    order_calc.calculate(client_bp, manual_order.pk, "Основной магазин")
    order_calc.apply(client_bp, manual_order.pk, "Основной магазин", use_bonuses=True, requested=D("100"))
    bp.set_faults(timeout_after_rate=1.0, timeout_ms=15000, match="balance/reserve", count=1)

    posting.post(manual_order)  # committed: the hook queues the reserve job
    worker = Worker("default", log_path=tmp_path / "worker.log", EXCHANGE_LOCK_TTL_SECONDS=LOCK_TTL)
    try:
        wait_until(lambda: bp.snapshot()["reserves"], 30, "the emulator to apply the reserve")
        worker.kill()  # the answer has not come back: nothing of it reached our database
    finally:
        worker.stop()
    bonus = OrderBonus.objects.get(order=manual_order)
    assert (bonus.reserve_state, bonus.reserved, bonus.reserve_requests) == (OrderBonus.Reserve.PENDING, 0, 1)

    time.sleep(LOCK_TTL + 0.5)  # the killed worker's locks lapse
    bp.set_faults()
    run = run_inline("bonusplus-reserve", scope=str(manual_order.pk), options={"order_id": manual_order.pk},
                     check_allowed=False)
    assert run.status == "succeeded", (render(run.error), run.messages)
    bonus.refresh_from_db()
    assert (bonus.reserve_state, bonus.reserved, bonus.reserve_requests) == (OrderBonus.Reserve.SETTLED, D("100"), 1)
    assert bp.snapshot()["reserves"] == [{"phone": MANUAL_PHONE, "id": manual_order.number, "amount": 100}]
    assert float(bp.customer(MANUAL_PHONE)["reserved"]) == 100
