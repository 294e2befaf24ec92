"""Bad input never stops the feed: malformed entries and orders are recorded and skipped or parked."""

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from integration import models as im
from integration.models import JobRun
from integration.retailcrm.orders.apply import ReferenceData
from integration.retailcrm.orders.history import apply_page, changed_order_ids

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**12), st.floats(allow_nan=True), st.text(max_size=12))
json_values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=12)

order_like = st.fixed_dictionaries(
    {"id": st.integers(1, 10**6)},
    optional={
        "status": st.one_of(st.sampled_from(["new", "assembling", "no-such-status"]), json_values),
        "number": json_values, "site": st.one_of(st.sampled_from(["main-shop", "ghost-shop"]), json_values),
        "createdAt": st.one_of(st.just("2025-03-03 10:00:00"), json_values),
        "items": st.one_of(st.lists(st.fixed_dictionaries({"id": st.integers(1, 10**6)}, optional={
            "offer": st.one_of(st.fixed_dictionaries({"externalId": st.sampled_from(["DEMO-0001", "DEMO-0025#S", "NOPE"])}), json_values),
            "quantity": json_values, "initialPrice": json_values, "discountTotal": json_values,
        }), max_size=3), json_values),
        "customer": json_values, "delivery": json_values, "payments": json_values, "totalSumm": json_values,
        "managerId": json_values, "shipmentStore": json_values,
    },
)


class _Context:
    """The slice of JobContext that apply_page uses, recording into a real run."""

    def __init__(self):
        from integration.exchange.jobs.runner import JobContext

        self._ctx = JobContext(JobRun.objects.create(kind="import-orders", trigger="command"))

    def __getattr__(self, name):
        return getattr(self._ctx, name)


@pytest.fixture
def mapped(db):
    from catalog.demo import seed_demo_catalog

    seed_demo_catalog()
    im.CrmSite.objects.create(code="main-shop", name="Main")
    for code in ("new", "assembling"):
        im.StatusImportMapping.objects.create(crm_status=im.CrmStatus.objects.create(code=code, name=code),
                                              local_state=im.OrderState.objects.get(code="to-fulfil"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(orders=st.lists(order_like, min_size=1, max_size=3, unique_by=lambda order: order["id"]))
def test_malformed_orders_are_recorded_and_never_raise_nor_spoil_the_page(mapped, orders):
    ctx = _Context()
    ids = [order["id"] for order in orders]
    before = set(im.Order.objects.filter(crm_id__in=ids).values_list("crm_id", flat=True))
    apply_page(ctx, ids, {order["id"]: order for order in orders}, ReferenceData())
    events = {int(event.crm_id): event.result for event in ctx.run.events.all()}
    assert set(events) == set(ids)  # every order of the page is recorded, good or bad
    assert set(events.values()) <= {"created", "updated", "unchanged", "skipped", "parked"}
    after = set(im.Order.objects.filter(crm_id__in=ids).values_list("crm_id", flat=True))
    assert after - before == {crm_id for crm_id, result in events.items() if result == "created"}
    assert {crm_id for crm_id, result in events.items() if result in {"updated", "unchanged"}} <= before


@settings(max_examples=200, deadline=None)
@given(entries=st.lists(st.one_of(json_values, st.fixed_dictionaries({"order": json_values, "deleted": json_values})), max_size=6))
def test_malformed_history_entries_never_break_the_collection_of_ids(entries):
    entries = [entry if isinstance(entry, dict) else {"junk": entry} for entry in entries]
    ids, deleted = changed_order_ids(entries)
    assert all(isinstance(i, int) for i in ids) and deleted <= set(ids)
