"""Logs an operator reads (issue 16): exchange events and job-run pages through the admin."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from integration.models import CrmSettings, ExchangeEvent, JobRun, Order
from tests.workers import ROOT

pytestmark = pytest.mark.django_db
CRM_URL = "https://shop.retailcrm.ru"


def event_page(client, event) -> str:
    response = client.get(reverse("admin:integration_exchangeevent_change", args=[event.pk]))
    assert response.status_code == 200
    return response.content.decode()


def run_page(client, run) -> str:
    response = client.get(reverse("admin:integration_jobrun_change", args=[run.pk]))
    assert response.status_code == 200
    return response.content.decode()


def field(html: str, name: str) -> str:
    match = re.search(rf'<div class="form-row field-{name}">.*?<div class="readonly">(.*?)</div>', html, re.S)
    assert match, f"no field {name} on the page"
    return match.group(1)


@pytest.fixture
def crm_settings(db):
    CrmSettings.objects.filter(pk=CrmSettings.get_solo().pk).update(crm_url=CRM_URL, connection_ok=True, import_orders=True)


@pytest.fixture
def viewer_client(django_user_model):
    """Staff who may read the logs but start nothing."""
    user = django_user_model.objects.create_user("vera", "vera@example.com", "pw-vera-123", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=["view_exchangeevent", "view_jobrun"]))
    client = Client()
    client.force_login(user)
    return client


def test_the_event_list_shows_the_whole_message_in_a_wrapping_column(admin_client):
    text = "Unknown offers in the order: SKU-1, SKU-2, SKU-3; load the catalog into RetailCRM first and retry."
    ExchangeEvent.objects.create(entity="order", crm_id="77", result=ExchangeEvent.Result.PARKED, message=text,
                                 direction=ExchangeEvent.Direction.IMPORT)
    html = admin_client.get(reverse("admin:integration_exchangeevent_changelist")).content.decode()
    cell = re.search(r'<td class="field-message_text">(.*?)</td>', html, re.S)
    assert cell and cell.group(1) == text
    assert "integration/console.css" in html
    css = (ROOT / "integration/static/integration/console.css").read_text()
    assert re.search(r"td\.field-message_text \{[^}]*min-width: 24em[^}]*white-space: normal", css)


def test_an_event_links_to_the_local_order_and_to_the_order_in_the_crm(admin_client, crm_settings):
    order = Order.objects.create(number="1203A", crm_id=1203)
    event = ExchangeEvent.objects.create(entity="order", crm_id="1203", local_ref="1203A",
                                         result=ExchangeEvent.Result.UPDATED, direction=ExchangeEvent.Direction.IMPORT)
    html = event_page(admin_client, event)
    assert f'<a href="{reverse("admin:integration_order_change", args=[order.pk])}">1203A</a>' in field(html, "local_object")
    assert f'href="{CRM_URL}/orders/1203/edit"' in field(html, "crm_link")
    assert 'name="_load_again"' in html or "/actions/load_again/" in html


def test_an_event_of_an_order_that_is_not_here_says_so_instead_of_linking(admin_client, crm_settings):
    event = ExchangeEvent.objects.create(entity="order", crm_id="1203", local_ref="1203A",
                                         result=ExchangeEvent.Result.PARKED, direction=ExchangeEvent.Direction.IMPORT)
    local = field(event_page(admin_client, event), "local_object")
    assert "<a " not in local and "1203A" in local and "not in the back office" in local


def test_load_again_on_the_event_page_queues_the_order_and_needs_run_imports(admin_client, viewer_client, crm_settings):
    event = ExchangeEvent.objects.create(entity="order", crm_id="1203", result=ExchangeEvent.Result.PARKED,
                                         direction=ExchangeEvent.Direction.IMPORT)
    url = reverse("admin:integration_exchangeevent_actions", kwargs={"pk": event.pk, "tool": "load_again"})
    assert url not in event_page(viewer_client, event)
    assert viewer_client.post(url).status_code == 403
    assert not JobRun.objects.exists()

    assert url in event_page(admin_client, event)
    response = admin_client.post(url)
    assert response.status_code == 302 and response.url == reverse("admin:integration_exchangeevent_change", args=[event.pk])
    run = JobRun.objects.get()
    assert (run.kind, run.scope, run.options, run.requested_by.username) == ("import-order", "1203", {"id": 1203}, "alice")


def test_load_again_is_offered_only_for_orders(admin_client, crm_settings):
    event = ExchangeEvent.objects.create(entity="offer", local_ref="SKU-1", result=ExchangeEvent.Result.FAILED,
                                         direction=ExchangeEvent.Direction.EXPORT)
    assert "load_again" not in event_page(admin_client, event)


def test_resolved_reads_as_a_sentence(admin_client):
    done = ExchangeEvent.objects.create(entity="order", crm_id="5", result=ExchangeEvent.Result.PARKED, resolved=True,
                                        direction=ExchangeEvent.Direction.IMPORT)
    open_ = ExchangeEvent.objects.create(entity="order", crm_id="6", result=ExchangeEvent.Result.PARKED,
                                         direction=ExchangeEvent.Direction.IMPORT)
    assert field(event_page(admin_client, done), "resolution").strip() == "Yes: a later run handled this entity."
    assert field(event_page(admin_client, open_), "resolution").strip() == "Not yet: no later run has handled this entity."
    assert "icon-no.svg" not in event_page(admin_client, open_)


def _finished_run(**fields) -> JobRun:
    started = timezone.now() - timedelta(minutes=5)
    return JobRun.objects.create(trigger=JobRun.Trigger.BUTTON, status=JobRun.Status.SUCCEEDED, started_at=started,
                                 finished_at=started + timedelta(seconds=3.425253), **fields)


def test_a_run_page_labels_its_counts_once_lists_its_messages_and_says_how_long_it_took(admin_client):
    run = _finished_run(kind="import-orders", counts={"orders_created": 3, "entries_read": 12},
                        messages=["Posted: order 12A of 01.12.2026.", "Posted: order 13A of 01.12.2026."])
    html = run_page(admin_client, run)
    counts = field(html, "counts_shown")
    assert '<dt data-count="orders_created">orders created</dt><dd>3</dd>' in counts
    assert '<dt data-count="entries_read">history entries read</dt><dd>12</dd>' in counts
    assert '{"orders_created"' not in html and "{&quot;" not in html
    assert html.count("orders created") == 2  # the field above and the progress box, nothing as JSON
    assert field(html, "messages_shown") == ('<ol class="run-messages"><li>Posted: order 12A of 01.12.2026.</li>'
                                             '<li>Posted: order 13A of 01.12.2026.</li></ol>')
    assert field(html, "duration").strip() == "3.4 s"
    assert "0:00:03" not in html
    with translation.override("ru"):
        ru = admin_client.get(reverse("admin:integration_jobrun_change", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert field(ru, "duration").strip() == "3,4 с"


def test_longer_durations_read_in_minutes(admin_client):
    started = timezone.now() - timedelta(minutes=10)
    run = JobRun.objects.create(kind="export-stock", trigger=JobRun.Trigger.SCHEDULE, status=JobRun.Status.SUCCEEDED,
                                started_at=started, finished_at=started + timedelta(seconds=125))
    assert field(run_page(admin_client, run), "duration").strip() == "2 min 5 s"


def test_a_run_page_shows_the_newest_events_and_links_to_all_of_them(admin_client):
    run = _finished_run(kind="import-orders")
    ExchangeEvent.objects.bulk_create([
        ExchangeEvent(run=run, entity="order", crm_id=str(n), result=ExchangeEvent.Result.CREATED,
                      direction=ExchangeEvent.Direction.IMPORT) for n in range(1, 31)])
    html = run_page(admin_client, run)
    events = field(html, "events_shown")
    assert events.count("<tr><td>") == 20
    assert "<td>30</td>" in events and "<td>10</td>" not in events  # the newest first
    assert f'href="/admin/integration/exchangeevent/?run__id__exact={run.pk}"' in events
    assert "events-TOTAL_FORMS" not in html  # no inline of every event


def test_the_scope_is_labelled_as_what_the_kind_makes_of_it(admin_client):
    one_order = _finished_run(kind="import-order", scope="1203", options={"id": 1203})
    html = run_page(admin_client, one_order)
    assert field(html, "scope_shown") == "Order id in RetailCRM: <b>1203</b>"
    assert "The order&#x27;s id in RetailCRM" in field(html, "options_shown")
    per_shop = _finished_run(kind="export-stock", scope="main-shop")
    assert field(run_page(admin_client, per_shop), "scope_shown") == "Shop: <b>main-shop</b>"
