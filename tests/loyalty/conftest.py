import pytest
import requests

from integration import models as im
from integration.exchange.jobs import run_inline
from integration.exchange.messages import render
from loyalty.models import LoyaltyProgram, LoyaltySettings
from tests.sandbox_world import connected_sandbox


def configure_loyalty(server, **program):
    """Switch the loyalty program on, load the programs and choose the sandbox's program 1."""
    if program:
        requests.post(f"{server.url}/sandbox/loyalty", json=program, timeout=5).raise_for_status()
    im.CrmSettings.objects.update(loyalty_program=True)
    run = run_inline("refresh-loyalty")
    assert run.status == "succeeded", (render(run.error), run.messages)
    settings_row = LoyaltySettings.get_solo()
    settings_row.program = LoyaltyProgram.objects.get(crm_id=1)
    settings_row.save()
    return settings_row.program


@pytest.fixture
def crm(db, settings):
    """The demo sandbox with settings pointing at it (no catalog, no reference books needed)."""
    settings.RETAILCRM_RATE_LIMIT_RPS = 500  # the sandbox has no limit here; these tests count requests, not time
    with connected_sandbox(catalog=False, sync=False) as server:
        yield server


@pytest.fixture
def loyalty_on(crm):
    return configure_loyalty(crm)
