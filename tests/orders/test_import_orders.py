"""E1/E2: the history feed imports every sandbox order once, skips our own changes, moves the cursor."""

from decimal import Decimal

import requests

from integration import models as im
from integration.exchange.jobs import run_inline
from integration.exchange.messages import render
from integration.models import ExchangeEvent, JobRun


def _map_every_status(closed=("complete", "cancel-other", "cancel", "return", "partially-returned")):
    to_fulfil = im.OrderState.objects.get(code="to-fulfil")
    closed_state = im.OrderState.objects.get(code="closed")
    for status in im.CrmStatus.objects.all():
        im.StatusImportMapping.objects.get_or_create(
            crm_status=status, defaults={"local_state": closed_state if status.code in closed else to_fulfil})


def test_it_imports_every_sandbox_order_from_a_date(crm):
    _map_every_status()
    run = run_inline("import-orders", options={"since": "2020-01-01"})
    assert run.status == JobRun.Status.SUCCEEDED, (render(run.error), run.messages[-3:])
    crm_orders = crm.state.orders
    assert im.Order.objects.count() == len(crm_orders) == 200
    for crm_id, stored in list(crm_orders.items())[:20]:
        order = im.Order.objects.get(crm_id=crm_id)
        assert order.crm_number == stored["number"]
        assert order.lines.filter(is_delivery=False).count() == len(stored["items"])
    totals = {order.crm_id: order.total for order in im.Order.objects.all()}
    answer = requests.get(f"{crm.url}/api/v5/orders", params={"limit": 100, "page": 1}, headers={"X-API-KEY": "sandbox-key"}, timeout=5).json()
    for remote in answer["orders"]:
        assert totals[remote["id"]] == Decimal(str(remote["totalSumm"])).quantize(Decimal("0.01"))
    settings_row = im.CrmSettings.get_solo()
    assert settings_row.history_since_id == max(entry["id"] for entry in crm.state.history)
    assert run.cursor_after == str(settings_row.history_since_id)
    assert run.counts["entries_read"] == len(crm.state.history)


def test_a_second_run_reads_only_new_changes(crm):
    _map_every_status()
    run_inline("import-orders", options={"since": "2020-01-01"})
    first_order = next(iter(crm.state.orders))
    requests.post(f"{crm.url}/sandbox/orders/{first_order}/edit", json={"status": "assembling"}, timeout=5)
    run = run_inline("import-orders")
    assert run.counts["entries_read"] >= 1
    assert run.counts.get("orders_updated", 0) + run.counts.get("orders_unchanged", 0) == 1
    assert im.Order.objects.count() == 200


def test_changes_made_with_our_own_key_are_skipped(crm):
    _map_every_status()
    run_inline("import-orders", options={"since": "2020-01-01"})
    crm_id = next(iter(crm.state.orders))
    from integration.retailcrm.client.factory import client_from_settings

    with client_from_settings() as client:
        client.order_edit({"id": crm_id, "managerComment": "changed by the back office"}, by="id", site="main-shop")
    run = run_inline("import-orders")
    assert run.counts["own_entries_skipped"] >= 1
    assert not any(key.startswith("orders_") for key in run.counts)


def test_a_parked_order_is_retried_when_the_catalog_gains_the_offer(crm):
    _map_every_status()
    requests.post(f"{crm.url}/sandbox/offers", json={"offers": [{"externalId": "LATE-1", "name": "Late arrival"}]}, timeout=5)
    response = requests.post(f"{crm.url}/sandbox/orders", json={
        "site": "main-shop", "status": "new", "phone": "+79005550000", "items": [{"offer": {"externalId": "LATE-1"}}]}, timeout=5)
    crm_id = response.json()["id"]
    run = run_inline("import-orders", options={"since": "2020-01-01"})
    assert run.status == JobRun.Status.WARNINGS and run.counts["orders_parked"] == 1
    assert render(ExchangeEvent.objects.get(crm_id=str(crm_id), result="parked").message).startswith("Unknown offers")
    # Every later run retries it; while it stays parked, its one open event counts the retries.
    for _ in range(2):
        run = run_inline("import-orders")
        assert run.status == JobRun.Status.WARNINGS and run.counts["orders_parked"] == 1
    parked = ExchangeEvent.objects.get(crm_id=str(crm_id), result="parked")
    assert parked.retry_count == 2 and parked.run_id == run.pk and not parked.resolved
    from catalog.models import Product

    Product.objects.create(code="LATE-1", name="Late arrival")
    run = run_inline("import-orders")
    assert run.counts["retried"] == 1 and im.Order.objects.filter(crm_id=crm_id).exists()
    assert ExchangeEvent.objects.get(crm_id=str(crm_id), result="parked").resolved


def test_the_retry_queue_not_the_log_keeps_a_parked_order(crm):
    """Clearing the exchange log (housekeeping, an operator) must not forget what is still owed."""
    _map_every_status()
    requests.post(f"{crm.url}/sandbox/offers", json={"offers": [{"externalId": "LATE-2", "name": "Late arrival"}]}, timeout=5)
    crm_id = requests.post(f"{crm.url}/sandbox/orders", json={
        "site": "main-shop", "status": "new", "phone": "+79005550001", "items": [{"offer": {"externalId": "LATE-2"}}]},
        timeout=5).json()["id"]
    run_inline("import-orders", options={"since": "2020-01-01"})
    entry = im.RetryEntry.objects.get(system="retailcrm", entity="order", remote_id=str(crm_id))
    assert render(entry.message).startswith("Unknown offers") and entry.attempts == 1
    run_inline("import-orders")
    assert im.RetryEntry.objects.get(pk=entry.pk).attempts == 2
    ExchangeEvent.objects.all().delete()
    from catalog.models import Product

    Product.objects.create(code="LATE-2", name="Late arrival")
    run = run_inline("import-orders")
    assert run.counts["retried"] == 1 and im.Order.objects.filter(crm_id=crm_id).exists()
    assert not im.RetryEntry.objects.exists()


def test_faults_from_the_crm_still_give_a_complete_import(crm):
    _map_every_status()
    crm.set_faults(error_rate=0.3, status=503, drop_rate=0.05)
    run = run_inline("import-orders", options={"since": "2020-01-01"})
    crm.set_faults()
    assert run.status == JobRun.Status.SUCCEEDED, (render(run.error), run.messages[-3:])
    assert set(im.Order.objects.values_list("crm_id", flat=True)) == set(crm.state.orders)
    assert im.CrmSettings.get_solo().history_since_id == max(entry["id"] for entry in crm.state.history)


def test_every_total_matches_the_crm(crm):
    _map_every_status()
    run_inline("import-orders", options={"since": "2020-01-01"})
    from integration.retailcrm.client.factory import client_from_settings

    with client_from_settings() as client:
        remote = {order["id"]: order for order in client.iter_orders(limit=100)}
    assert len(remote) == 200
    for order in im.Order.objects.prefetch_related("lines"):
        crm_order = remote[order.crm_id]
        assert order.total == Decimal(str(crm_order["totalSumm"])).quantize(Decimal("0.01")), order.crm_id
        item_sum = sum(line.amount for line in order.lines.all() if not line.is_delivery)
        assert item_sum == Decimal(str(crm_order["summ"])).quantize(Decimal("0.01")), order.crm_id
