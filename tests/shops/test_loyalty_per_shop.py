"""Loyalty registration per shop: a customer of the second shop is found and registered in the second shop."""

import pytest

from integration import models as im
from integration.exchange.jobs import run_inline
from integration.exchange.messages import render
from loyalty.models import Participation
from tests.loyalty.conftest import configure_loyalty
from tests.sandbox_world import connected_sandbox


@pytest.fixture
def crm(db, settings):
    settings.RETAILCRM_RATE_LIMIT_RPS = 500
    with connected_sandbox(catalog=False) as server:
        for program in server.state.loyalties.values():
            program["sites"] = ["main-shop", "second-shop"]  # one program serves both shops
        im.CrmSettings.objects.update(multiple_organizations=True)
        configure_loyalty(server)
        yield server


def customer_of(site: str, number: int, **values) -> im.Customer:
    """A local customer whose latest order is from ``site``."""
    customer = im.Customer.objects.create(first_name="Test", last_name=f"Shop{number}", **values)
    im.Order.objects.create(number=f"LOC-{number}", crm_site=site, customer=customer)
    return customer


def test_a_second_shop_customer_is_found_and_registered_in_the_second_shop(crm):
    members = {a["customerId"] for a in crm.state.loyalty_accounts.values()}
    theirs = next(c for c in sorted(crm.state.customers.values(), key=lambda c: c["id"])
                  if c["site"] == "second-shop" and c["id"] not in members and c.get("phones"))
    digits = "".join(ch for ch in theirs["phones"][0]["number"] if ch.isdigit())
    known = customer_of("second-shop", 1, phone="8" + digits[1:])  # only the phone, typed the local way
    new_second = customer_of("second-shop", 2, phone="+7 702 111-22-33")
    new_main = customer_of("main-shop", 3, phone="+7 702 111-22-44")
    crm_customers = len(crm.state.customers)

    run = run_inline("register-loyalty", options={"customer_ids": [known.pk, new_second.pk, new_main.pk]})

    assert run.status == "succeeded", (render(run.error), run.messages)
    assert run.counts["created"] == 3
    known.refresh_from_db()
    assert known.crm_id == theirs["id"]  # looked up in its own shop: no second CRM customer in main-shop
    assert len(crm.state.customers) == crm_customers + 2
    sites = {c.pk: crm.state.customers[im.Customer.objects.get(pk=c.pk).crm_id]["site"] for c in (new_second, new_main)}
    assert sites == {new_second.pk: "second-shop", new_main.pk: "main-shop"}
    accounts = {a["customerId"] for a in crm.state.loyalty_accounts.values()}
    assert theirs["id"] in accounts
    assert Participation.objects.filter(customer__in=[known, new_second, new_main]).count() == 3
