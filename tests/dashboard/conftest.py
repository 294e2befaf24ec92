"""Fixtures for the exchange dashboard: a few job kinds of our own and helpers to read the page."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.urls import reverse

from integration.exchange.jobs import job_kind
from integration.exchange.jobs.registry import Argument
from integration.models import ExchangeEvent
from integration.exchange.permissions import RUN_IMPORTS

# A running job asks the status endpoint about itself through this client, as a browser would.
probe: dict = {"client": None, "seen": []}


@job_kind("test-dash-steps", label="Test: dashboard steps", permission=RUN_IMPORTS, requires_connection=False)
def steps_job(ctx):
    ctx.set_count("orders_created", 3)
    ctx.message("Halfway through")  # a message saves the progress at once
    client = probe["client"]
    if client is not None:
        probe["seen"].append(client.get(reverse("admin:integration_jobrun_status", args=[ctx.run.pk])).json())
    ctx.count("orders_created", 2)


@job_kind("test-dash-needs-id", label="Test: dashboard needs an id", permission=RUN_IMPORTS, requires_connection=False,
          arguments=[Argument("id", type=int, required=True)])
def needs_id_job(ctx, id):
    ctx.count("loaded")


@pytest.fixture(autouse=True)
def reset_probe():
    probe["client"], probe["seen"] = None, []
    yield
    probe["client"] = None


@pytest.fixture
def staff_client(django_user_model):
    """Staff, but with no permission on job runs (a client of its own, apart from ``client``)."""
    user = django_user_model.objects.create_user("bob", "bob@example.com", "pw-bob-123", is_staff=True)
    client = Client()
    client.force_login(user)
    return client


def events(n: int, *, entity="order", result=ExchangeEvent.Result.CREATED, resolved=False, crm_id=None, at=None):
    """Rows in bulk, only to measure what the page costs as the log grows (test_queries); the counts
    the page shows are tested on rows the producers write (test_dashboard)."""
    rows = [
        ExchangeEvent(
            entity=entity, result=result, direction=ExchangeEvent.Direction.IMPORT, resolved=resolved,
            crm_id=str(crm_id if crm_id is not None else 1000 + i), **({"created_at": at} if at else {}),
        )
        for i in range(n)
    ]
    return ExchangeEvent.objects.bulk_create(rows)


def svg_of(html: str) -> ET.Element:
    match = re.search(r'<svg id="orders-chart".*?</svg>', html, re.S)
    assert match, "the page has no orders chart"
    return ET.fromstring(match.group(0))


SVG = "{http://www.w3.org/2000/svg}"


def bars(svg: ET.Element, series: str) -> list[ET.Element]:
    return [rect for rect in svg.iter(f"{SVG}rect") if rect.get("data-series") == series]


def attention_count(html: str, kind: str) -> int:
    match = re.search(rf'data-kind="{kind}" data-count="(\d+)"', html)
    assert match, f"no attention line {kind}"
    return int(match.group(1))
