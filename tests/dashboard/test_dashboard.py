"""The exchange dashboard: every job kind, what needs attention, orders per hour as inline SVG."""

import re
from datetime import timedelta

import pytest
import requests
import time_machine
from django.urls import reverse
from django.utils import timezone

from integration.admin.dashboard_chart import PLOT_HEIGHT, nice_ceiling
from integration.exchange.jobs import all_kinds
from integration.exchange.jobs.schedule import sync_schedules
from integration.exchange.jobs import run_inline
from integration.models import (
    CrmSettings, CrmStatus, CrmStore, ExchangeEvent, JobRun, JobSchedule, Order, OrderState, StatusImportMapping,
    WarehouseMapping,
)
from integration.exchange.dashboard import _hour_start, job_rows
from tests.dashboard.conftest import attention_count, bars, svg_of

Result = ExchangeEvent.Result
URL = "/admin/integration/jobrun/dashboard/"


def page(client) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_it_lists_every_job_kind_on_an_empty_database(admin_client):
    assert reverse("admin:integration_jobrun_dashboard") == URL
    html = page(admin_client)
    listed = re.findall(r'<tr class="job-row" data-kind="([^"]+)" data-status="never"', html)
    assert listed == [kind.name for kind in all_kinds()]
    for kind in ("parked-orders", "not-found-offers", "failed-runs"):
        assert attention_count(html, kind) == 0
    assert 'data-kind="unmapped-' not in html  # nothing loaded from the CRM, nothing to map
    svg = svg_of(html)
    assert len(bars(svg, "imported")) == len(bars(svg, "errors")) == 24
    assert {rect.get("height") for rect in svg.iter() if rect.get("data-series")} == {"0"}
    assert 'id="orders-chart-empty"' in html
    assert svg.find("{http://www.w3.org/2000/svg}title").text.startswith("Orders imported")


def _sandbox_order(crm, offer: str) -> int:
    response = requests.post(f"{crm.url}/sandbox/orders", json={
        "site": "main-shop", "status": "new", "phone": "+79005550000", "items": [{"offer": {"externalId": offer}}]},
        timeout=5)
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.mark.django_db
def test_it_counts_what_needs_attention_from_the_producers_rows(admin_client):
    """Every count comes from what the import and the exports really write, run against the sandbox."""
    from catalog.models import PriceType, Product, Warehouse
    from tests.exports.conftest import local_offers, register_offers
    from tests.sandbox_world import connected_sandbox

    with connected_sandbox() as crm:
        # B1: only "new" and two other statuses mapped; B3: every store but "north".
        to_fulfil = OrderState.objects.get(code="to-fulfil")
        unmapped_statuses = sorted(CrmStatus.objects.exclude(code="new").values_list("code", flat=True))[2:]
        for status in CrmStatus.objects.exclude(code__in=unmapped_statuses):
            StatusImportMapping.objects.create(crm_status=status, local_state=to_fulfil)
        for crm_code, local_code in (("main", "main"), ("shop-floor", "shop")):
            WarehouseMapping.objects.create(crm_store=CrmStore.objects.get(code=crm_code),
                                            warehouse=Warehouse.objects.get(code=local_code))
        CrmSettings.objects.filter(pk=1).update(sale_price_type=PriceType.objects.get(code="retail"))
        # Orders whose offers the catalog lacks are parked; one gains its offer and is loaded.
        CrmSettings.objects.filter(pk=1).update(history_since_id=max(entry["id"] for entry in crm.state.history))
        requests.post(f"{crm.url}/sandbox/offers", timeout=5, json={"offers": [
            {"externalId": code, "name": code} for code in ("LATE-1", "LATE-2", "LATE-3")]})
        for code in ("LATE-1", "LATE-2", "LATE-3"):
            _sandbox_order(crm, code)
        assert run_inline("import-orders").counts["orders_parked"] == 3
        assert run_inline("import-orders").counts["orders_parked"] == 3  # retried: still one open event each
        # Five local offers the CRM does not know: stock and prices both report them, run after run.
        unknown = {key for key, *_ in list(local_offers(goods_only=True))[-5:]}
        register_offers(crm, [offer for offer in local_offers() if offer[0] not in unknown])
        for kind, options in (("export-stock", {"full": True}), ("export-prices", {"full": True}), ("export-stock", {})):
            run = run_inline(kind, options=options)
            assert run.counts["not_found"] == 5, (kind, run.counts)
        assert ExchangeEvent.objects.filter(entity="offer", result=Result.FAILED).count() == 15
        Product.objects.create(code="LATE-3", name="Late arrival")
        assert run_inline("import-orders").counts["orders_parked"] == 2  # the third is loaded, its event resolved
        now = timezone.now()
        broken = [JobRun.objects.create(kind="import-orders", trigger=JobRun.Trigger.SCHEDULE, status=JobRun.Status.FAILED,
                                        error=f"Timeout {i}", created_at=now - timedelta(hours=i)) for i in (1, 3)]
        JobRun.objects.create(kind="import-orders", trigger=JobRun.Trigger.SCHEDULE, status=JobRun.Status.FAILED,
                              error="Old news", created_at=now - timedelta(hours=30))

        html = page(admin_client)

    assert attention_count(html, "parked-orders") == 2
    assert attention_count(html, "not-found-offers") == 5
    assert attention_count(html, "unmapped-statuses") == len(unmapped_statuses) > 0
    assert attention_count(html, "unmapped-stores") == 1
    assert "<code>north</code>" in html
    assert attention_count(html, "failed-runs") == 2
    listed = [int(pk) for pk in re.findall(r'class="failed-run" data-run-id="(\d+)"', html)]
    assert listed == [broken[0].pk, broken[1].pk]
    assert "Old news" not in html
    assert "/admin/integration/retryentry/?system__exact=retailcrm&amp;entity__exact=order" in html
    # The links open the filtered lists: the parked orders and the open events behind each count.
    for kind, expected in (("parked-orders", 2), ("not-found-offers", 15), ("failed-runs", 2)):
        href = re.search(rf'data-kind="{kind}".*?<a href="([^"]+)"', html, re.S).group(1).replace("&amp;", "&")
        response = admin_client.get(href)
        assert response.status_code == 200, href
        assert response.context["cl"].result_count == expected, kind


@pytest.mark.django_db
def test_it_leaves_out_mappings_of_modes_that_are_off(admin_client):
    from integration.models import CrmPriceType, CrmSettings

    CrmPriceType.objects.create(code="wholesale", name="Wholesale")
    assert 'data-kind="unmapped-price_types"' not in page(admin_client)
    CrmSettings.objects.update_or_create(pk=1, defaults={"use_price_types": True})
    assert attention_count(page(admin_client), "unmapped-price_types") == 1


def _import_at(crm, moment, *, new: int, parked: str = "", edit=()) -> tuple[int, int]:
    """At ``moment`` the CRM gains ``new`` orders (and one with an offer the catalog lacks), ``edit``
    orders change, and an import runs: (orders imported, orders parked) as the run counted them."""
    with time_machine.travel(moment, tick=True):
        for n in range(new):
            _sandbox_order(crm, "DEMO-0001")
        if parked:
            requests.post(f"{crm.url}/sandbox/offers", json={"offers": [{"externalId": parked, "name": parked}]},
                          timeout=5)
            _sandbox_order(crm, parked)
        for crm_id in edit:
            requests.post(f"{crm.url}/sandbox/orders/{crm_id}/edit", json={"status": "assembling"},
                          timeout=5)
        counts = run_inline("import-orders").counts
    return counts.get("orders_created", 0) + counts.get("orders_updated", 0), counts.get("orders_parked", 0)


@pytest.mark.django_db
def test_the_chart_has_a_pair_of_bars_per_hour_proportional_to_the_counts(admin_client):
    """The bars count what the history import wrote, hour by hour (the runs travel back in time)."""
    from tests.sandbox_world import connected_sandbox

    current = _hour_start(timezone.now())
    two_hours_ago, five_hours_ago = current - timedelta(hours=2), current - timedelta(hours=5)
    with connected_sandbox() as crm:
        to_fulfil = OrderState.objects.get(code="to-fulfil")
        for status in CrmStatus.objects.all():
            StatusImportMapping.objects.create(crm_status=status, local_state=to_fulfil)
        CrmSettings.objects.filter(pk=1).update(history_since_id=max(entry["id"] for entry in crm.state.history))
        early = _import_at(crm, five_hours_ago + timedelta(minutes=5), new=4, parked="LATE-1")
        loaded = list(Order.objects.values_list("crm_id", flat=True))
        later = _import_at(crm, two_hours_ago + timedelta(minutes=30), new=2, parked="LATE-2", edit=loaded[:1])
        nothing_new = _import_at(crm, two_hours_ago + timedelta(minutes=40), new=0)  # the parked one retried

        svg = svg_of(page(admin_client))

    assert early == (4, 1) and later[0] >= 2 and later[1] == 2 and nothing_new == (0, 2)
    imported, errors = bars(svg, "imported"), bars(svg, "errors")
    assert len(imported) == len(errors) == 24
    hour = lambda moment: timezone.localtime(moment).strftime("%H:00")  # noqa: E731
    assert imported[-1].get("data-hour") == hour(current)
    assert (imported[21].get("data-hour"), imported[18].get("data-hour")) == (hour(two_hours_ago), hour(five_hours_ago))
    # A parked order retried is its one open event again, not a new error in a later hour.
    assert [int(rect.get("data-count")) for rect in imported] == [0] * 18 + [4, 0, 0, later[0], 0, 0]
    assert [int(rect.get("data-count")) for rect in errors] == [0] * 18 + [1, 0, 0, 1, 0, 0]
    scale = nice_ceiling(max(4, later[0]))
    assert svg.get("data-scale-max") == str(scale)
    height = lambda rect: float(rect.get("height"))  # noqa: E731
    assert height(imported[18]) == pytest.approx(PLOT_HEIGHT * 4 / scale)
    assert height(imported[21]) == pytest.approx(PLOT_HEIGHT * later[0] / scale)
    assert height(errors[21]) == height(errors[18]) == pytest.approx(PLOT_HEIGHT / scale)
    # Bars stand on the x axis: y + height is the same baseline for all of them.
    assert {round(float(rect.get("y")) + height(rect), 1) for rect in imported + errors} == {round(12 + PLOT_HEIGHT, 1)}
    assert (f"In the last 24 hours: {4 + later[0]} orders imported, 2 order errors"
            in svg.find("{http://www.w3.org/2000/svg}desc").text)


@pytest.mark.django_db
def test_it_shows_the_last_run_of_each_kind(admin_client):
    older = JobRun.objects.create(kind="sync-references", trigger=JobRun.Trigger.BUTTON, status=JobRun.Status.FAILED)
    started = timezone.now() - timedelta(minutes=3)
    last = JobRun.objects.create(
        kind="sync-references", trigger=JobRun.Trigger.SCHEDULE, status=JobRun.Status.SUCCEEDED, started_at=started,
        finished_at=started + timedelta(seconds=65), counts={"statuses": 12, "stores": 2},
    )
    html = page(admin_client)
    row = re.search(r'<tr class="job-row" data-kind="sync-references".*?</tr>', html, re.S).group(0)
    assert 'data-status="succeeded"' in row
    assert f"/admin/integration/jobrun/{last.pk}/change/" in row and f"#{older.pk})" not in row
    assert "Schedule" in row and "1 min 5 s" in row and "statuses: 12, warehouses: 2" in row


@pytest.mark.django_db
def test_next_runs_come_from_the_scheduler_or_from_the_last_scheduled_run():
    JobSchedule.objects.update_or_create(kind="import-orders", defaults={"enabled": True, "interval_seconds": 60})
    JobSchedule.objects.create(kind="sync-references", enabled=False, interval_seconds=600)
    last = JobRun.objects.create(kind="import-orders", trigger=JobRun.Trigger.SCHEDULE, status=JobRun.Status.SUCCEEDED)
    JobRun.objects.create(kind="import-orders", trigger=JobRun.Trigger.BUTTON, status=JobRun.Status.SUCCEEDED)

    rows = {row.kind.name: row for row in job_rows()}
    estimate = rows["import-orders"].next_run
    assert not estimate.from_scheduler and estimate.at == last.created_at + timedelta(seconds=60)
    assert rows["sync-references"].next_run is None
    assert not rows["import-order"].can_run_now and rows["import-orders"].can_run_now
    assert not rows["register-module"].can_run_now and not rows["register-loyalty"].can_run_now

    sync_schedules()
    scheduled = {row.kind.name: row for row in job_rows()}["import-orders"].next_run
    assert scheduled.from_scheduler and abs((scheduled.at - timezone.now()).total_seconds()) < 60


@pytest.mark.django_db
def test_the_admin_index_links_to_the_dashboard(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert 'id="exchange-dashboard-link"' in html and URL in html
    assert URL in admin_client.get(reverse("admin:integration_jobrun_changelist")).content.decode()


@pytest.mark.django_db
def test_only_staff_with_access_to_job_runs_see_the_dashboard(client, staff_client):
    assert client.get(URL).status_code == 302  # to the login page
    assert staff_client.get(URL).status_code == 403
    assert 'id="exchange-dashboard-link"' not in staff_client.get(reverse("admin:index")).content.decode()


@pytest.mark.django_db
def test_the_chart_stays_valid_svg_in_russian(admin_client):
    from tests.sandbox_world import connected_sandbox

    current = _hour_start(timezone.now())
    with connected_sandbox() as crm:
        to_fulfil = OrderState.objects.get(code="to-fulfil")
        for status in CrmStatus.objects.all():
            StatusImportMapping.objects.create(crm_status=status, local_state=to_fulfil)
        CrmSettings.objects.filter(pk=1).update(history_since_id=max(entry["id"] for entry in crm.state.history))
        assert _import_at(crm, current - timedelta(minutes=30), new=3, parked="LATE-1") == (3, 1)
        response = admin_client.get(URL, HTTP_ACCEPT_LANGUAGE="ru")
    assert response["Content-Language"] == "ru"
    svg = svg_of(response.content.decode())  # parses: coordinates never get a decimal comma
    heights = [rect.get("height") for rect in bars(svg, "errors")]
    assert heights[-2] == f"{PLOT_HEIGHT / 5 * 1:.2f}".rstrip("0").rstrip(".") and "," not in "".join(heights)


@pytest.mark.django_db
def test_another_adapter_adds_its_lines_through_the_contribution_registry(admin_client):
    from integration.exchange import dashboard

    def other_system(viewer):
        assert viewer.can_open(JobRun)  # the admin's reader may open the job runs
        return [dashboard.AttentionLine(key="other-waiting", title="Other system: waiting", count=4,
                                        url="/admin/integration/jobrun/", link_text="Show them")]

    dashboard.register(other_system)
    try:
        html = page(admin_client)
    finally:
        dashboard._contributions.remove(other_system)
    assert attention_count(html, "other-waiting") == 4 and "Other system: waiting" in html
    assert attention_count(html, "parked-orders") == 0  # RetailCRM's lines are still there
    assert 'data-kind="other-waiting"' not in page(admin_client)
