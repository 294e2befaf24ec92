"""G1: programs and participants' accounts refreshed from RetailCRM."""

import pytest
import requests
from django.utils import translation

from integration import models as im
from integration.exchange.jobs import SwitchedOff, run_inline
from integration.exchange.messages import render
from integration.models import Customer, JobSchedule
from loyalty.models import LoyaltyProgram, LoyaltySettings, Participation


def test_refresh_stores_programs_and_links_known_participants(crm, loyalty_on):
    program = LoyaltyProgram.objects.get(crm_id=1)
    assert (program.name, program.active, program.blocked, program.confirm_sms_registration) == (
        "Бонусный клуб", True, False, False)
    assert [level["name"] for level in program.levels] == ["Базовый", "Серебряный", "Золотой"]
    known = Customer.objects.create(last_name="Петров", phone="+7 941 296-34-78", crm_id=101)

    requests.post(f"{crm.url}/sandbox/loyalty", json={"confirmSmsRegistration": True}, timeout=5).raise_for_status()
    run = run_inline("refresh-loyalty")

    assert run.status == "succeeded" and run.counts == {"programs": 1, "accounts": 1}
    program.refresh_from_db()
    assert program.confirm_sms_registration
    participation = Participation.objects.get(customer=known)
    assert participation.crm_account_id == 1 and participation.active and participation.card_number == "BC100000"
    assert LoyaltySettings.get_solo().programs_refreshed_at is not None


def test_a_program_the_shop_no_longer_has_is_flagged_and_refuses_registration(crm, loyalty_on):
    crm.state.loyalties[1]["sites"] = ["second-shop"]
    run = run_inline("refresh-loyalty")
    assert run.status == "warnings" and "no longer offered" in " ".join(map(render, run.messages))
    assert not LoyaltyProgram.objects.get(crm_id=1).in_crm
    customer = Customer.objects.create(last_name="Поздний", phone="+7 702 000-44-44")
    run = run_inline("register-loyalty", options={"customer_ids": str(customer.pk)})
    assert run.status == "failed" and "no longer exists" in render(run.error)


def test_refresh_does_nothing_while_the_program_is_switched_off(crm):
    with translation.override("en"), pytest.raises(SwitchedOff, match="“loyalty program” is switched off"):
        run_inline("refresh-loyalty")
    assert not LoyaltyProgram.objects.exists()
    assert not im.CrmSettings.get_solo().loyalty_program


def test_refresh_is_scheduled_hourly(db):
    row = JobSchedule.objects.get(kind="refresh-loyalty")
    assert row.enabled and row.interval_seconds == 3600
