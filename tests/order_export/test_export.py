"""F1/F5 against the sandbox over HTTP: posting in the admin sends what changed, and the CRM has it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import Warehouse
from integration import models as im
from integration.exchange.jobs import run_inline
from integration.exchange.jobs.schedule import tick
from integration.exchange.messages import render
from integration.retailcrm.crm_setup import ECHO_FIELD_CODE
from tests.sandbox_world import order_state

EXPORT = "export-order-changes"


def imported(api, **fields) -> im.Order:
    crm_id = api.create(**fields)
    run = run_inline("import-order", options={"id": crm_id})
    assert run.status == im.JobRun.Status.SUCCEEDED, (render(run.error), [render(m) for m in run.messages])
    return im.Order.objects.get(crm_id=crm_id)


def press(client, order, button, capture):
    """The order page's button, as an operator presses it; the export job runs after the commit."""
    url = reverse("admin:integration_order_actions", kwargs={"pk": order.pk, "tool": button})
    with capture(execute=True):
        return client.post(url, follow=True)


@pytest.fixture
def post(admin_client, django_capture_on_commit_callbacks, run_queued_jobs):
    def act(order, button="post_button", client=None):
        page = press(client or admin_client, order, button, django_capture_on_commit_callbacks)
        run_queued_jobs()
        order.refresh_from_db()
        return page

    return act


def last_export() -> im.JobRun:
    return im.JobRun.objects.filter(kind=EXPORT).latest("pk")


def test_a_state_change_is_exported_as_its_b2_status(api, post):
    order = imported(api)
    assert order.state.code == "pending-approval" and order.crm_seen["crm"]["status"] == "new"
    order.state = order_state("to-fulfil")
    order.save()
    post(order)
    crm_order = api.order(order.crm_id)
    assert crm_order["status"] == "assembling"  # B2: to-fulfil → assembling (seed 001 §7)
    assert crm_order["customFields"][ECHO_FIELD_CODE] is True  # B10: the trigger skips our own edit
    assert len(api.our_edits(order.crm_id, "status")) == 1
    assert [entry["field"] for entry in api.history(order.crm_id) if entry.get("apiKey", {}).get("current")] \
        == ["status", f"custom_{ECHO_FIELD_CODE}"]  # nothing but the change: no items, manager or delivery
    run = last_export()
    assert run.status == im.JobRun.Status.SUCCEEDED, [render(m) for m in run.messages]
    event = run.events.get()
    assert event.direction == im.ExchangeEvent.Direction.EXPORT and render(event.message) == "Sent to RetailCRM: status."
    assert not order.export_pending and order.crm_status == "assembling"


def test_an_unchanged_order_costs_no_request(api, post):
    order = imported(api)
    before = api.requests_made()
    post(order)
    assert api.requests_made() == before
    assert last_export().events.get().result == im.ExchangeEvent.Result.UNCHANGED
    assert not im.Order.objects.get(pk=order.pk).export_pending


def test_unposting_sends_the_unposting_status_and_posting_again_the_states(api, post):
    order = imported(api)
    page = post(order, "unpost_button")
    assert "1 order done" in page.content.decode() and not order.posted
    assert api.order(order.crm_id)["status"] == "cancel"  # F5: B2 "unposting" → cancel
    post(order)
    assert order.posted and api.order(order.crm_id)["status"] == "new"  # posted again: its state's status
    assert len(api.our_edits(order.crm_id, "status")) == 2


def test_a_closed_order_with_every_line_cancelled_gets_the_cancel_row(api, post):
    order = imported(api)
    order.state, order.closed, order.cancelled = order_state("closed"), True, True
    order.save()
    post(order)
    assert api.order(order.crm_id)["status"] == "cancel"
    order.cancelled = False
    order.save()
    post(order)
    assert api.order(order.crm_id)["status"] == "complete"


def test_a_local_order_is_never_exported(api, post):
    order = im.Order.objects.create(number="L-1", source=im.Order.Source.LOCAL, state=order_state("to-fulfil"))
    orders_before, before = len(api.server.state.orders), api.requests_made()
    page = post(order)
    assert "1 order done" in page.content.decode() and order.posted and not order.export_pending
    assert not im.JobRun.objects.filter(kind=EXPORT).exists()
    assert api.requests_made() == before and len(api.server.state.orders) == orders_before


def test_lines_manager_store_and_delivery_are_sent_as_the_mappings_say(api, post, django_user_model):
    order = imported(api)
    boris = django_user_model.objects.create_user("boris", "boris@example.com")
    im.ManagerMapping.objects.update_or_create(crm_user=im.CrmUser.objects.get(crm_id=12), defaults={"local_user": boris})
    north = Warehouse.objects.get(code="north")
    order.manager, order.warehouse = boris, north
    order.delivery_method, order.delivery_cost = im.DeliveryMethod.PICKUP, Decimal("0")
    order.save()
    first, second = order.lines.order_by("crm_item_id")
    first.quantity, first.price, first.discount_per_unit, first.bonuses_charged = 3, Decimal("120"), Decimal("20"), Decimal("15")
    first.save()
    second.delete()
    post(order)
    crm_order = api.order(order.crm_id)
    assert crm_order["managerId"] == 12  # B3 read backwards
    assert crm_order["shipmentStore"] == "north"  # B4
    assert crm_order["delivery"]["code"] == "self-delivery" and crm_order["delivery"]["cost"] == 0  # B7 read backwards
    [item] = crm_order["items"]
    assert item["id"] == first.crm_item_id and item["quantity"] == 3 and item["initialPrice"] == 120
    assert item["discountManualAmount"] == 15  # 000 §7: 20 per unit minus 15 / 3 of charged bonuses
    assert render(last_export().events.get().message) == \
        "Sent to RetailCRM: manager, shipment store, delivery, items."


def test_a_line_added_here_is_created_once_and_linked(api, post):
    from catalog.models import Product

    order = imported(api)
    line = im.OrderLine.objects.create(order=order, product=Product.objects.get(code="DEMO-0003"), quantity=4,
                                       price=Decimal("10"))
    post(order)
    line.refresh_from_db()
    items = api.order(order.crm_id)["items"]
    assert len(items) == 3 and line.crm_item_id in {item["id"] for item in items}
    before = api.requests_made()
    post(order)  # nothing changed since: the new line is known to the CRM now
    assert api.requests_made() == before and len(api.order(order.crm_id)["items"]) == 3


def test_an_order_without_a_state_is_neither_posted_nor_saved(api, post, admin_client):
    im.StatusImportMapping.objects.filter(crm_status__code="new").update(local_state=None)
    order = imported(api)
    assert order.state is None
    page = post(order).content.decode()
    assert "Set the order&#x27;s state before posting it." in page
    assert not im.JobRun.objects.filter(kind=EXPORT).exists()
    url = reverse("admin:integration_order_change", args=[order.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and not isinstance(value, list)}
    for prefix in ("lines", "payments"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    answer = admin_client.post(url, data)
    assert answer.status_code == 200 and "an order without one cannot be saved" in answer.content.decode()


def test_posting_a_crm_order_needs_the_permission_to_change_crm_records(api, post, client, django_user_model):
    from django.contrib.auth.models import Permission

    clerk = django_user_model.objects.create_user("clerk", password="pw", is_staff=True)
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_order", "change_order"]))
    client.force_login(clerk)
    order = imported(api)
    order.state = order_state("to-fulfil")
    order.save()
    page = post(order, client=client).content.decode()
    assert "sends its changes to RetailCRM, which you may not do" in page
    assert not order.export_pending and api.order(order.crm_id)["status"] == "new"
    anonymous_press = client.post(reverse("admin:integration_order_actions", kwargs={"pk": order.pk, "tool": "post_button"}))
    clerk.user_permissions.remove(Permission.objects.get(codename="change_order"))
    assert client.post(reverse("admin:integration_order_actions",
                               kwargs={"pk": order.pk, "tool": "post_button"})).status_code == 403
    assert anonymous_press.status_code == 302


def test_with_export_off_posting_sends_nothing(api, post):
    im.CrmSettings.objects.update(export_order_changes=False)
    order = imported(api)
    order.state = order_state("to-fulfil")
    order.save()
    post(order)
    assert not order.export_pending and not im.JobRun.objects.filter(kind=EXPORT).exists()
    assert api.order(order.crm_id)["status"] == "new"


def test_the_exchange_log_reads_in_the_operators_language(api, post):
    from django.utils import translation

    order = imported(api)
    order.state = order_state("to-fulfil")
    order.save()
    post(order)
    with translation.override("ru"):
        assert render(last_export().events.get().message) == "Выгружено в RetailCRM: статус."


def test_a_state_without_a_b2_row_is_not_sent_and_the_log_says_why(api, post):
    im.StatusExportMapping.objects.filter(local_state__code="to-fulfil").delete()
    order = imported(api)
    order.state = order_state("to-fulfil")
    order.save()
    post(order)
    assert api.order(order.crm_id)["status"] == "new"
    run = last_export()
    assert run.status == im.JobRun.Status.WARNINGS
    assert render(run.events.get().message) == \
        "The status is not sent: “B2 · statuses for export” has no row for “To fulfil”."


def test_an_order_a_failed_run_left_due_is_sent_by_the_next_scheduled_run(api, post, crm, django_capture_on_commit_callbacks,
                                                                           run_queued_jobs):
    schedule = im.JobSchedule.objects.get(kind=EXPORT)  # on by default, every 5 minutes (a data migration)
    assert schedule.enabled and schedule.interval_seconds == 300
    order = imported(api)
    order.state = order_state("to-fulfil")
    order.save()
    crm.set_faults(drop_rate=1.0, match=r"orders/\d+/edit")  # the CRM does not answer the edit
    post(order)
    crm.set_faults()
    assert order.export_pending and api.order(order.crm_id)["status"] == "new"
    assert last_export().events.get().result == im.ExchangeEvent.Result.FAILED

    with django_capture_on_commit_callbacks(execute=True):
        tick(EXPORT)  # what rq-scheduler enqueues: no posting, no "run now"
    run_queued_jobs()

    run = last_export()
    assert run.trigger == im.JobRun.Trigger.SCHEDULE and run.status == im.JobRun.Status.SUCCEEDED, \
        [render(m) for m in run.messages]
    assert api.order(order.crm_id)["status"] == "assembling"
    assert not im.Order.objects.get(pk=order.pk).export_pending
