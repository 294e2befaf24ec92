"""G2/G3: mass registration against the sandbox over real HTTP."""

from collections import Counter

import pytest
from django.utils import translation

from integration.exchange.jobs import SwitchedOff, run_inline
from integration.exchange.messages import render
from integration.models import Customer, ExchangeEvent
from loyalty.models import Participation
from tests.loyalty.conftest import configure_loyalty
from tests.loyalty.world import mixed_customers

pytestmark = pytest.mark.slow


def _register(ids):
    return run_inline("register-loyalty", options={"customer_ids": ids})


def _accounts_per_customer(state):
    return Counter(a["customerId"] for a in state.loyalty_accounts.values())


def test_mass_registration_creates_exactly_the_missing_accounts_once(crm, loyalty_on):
    mix = mixed_customers(crm.state)
    crm_customers_before = len(crm.state.customers)
    accounts_before = len(crm.state.loyalty_accounts)
    requests_before = crm.rate_stats()[crm.api_key]["total"]

    run = _register(mix.all_ids)

    # bulk look-ups and 50 customers per upload: about two requests (create + activate) per account
    requests_made = crm.rate_stats()[crm.api_key]["total"] - requests_before
    assert requests_made <= 2 * len(mix.to_create) + 15

    assert run.counts["created"] == len(mix.to_create)
    assert run.counts["already"] == len(mix.participants)
    assert run.counts["skipped_no_phone"] == len(mix.no_phone)
    assert run.counts["failed"] == len(mix.bad_email)
    assert run.status == "warnings"
    assert len(crm.state.loyalty_accounts) == accounts_before + len(mix.to_create)
    assert len(crm.state.customers) == crm_customers_before + len(mix.new)
    assert max(_accounts_per_customer(crm.state).values()) == 1

    # each customer has its own line in the exchange log, saying what happened to it
    events = ExchangeEvent.objects.filter(run=run, entity="customer")
    assert events.count() == len(mix.all_ids)
    by_ref = {e.local_ref: e for e in events}
    new = Customer.objects.get(pk=mix.new[0])
    assert "Customer created in RetailCRM" in render(by_ref[f"{new} (#{new.pk})"].message)
    assert "active" in render(by_ref[f"{new} (#{new.pk})"].message)
    member = Customer.objects.get(pk=mix.participants[0])
    assert "Already registered" in render(by_ref[f"{member} (#{member.pk})"].message)
    bad = Customer.objects.get(pk=mix.bad_email[0])
    bad_event = by_ref[f"{bad} (#{bad.pk})"]
    assert bad_event.result == "failed" and "email" in render(bad_event.message)
    silent = Customer.objects.get(pk=mix.no_phone[0])
    assert by_ref[f"{silent} (#{silent.pk})"].result == "skipped"

    # local state: CRM id, participation id, status and the active flag
    for pk in mix.to_create:
        customer = Customer.objects.get(pk=pk)
        participation = Participation.objects.get(customer=customer, program=loyalty_on)
        account = crm.state.loyalty_accounts[participation.crm_account_id]
        assert account["customerId"] == customer.crm_id
        assert participation.active and participation.status == "activated" and account["status"] == "activated"
    # found, not created: the CRM customer of the externalId and of the phone
    for pk in mix.by_external_id + mix.by_phone:
        customer = Customer.objects.get(pk=pk)
        assert crm.state.customers[customer.crm_id]["site"] == "main-shop"
    assert not Customer.objects.filter(pk__in=mix.no_phone, crm_id__isnull=False).exists()

    # a second run creates nothing
    customers_after, accounts_after = len(crm.state.customers), len(crm.state.loyalty_accounts)
    again = _register(mix.all_ids)
    assert again.counts["created"] == 0
    assert again.counts["already"] == len(mix.to_create) + len(mix.participants)
    assert len(crm.state.customers) == customers_after
    assert len(crm.state.loyalty_accounts) == accounts_after


def test_a_crash_between_create_and_local_save_does_not_create_twice(crm, loyalty_on):
    mix = mixed_customers(crm.state, total=80)
    _register(mix.all_ids)
    customers_after, accounts_after = len(crm.state.customers), len(crm.state.loyalty_accounts)
    # forget everything the run stored locally, as if it had died before saving
    Participation.objects.all().delete()
    Customer.objects.filter(pk__in=mix.new).update(crm_id=None)

    again = _register(mix.all_ids)

    assert again.counts["created"] == 0
    assert again.counts["already"] == len(mix.to_create) + len(mix.participants)
    assert len(crm.state.customers) == customers_after
    assert len(crm.state.loyalty_accounts) == accounts_after
    assert Participation.objects.count() == len(mix.to_create) + len(mix.participants)


def test_with_sms_confirmation_accounts_stay_not_activated(crm):
    program = configure_loyalty(crm, confirmSmsRegistration=True)
    assert program.confirm_sms_registration
    mix = mixed_customers(crm.state, total=60)

    run = _register(mix.all_ids)

    assert run.counts["created"] == len(mix.to_create)
    created = Participation.objects.filter(customer__in=mix.to_create)
    assert created.count() == len(mix.to_create)
    assert set(created.values_list("status", "active")) == {("not_confirmed", False)}
    assert all(crm.state.loyalty_accounts[p.crm_account_id]["status"] == "not_confirmed" for p in created)
    event = ExchangeEvent.objects.filter(run=run, result="created").first()
    assert "confirms the phone by SMS" in render(event.message)


def test_an_account_left_not_activated_is_activated_by_the_next_run(crm, loyalty_on):
    customer = Customer.objects.create(last_name="Залозных", phone="+7 (916) 1204589")
    crm.state.loyalties[1]["confirmSmsRegistration"] = True
    loyalty_on.confirm_sms_registration = True
    loyalty_on.save()
    _register([customer.pk])
    assert Participation.objects.get(customer=customer).status == "not_confirmed"

    crm.state.loyalties[1]["confirmSmsRegistration"] = False
    loyalty_on.confirm_sms_registration = False
    loyalty_on.save()
    run = _register([customer.pk])

    participation = Participation.objects.get(customer=customer)
    assert participation.active and crm.state.loyalty_accounts[participation.crm_account_id]["status"] == "activated"
    assert run.counts["already"] == 1 and run.counts["created"] == 0


def test_registration_survives_a_flaky_crm(crm, loyalty_on):
    mix = mixed_customers(crm.state, total=120)
    crm.set_faults(error_rate=0.2, status=503)
    try:
        run = _register(mix.all_ids)
    finally:
        crm.set_faults()
    assert run.counts["created"] == len(mix.to_create), run.messages
    assert run.counts["failed"] == len(mix.bad_email)
    assert max(_accounts_per_customer(crm.state).values()) == 1
    again = _register(mix.all_ids)
    assert again.counts["created"] == 0


def test_a_lost_answer_to_a_create_is_found_instead_of_repeated(crm, loyalty_on, monkeypatch):
    """The account was made but the answer never came back: look before creating again."""
    from integration.retailcrm.client.client import RetailCrmClient
    from integration.retailcrm.client.errors import CrmNetworkError

    customers = [Customer.objects.create(last_name=f"Потерянный{n}", phone=f"+7 702 000-00-{n:02d}") for n in range(3)]
    real_create = RetailCrmClient.loyalty_account_create

    def create_then_lose_answer(self, account, site=None):
        real_create(self, account, site)
        raise CrmNetworkError("the request was sent but no answer came", reason="read_timeout")

    monkeypatch.setattr(RetailCrmClient, "loyalty_account_create", create_then_lose_answer)
    run = _register([c.pk for c in customers])

    assert run.counts["created"] == 3
    assert max(_accounts_per_customer(crm.state).values()) == 1
    assert Participation.objects.filter(customer__in=customers, active=True).count() == 3


def test_refused_when_the_program_is_switched_off(crm):
    customer = Customer.objects.create(last_name="Иванов", phone="+7 900 000-00-00")
    with translation.override("en"), pytest.raises(SwitchedOff, match="“loyalty program” is switched off"):
        _register([customer.pk])
    assert not crm.state.loyalty_accounts or len(crm.state.loyalty_accounts) == 10
