"""E9: an order skipped for its status is remembered and imported once B1 lists it — none lost, none twice.

The CRM is the sandbox over real HTTP; the cursor stands at the end of its feed as after a day of
running, so only what happens in the test is new, and no run is given a "load from" date.
"""

import pytest
import requests
from django.utils import translation

from integration import models as im
from integration.exchange.jobs import run_inline
from integration.exchange.messages import render
from integration.models import JobRun, SkippedOrder
from integration.exchange import dashboard


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English; a page asked for in Russian must not leave Russian active."""
    with translation.override("en"):
        yield


def _create(crm, status, phone):
    body = {"site": "main-shop", "status": status, "firstName": "Ivan", "lastName": "Waiting", "phone": phone,
            "items": [{"offer": {"externalId": "DEMO-0001"}, "quantity": 1}]}
    response = requests.post(f"{crm.url}/sandbox/orders", json=body, timeout=5)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _cursor_at_end(crm) -> int:
    end = max(entry["id"] for entry in crm.state.history)
    im.CrmSettings.objects.filter(pk=1).update(history_since_id=end)
    return end


def _map_every_status():
    state = im.OrderState.objects.get(code="to-fulfil")
    for status in im.CrmStatus.objects.all():
        im.StatusImportMapping.objects.get_or_create(crm_status=status, defaults={"local_state": state})


def _imported(crm_ids) -> list[int]:
    return sorted(im.Order.objects.filter(crm_id__in=crm_ids).values_list("crm_id", flat=True))


def test_with_an_empty_b1_the_import_refuses_keeps_the_cursor_and_loads_everything_once_b1_is_filled(crm):
    cursor = _cursor_at_end(crm)
    ids = [_create(crm, status, f"+7901000000{n}") for n, status in enumerate(("new", "assembling", "complete", "new"))]

    run = run_inline("import-orders")
    assert run.status == JobRun.Status.REFUSED
    assert "The table of statuses for import is empty" in render(run.messages[-1])
    assert im.CrmSettings.get_solo().history_since_id == cursor and not run.counts.get("entries_read")
    assert not im.Order.objects.filter(crm_id__in=ids).exists()

    # A trigger for one of them meanwhile: skipped with the manual's message, and remembered.
    run = run_inline("import-order", options={"id": ids[0]})
    assert "The table of statuses for import is empty" in " ".join(map(render, run.messages))
    waiting = SkippedOrder.objects.get()
    assert (waiting.crm_id, waiting.crm_status, waiting.crm_site, waiting.reason, waiting.run_id) == (
        ids[0], "new", "main-shop", SkippedOrder.Reason.EMPTY_TABLE, run.pk)

    _map_every_status()
    run = run_inline("import-orders")
    assert run.status == JobRun.Status.SUCCEEDED, (render(run.error), run.messages)
    assert _imported(ids) == sorted(ids)
    assert not SkippedOrder.objects.exists()
    assert im.CrmSettings.get_solo().history_since_id == max(entry["id"] for entry in crm.state.history)

    again = run_inline("import-orders")
    assert not any(key.startswith("orders_") for key in again.counts), again.counts
    assert im.Order.objects.filter(crm_id__in=ids).count() == len(ids)


def test_orders_in_unlisted_statuses_wait_and_import_when_b1_lists_them_or_they_change(crm, map_statuses):
    map_statuses(new="pending-approval")
    _cursor_at_end(crm)
    new = [_create(crm, "new", "+79020000001"), _create(crm, "new", "+79020000002")]
    assembling = [_create(crm, "assembling", "+79020000003"), _create(crm, "assembling", "+79020000004")]
    complete = _create(crm, "complete", "+79020000005")

    run = run_inline("import-orders")
    assert run.counts["orders_created"] == 2 and run.counts["orders_skipped"] == 3
    assert _imported(new + assembling + [complete]) == sorted(new)
    assert im.CrmSettings.get_solo().history_since_id == max(entry["id"] for entry in crm.state.history)
    waiting = {row.crm_id: row for row in SkippedOrder.objects.all()}
    assert set(waiting) == {*assembling, complete}
    assert {row.crm_status for row in waiting.values()} == {"assembling", "complete"}
    assert {row.reason for row in waiting.values()} == {SkippedOrder.Reason.NOT_LISTED}
    with translation.override("ru"):
        assert "не загружаются" in render(waiting[complete].message)  # the manual's words, translated when shown
    by_status = dashboard.attention().counts("waiting-")
    assert by_status == {"assembling": 2, "complete": 1}

    # B1 gains "assembling": the next run loads those two from the queue (the feed has nothing new).
    map_statuses(assembling="to-fulfil")
    run = run_inline("import-orders")
    assert run.counts["waiting_retried"] == 2 and run.counts["orders_created"] == 2, run.counts
    assert not run.counts.get("entries_read")
    assert _imported(new + assembling + [complete]) == sorted(new + assembling)
    assert set(SkippedOrder.objects.values_list("crm_id", flat=True)) == {complete}

    # The "complete" one changes to a listed status in the CRM: the feed brings it back.
    requests.post(f"{crm.url}/sandbox/orders/{complete}/edit", json={"status": "new"}, timeout=5)
    run = run_inline("import-orders")
    assert run.counts["orders_created"] == 1 and not run.counts.get("waiting_retried")
    assert not SkippedOrder.objects.exists()

    run_inline("import-orders")
    everything = new + assembling + [complete]
    assert _imported(everything) == sorted(everything)
    assert im.Order.objects.filter(crm_id__in=everything).count() == len(everything)
    assert im.OrderLine.objects.filter(order__crm_id__in=everything, is_delivery=False).count() == len(everything)


def test_a_waiting_order_that_moves_to_another_unlisted_status_keeps_waiting_under_it(crm, map_statuses):
    map_statuses(new="pending-approval")
    _cursor_at_end(crm)
    crm_id = _create(crm, "assembling", "+79030000001")
    run_inline("import-orders")
    requests.post(f"{crm.url}/sandbox/orders/{crm_id}/edit", json={"status": "complete"}, timeout=5)
    run_inline("import-orders")
    assert SkippedOrder.objects.get(crm_id=crm_id).crm_status == "complete"
    map_statuses(assembling="to-fulfil")  # its old status: the queue re-fetches nothing for it
    run = run_inline("import-orders")
    assert not run.counts.get("waiting_retried") and not im.Order.objects.filter(crm_id=crm_id).exists()
    map_statuses(complete="closed")
    run = run_inline("import-orders")
    assert run.counts["waiting_retried"] == 1 and im.Order.objects.get(crm_id=crm_id).closed


def test_saving_b1_queues_the_import_of_the_orders_waiting_in_that_status(
        crm, map_statuses, admin_client, django_capture_on_commit_callbacks, run_queued_jobs):
    import django_rq

    from integration.exchange.jobs import get_kind
    from integration.exchange.jobs.runner import rq_job_id

    map_statuses(new="pending-approval")
    _cursor_at_end(crm)
    crm_id = _create(crm, "assembling", "+79040000001")
    run_inline("import-orders")
    assert SkippedOrder.objects.count() == 1
    status = im.CrmStatus.objects.get(code="assembling")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/admin/integration/statusimportmapping/add/", {
            "crm_status": status.pk, "local_state": im.OrderState.objects.get(code="to-fulfil").pk}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Orders waiting in status assembling: 1" in page
    queued = JobRun.objects.filter(kind="import-orders", status=JobRun.Status.QUEUED).get()
    assert queued.trigger == JobRun.Trigger.BUTTON
    assert rq_job_id(get_kind("import-orders")) in django_rq.get_queue("orders").job_ids
    run_queued_jobs()  # a worker takes the queued run: the waiting order arrives, the queue empties
    queued.refresh_from_db()
    assert queued.status == JobRun.Status.SUCCEEDED and queued.counts["waiting_retried"] == 1, queued.counts
    assert _imported([crm_id]) == [crm_id] and not SkippedOrder.objects.exists()


def test_a_b1_editor_who_may_not_run_imports_saves_the_row_and_leaves_the_waiting_orders_to_the_schedule(
        crm, map_statuses, client, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import Permission, User

    map_statuses(new="pending-approval")
    _cursor_at_end(crm)
    _create(crm, "assembling", "+79040000002")
    run_inline("import-orders")
    editor = User.objects.create_user("b1-editor", password="x", is_staff=True)
    editor.user_permissions.set(Permission.objects.filter(
        content_type__app_label="integration", codename__in=["add_statusimportmapping", "view_statusimportmapping",
                                                            "change_statusimportmapping"]))
    client.force_login(editor)
    status = im.CrmStatus.objects.get(code="assembling")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/integration/statusimportmapping/add/", {
            "crm_status": status.pk, "local_state": im.OrderState.objects.get(code="to-fulfil").pk}, follow=True)
    assert response.status_code == 200
    assert "The next scheduled “Import orders” run loads them" in response.content.decode()
    assert im.StatusImportMapping.objects.filter(crm_status=status).exists()
    assert not JobRun.objects.filter(kind="import-orders", status=JobRun.Status.QUEUED).exists()


def test_the_first_run_pins_its_start_so_orders_made_while_b1_was_empty_are_read_later(crm):
    assert im.CrmSettings.get_solo().history_since_id is None
    run = run_inline("import-orders")
    assert run.status == JobRun.Status.REFUSED
    pinned = im.CrmSettings.get_solo().history_start_date
    assert pinned is not None and im.CrmSettings.get_solo().history_since_id is None
    crm_id = _create(crm, "new", "+79050000001")
    assert run_inline("import-orders").status == JobRun.Status.REFUSED
    assert im.CrmSettings.get_solo().history_start_date == pinned  # a later refusal does not move it

    _map_every_status()
    run = run_inline("import-orders")
    assert run.status == JobRun.Status.SUCCEEDED, (render(run.error), run.messages)
    assert _imported([crm_id]) == [crm_id]
    assert im.Order.objects.count() == 1  # the seeded history before the first run is not read


def test_the_dashboard_shows_how_many_orders_wait_per_status_and_why_in_the_readers_language(admin_client):
    from django.urls import reverse

    im.CrmStatus.objects.create(code="assembling", name="Assembling")
    for crm_id, status in ((1, "assembling"), (2, "assembling"), (3, "complete")):
        SkippedOrder.objects.create(crm_id=crm_id, crm_status=status, reason=SkippedOrder.Reason.NOT_LISTED)
    url = reverse("admin:integration_jobrun_dashboard")
    page = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-kind="waiting-assembling" data-count="2"' in page
    assert 'data-kind="waiting-complete" data-count="1"' in page
    assert "Orders waiting for their status: Assembling (assembling)" in page
    assert "Orders in status complete are not loaded" in page
    assert "crm_status=assembling" in page  # the link opens the queue filtered by the status
    russian = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Заказы ожидают загрузки по статусу: Assembling (assembling)" in russian
    assert "Orders in status complete are not loaded" not in russian


@pytest.mark.django_db
def test_a_skipped_order_whose_crm_values_carry_nul_is_filed_not_refused_by_the_database():
    from integration.retailcrm.orders.waiting import WaitingOrders

    run = JobRun.objects.create(kind="import-orders", trigger=JobRun.Trigger.COMMAND)
    WaitingOrders().update(run, skipped=[{"id": 5, "number": "5\x00A", "site": "main\x00", "status": "new\x00"}],
                           handled=[], table_empty=False)
    row = SkippedOrder.objects.get(crm_id=5)
    assert (row.crm_number, row.crm_site, row.crm_status) == ("5\\x00A", "main\\x00", "new\\x00")
