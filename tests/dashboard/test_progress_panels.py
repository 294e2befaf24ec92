"""Progress panels (issue 16): done/total, percentage and ETA, nothing empty drawn, and Cancel."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from integration.exchange.jobs import JobContext, run_inline
from integration.exchange.jobs.runner import request_cancel
from integration.exchange.messages import render
from integration.models import JobRun

pytestmark = pytest.mark.django_db


def status(client, run) -> dict:
    return client.get(reverse("admin:integration_jobrun_status", args=[run.pk])).json()


def box_of(html: str, run) -> str:
    match = re.search(rf'<section class="module job-progress" id="job-progress-{run.pk}".*?</section>', html, re.S)
    assert match, "no progress box"
    return match.group(0)


def running(kind="export-stock", seconds=10, **fields) -> JobRun:
    return JobRun.objects.create(kind=kind, trigger=JobRun.Trigger.BUTTON, status=JobRun.Status.RUNNING,
                                 started_at=timezone.now() - timedelta(seconds=seconds), **fields)


def test_a_run_that_knows_its_total_shows_done_total_percentage_and_eta(admin_client):
    run = running(progress_done=500, progress_total=2000, seconds=10)
    progress = status(admin_client, run)["progress"]
    assert (progress["done"], progress["total"], progress["percent"], progress["percent_text"]) == (500, 2000, 25.0, "25 %")
    assert 25 <= progress["eta_seconds"] <= 35  # 1,500 left at about 50 a second
    assert progress["eta_text"].startswith("about ") and progress["eta_text"].endswith(" s left")
    assert progress["rate_text"].endswith(" per second")
    box = box_of(admin_client.get(reverse("admin:integration_jobrun_change", args=[run.pk])).content.decode(), run)
    assert '<progress class="job-progress-bar" max="2000" value="500">' in box
    assert "500 / 2000" in box and "25 %" in box and "left" in box


def test_a_run_without_a_total_shows_what_is_done_and_the_rate_only(admin_client):
    run = running(kind="import-orders", progress_done=12, seconds=4)
    progress = status(admin_client, run)["progress"]
    assert (progress["done"], progress["total"], progress["percent"], progress["eta_seconds"]) == (12, None, None, None)
    assert progress["rate_text"] and not progress["eta_text"]
    box = box_of(admin_client.get(reverse("admin:integration_jobrun_change", args=[run.pk])).content.decode(), run)
    assert "12 done" in box and " / " not in box


def test_a_fresh_box_draws_no_empty_header_red_box_or_list(admin_client):
    run = JobRun.objects.create(kind="export-stock", trigger=JobRun.Trigger.BUTTON)
    box = box_of(admin_client.get(reverse("admin:integration_jobrun_change", args=[run.pk])).content.decode(), run)
    assert "<h2" not in box  # the admin's module header bar, empty but for a link, is gone
    assert '<p class="job-progress-error errornote" hidden>' in box
    assert '<ul class="job-progress-counts" hidden>' in box and '<ul class="job-progress-messages" hidden>' in box
    assert '<div class="job-progress-bar-row" hidden>' in box


def test_the_job_context_saves_a_new_total_at_once_and_the_rest_with_the_run(admin_client):
    run = running()
    ctx = JobContext(run)
    ctx.progress(done=0, total=300)
    assert JobRun.objects.values_list("progress_done", "progress_total").get(pk=run.pk) == (0, 300)
    ctx.progress(add=120)
    ctx.progress(add=30)
    assert (ctx.run.progress_done, ctx.run.progress_total) == (150, 300)


@pytest.mark.django_db(transaction=True)
def test_the_exports_report_their_offer_total(admin_client, run_queued_jobs):
    from tests.exports.conftest import map_exports, register_offers
    from tests.sandbox_world import connected_sandbox
    from catalog.models import Product

    with connected_sandbox() as server:
        map_exports()
        register_offers(server)
        run = run_inline("export-prices", options={"full": True})
    assert run.status == JobRun.Status.SUCCEEDED, run.messages
    # The total counted up front is what the export then read, offer by offer.
    assert run.progress_total == run.progress_done == run.counts["offers"] > Product.objects.count() // 2


def test_cancel_is_offered_to_whoever_may_start_the_kind(admin_client, django_user_model):
    run = running()
    cancel = reverse("admin:integration_jobrun_cancel", args=[run.pk])
    assert f'action="{cancel}"' in box_of(admin_client.get(reverse("admin:integration_jobrun_change", args=[run.pk])).content.decode(), run)

    user = django_user_model.objects.create_user("ivan", "ivan@example.com", "pw-ivan-123", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=["view_jobrun", "run_imports"]))  # not run_exports
    ivan = Client()
    ivan.force_login(user)
    assert cancel not in ivan.get(reverse("admin:integration_jobrun_change", args=[run.pk])).content.decode()
    assert ivan.post(cancel).status_code == 403
    run.refresh_from_db()
    assert run.status == JobRun.Status.RUNNING


def test_a_queued_run_cancelled_never_starts(admin_client, run_queued_jobs):
    from integration.models import CrmSettings

    CrmSettings.objects.filter(pk=CrmSettings.get_solo().pk).update(connection_ok=True)
    admin_client.post(reverse("admin:integration_jobrun_run_now", args=["test-dash-steps"]))
    run = JobRun.objects.get(kind="test-dash-steps")
    response = admin_client.post(reverse("admin:integration_jobrun_cancel", args=[run.pk]), follow=True)
    assert "was cancelled before it started" in response.content.decode()
    run_queued_jobs()
    run.refresh_from_db()
    assert run.status == JobRun.Status.CANCELLED and run.counts == {} and run.is_finished
    assert not box_of(admin_client.get(reverse("admin:integration_jobrun_change", args=[run.pk])).content.decode(),
                      run).count("job-progress-cancel")


def test_a_cancel_request_stops_the_run_at_its_next_progress_step(admin_client):
    seen = []

    def steps(ctx):
        for step in range(5):
            ctx.progress(done=step, total=5)
            seen.append(step)
            if step == 1:
                request_cancel(JobRun.objects.get(pk=ctx.run.pk))

    from integration.exchange.jobs import registry

    registry._KINDS.pop("test-cancel-steps", None)
    registry.job_kind("test-cancel-steps", label="Test: cancel steps", permission="integration.run_imports",
                      requires_connection=False)(steps)
    try:
        run = run_inline("test-cancel-steps")
    finally:
        registry._KINDS.pop("test-cancel-steps", None)
    assert seen == [0, 1]  # the step after the request did not run
    assert run.status == JobRun.Status.CANCELLED and run.progress_done == 2
    assert "Cancelled by an operator" in render(run.messages[-1])
