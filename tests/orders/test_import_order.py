"""E3: load one order by CRM id — created, updated idempotently, refused or parked with a clear reason."""

import requests

from integration import models as im
from integration.exchange.jobs import run_inline
from integration.exchange.messages import render
from integration.models import ExchangeEvent, JobRun


def _create_in_crm(crm, **fields):
    body = {
        "site": "main-shop", "status": "new", "firstName": "Ivan", "lastName": "Petrov", "phone": "+79001234567",
        "items": [{"offer": {"externalId": "DEMO-0001"}, "quantity": 2}, {"offer": {"externalId": "DEMO-0025#S"}, "quantity": 1}],
        "delivery": {"code": "courier", "cost": 300},
        **fields,
    }
    response = requests.post(f"{crm.url}/sandbox/orders", json=body, timeout=5)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_it_creates_the_order_with_lines_customer_and_number(crm, map_statuses):
    map_statuses(new="pending-approval")
    crm_id = _create_in_crm(crm)
    run = run_inline("import-order", options={"id": crm_id})
    assert run.status == JobRun.Status.SUCCEEDED, (render(run.error), run.messages)
    order = im.Order.objects.get(crm_id=crm_id)
    assert order.number == f"CRM-{order.crm_number}" and order.crm_number in order.comment
    assert order.state.code == "pending-approval" and not order.closed
    assert order.customer.phone == "+79001234567" and order.customer.last_name == "Petrov"
    lines = {(line.product.code, line.characteristic.name if line.characteristic else None): line for line in order.lines.all()}
    assert set(lines) == {("DEMO-0001", None), ("DEMO-0025", "S")}
    assert lines[("DEMO-0001", None)].quantity == 2
    assert run.events.get().result == ExchangeEvent.Result.CREATED
    assert any("Posted: order" in message for message in map(render, run.messages))


def test_importing_twice_changes_and_duplicates_nothing(crm, map_statuses):
    map_statuses(new="pending-approval", assembling="to-fulfil")
    crm_id = _create_in_crm(crm)
    run_inline("import-order", options={"id": crm_id})
    requests.post(f"{crm.url}/sandbox/orders/{crm_id}/edit", json={"status": "assembling"}, timeout=5)
    run = run_inline("import-order", options={"id": crm_id})
    run_inline("import-order", options={"id": crm_id})
    assert run.events.get().result == ExchangeEvent.Result.UPDATED
    assert im.Order.objects.filter(crm_id=crm_id).count() == 1
    assert im.Order.objects.get(crm_id=crm_id).state.code == "to-fulfil"
    assert im.OrderLine.objects.filter(order__crm_id=crm_id).count() == 2
    assert im.Customer.objects.filter(phone="+79001234567").count() == 1


def test_the_manuals_messages_for_an_empty_table_and_an_unlisted_status(crm, map_statuses):
    crm_id = _create_in_crm(crm)
    run = run_inline("import-order", options={"id": crm_id})
    assert "The table of statuses for import is empty" in " ".join(map(render, run.messages))
    map_statuses(complete="closed")
    run = run_inline("import-order", options={"id": crm_id})
    assert "Orders in status new are not loaded" in " ".join(map(render, run.messages))
    assert not im.Order.objects.filter(crm_id=crm_id).exists()


def test_a_listed_status_without_a_state_imports_with_an_empty_state(crm, map_statuses):
    map_statuses(new=None)
    crm_id = _create_in_crm(crm)
    run_inline("import-order", options={"id": crm_id})
    assert im.Order.objects.get(crm_id=crm_id).state is None


def test_an_unknown_offer_parks_the_order_and_writes_nothing(crm, map_statuses):
    map_statuses(new="pending-approval")
    requests.post(f"{crm.url}/sandbox/offers", json={"offers": [{"externalId": "NOT-IN-CATALOG", "name": "Mystery"}]}, timeout=5)
    crm_id = _create_in_crm(crm, items=[{"offer": {"externalId": "DEMO-0001"}}, {"offer": {"externalId": "NOT-IN-CATALOG"}}])
    run = run_inline("import-order", options={"id": crm_id})
    assert run.status == JobRun.Status.WARNINGS
    event = run.events.get()
    assert event.result == ExchangeEvent.Result.PARKED and "NOT-IN-CATALOG" in render(event.message)
    assert not im.Order.objects.filter(crm_id=crm_id).exists()
    assert not im.Customer.objects.filter(phone="+79001234567").exists()


def test_a_closed_local_order_is_never_changed(crm, map_statuses):
    map_statuses(new="closed", assembling="to-fulfil")
    crm_id = _create_in_crm(crm)
    run_inline("import-order", options={"id": crm_id})
    assert im.Order.objects.get(crm_id=crm_id).closed
    requests.post(f"{crm.url}/sandbox/orders/{crm_id}/edit", json={"status": "assembling"}, timeout=5)
    run = run_inline("import-order", options={"id": crm_id})
    assert run.events.get().result == ExchangeEvent.Result.UNCHANGED
    assert im.Order.objects.get(crm_id=crm_id).state.code == "closed"


def test_a_cancel_flagged_status_cancels_the_order(crm, map_statuses):
    map_statuses(new="pending-approval")
    im.StatusImportMapping.objects.create(crm_status=im.CrmStatus.objects.get(code="cancel-other"),
                                          local_state=im.OrderState.objects.get(code="closed"), cancel_order=True)
    crm_id = _create_in_crm(crm)
    run_inline("import-order", options={"id": crm_id})
    requests.post(f"{crm.url}/sandbox/orders/{crm_id}/edit", json={"status": "cancel-other"}, timeout=5)
    run_inline("import-order", options={"id": crm_id})
    order = im.Order.objects.get(crm_id=crm_id)
    assert order.cancelled and order.closed


def test_an_order_deleted_in_the_crm_is_flagged(crm, map_statuses):
    map_statuses(new="pending-approval")
    crm_id = _create_in_crm(crm)
    run_inline("import-order", options={"id": crm_id})
    requests.post(f"{crm.url}/sandbox/orders/{crm_id}/delete", json={}, timeout=5)
    run = run_inline("import-order", options={"id": crm_id})
    assert run.status == JobRun.Status.WARNINGS and not run.error
    assert "does not exist in RetailCRM" in render(run.messages[-1])
    assert im.Order.objects.get(crm_id=crm_id).deleted_in_crm


def test_the_load_orders_page_queues_one_order_and_a_date_run(admin_client, crm, map_statuses, run_queued_jobs):
    from django.urls import reverse

    map_statuses(new="pending-approval")
    crm_id = _create_in_crm(crm)
    url = reverse("admin:integration_crmsettings_load_orders")
    assert admin_client.get(url).status_code == 200
    page = admin_client.post(url, {"one-order_id": crm_id, "load_one": "1"}, follow=True).content.decode()
    assert "has been queued" in page
    page = admin_client.post(url, {"one-order_id": "-3", "load_one": "1"}).content.decode()
    assert "greater than or equal to 1" in page
    page = admin_client.post(url, {"since-since": "2020-01-01", "load_since": "1"}, follow=True).content.decode()
    assert "has been queued" in page
    assert JobRun.objects.filter(kind="import-orders", options={"since": "2020-01-01"}).exists()


def test_a_customer_is_found_by_the_same_phone_typed_another_way_and_keeps_its_spelling(crm, map_statuses):
    map_statuses(new="pending-approval")
    local = im.Customer.objects.create(first_name="Ivan", last_name="Petrov", phone="8 (900) 123-45-67")
    crm_id = _create_in_crm(crm)  # the CRM has +79001234567
    run = run_inline("import-order", options={"id": crm_id})
    assert run.status == JobRun.Status.SUCCEEDED, (render(run.error), run.messages)
    assert im.Order.objects.get(crm_id=crm_id).customer_id == local.pk
    assert im.Customer.objects.count() == 1
    local.refresh_from_db()
    assert local.phone == "8 (900) 123-45-67"
