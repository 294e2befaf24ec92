"""Echo (E8 with B10) and conflicts: an export never comes back as an import that changes the order
or exports again; a posted local change not yet exported is sent before the CRM's state is applied."""

from integration import models as im
from integration.exchange.jobs import run_inline
from integration.exchange.messages import render
from integration.retailcrm.crm_setup import ECHO_FIELD_CODE
from integration.retailcrm.orders.history import own_entries
from tests.order_export.test_export import EXPORT, imported, post  # noqa: F401 - the fixture
from tests.sandbox_world import order_state


def test_no_export_loop(api, post):  # noqa: F811
    order = imported(api)
    im.CrmSettings.objects.update(history_since_id=api.server.state.history[-1]["id"])  # the feed up to the import
    order.state = order_state("to-fulfil")
    order.save()
    post(order)
    assert api.order(order.crm_id)["status"] == "assembling"
    exported = im.Order.objects.get(pk=order.pk)

    run = run_inline("import-orders")  # the feed now holds only our own edit
    assert run.status == im.JobRun.Status.SUCCEEDED, [render(m) for m in run.messages]
    assert run.counts["own_entries_skipped"] == 2 and not run.counts.get("orders_updated")
    run = run_inline("import-order", options={"id": order.crm_id})  # what a trigger would ask for
    assert run.events.get().result == im.ExchangeEvent.Result.UNCHANGED
    again = im.Order.objects.get(pk=order.pk)
    assert (again.state_id, again.crm_status, again.updated_at) == (exported.state_id, "assembling", exported.updated_at)
    assert not again.export_pending
    assert im.JobRun.objects.filter(kind=EXPORT).count() == 1
    assert len(api.our_edits(order.crm_id, "status")) == 1


def test_our_edits_made_with_an_earlier_key_are_skipped_by_their_marker():
    ours = [{"id": 1, "source": "api", "apiKey": {"current": False}, "createdAt": "2026-12-01 10:00:00",
             "field": "status", "order": {"id": 7}},
            {"id": 2, "source": "api", "apiKey": {"current": False}, "createdAt": "2026-12-01 10:00:00",
             "field": f"custom_{ECHO_FIELD_CODE}", "order": {"id": 7}}]
    website = {"id": 3, "source": "api", "apiKey": {"current": False}, "createdAt": "2026-12-01 10:00:00",
               "field": "status", "order": {"id": 8}}
    manager = {"id": 4, "source": "user", "createdAt": "2026-12-01 10:00:00", "field": "status", "order": {"id": 7}}
    assert own_entries([*ours, website, manager]) == ours


def test_a_posted_change_not_yet_exported_is_sent_before_the_crm_state_is_applied(
        api, admin_client, django_capture_on_commit_callbacks):
    from django.urls import reverse

    order = imported(api)
    order.state = order_state("to-fulfil")
    order.save()
    url = reverse("admin:integration_order_actions", kwargs={"pk": order.pk, "tool": "post_button"})
    with django_capture_on_commit_callbacks(execute=False):
        admin_client.post(url)  # posted; its export job is not run yet
    assert im.Order.objects.get(pk=order.pk).export_pending
    api.manager_edit(order.crm_id, delivery={"cost": 450}, userId=12)  # meanwhile a manager changes the delivery cost

    run = run_inline("import-order", options={"id": order.crm_id})  # the trigger's import comes first
    assert run.status == im.JobRun.Status.SUCCEEDED, [render(m) for m in run.messages]
    crm_order = api.order(order.crm_id)
    assert crm_order["status"] == "assembling" and crm_order["delivery"]["cost"] == 450  # both changes kept
    order.refresh_from_db()
    assert order.state.code == "to-fulfil" and order.delivery_cost == 450 and not order.export_pending
    [sent] = run.events.filter(direction=im.ExchangeEvent.Direction.EXPORT)
    message = render(sent.message)
    assert "The local change to status was posted and not yet exported: sent before RetailCRM's state" in message
    assert "RetailCRM's change to delivery is applied: it was not changed here." in message


def test_a_field_changed_on_both_sides_keeps_the_posted_local_value_and_says_why(
        api, admin_client, django_capture_on_commit_callbacks):
    from django.urls import reverse

    order = imported(api)
    order.state = order_state("to-fulfil")
    order.save()
    with django_capture_on_commit_callbacks(execute=False):
        admin_client.post(reverse("admin:integration_order_actions", kwargs={"pk": order.pk, "tool": "post_button"}))
    api.manager_edit(order.crm_id, status="for-shipment", userId=12)
    im.CrmSettings.objects.update(history_since_id=api.server.state.history[-2]["id"])
    run = run_inline("import-orders")  # the history feed brings the manager's change
    assert run.status == im.JobRun.Status.SUCCEEDED, [render(m) for m in run.messages]
    assert api.order(order.crm_id)["status"] == "assembling"
    order.refresh_from_db()
    assert order.state.code == "to-fulfil"
    message = render(run.events.get(direction=im.ExchangeEvent.Direction.EXPORT).message)
    assert "Changed on both sides: status. The local change wins: it was posted before RetailCRM's change" in message


def test_a_crm_change_to_an_untouched_field_is_applied_while_nothing_is_due(api):
    order = imported(api)
    api.manager_edit(order.crm_id, status="assembling", userId=12)
    run_inline("import-order", options={"id": order.crm_id})
    order.refresh_from_db()
    assert order.state.code == "to-fulfil" and order.crm_seen["crm"]["status"] == "assembling"
    assert not im.ExchangeEvent.objects.filter(direction=im.ExchangeEvent.Direction.EXPORT).exists()

