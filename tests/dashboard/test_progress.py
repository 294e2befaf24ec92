"""Live job progress: a run's status as JSON, and a progress box on the page after a button press."""

import re

import pytest
from django.urls import reverse

from integration.exchange.jobs import run_inline
from integration.models import JobRun
from integration.exchange.secrets import register_secret
from tests.dashboard.conftest import probe

DASHBOARD = "/admin/integration/jobrun/dashboard/"


def status_url(run) -> str:
    return f"/admin/integration/jobrun/{run.pk}/status.json"


@pytest.mark.django_db(transaction=True)
def test_a_run_started_from_the_dashboard_goes_queued_running_succeeded(admin_client, run_queued_jobs):
    response = admin_client.post(reverse("admin:integration_jobrun_run_now", args=["test-dash-steps"]))
    assert response.status_code == 302 and response.url == DASHBOARD
    run = JobRun.objects.get(kind="test-dash-steps")
    assert (run.trigger, run.requested_by.username) == (JobRun.Trigger.BUTTON, "alice")
    assert reverse("admin:integration_jobrun_status", args=[run.pk]) == status_url(run)

    queued = admin_client.get(status_url(run)).json()
    assert (queued["status"], queued["finished"], queued["started_at"], queued["duration_seconds"]) == ("queued", False, None, None)
    assert queued["status_label"] == "Queued" and queued["kind_label"] == "Test: dashboard steps"

    probe["client"] = admin_client
    run_queued_jobs()

    [running] = probe["seen"]
    assert (running["status"], running["finished"]) == ("running", False)
    assert running["counts"] == {"orders_created": 3} and running["messages"] == ["Halfway through"]
    assert running["started_at"] and running["finished_at"] is None and running["duration_seconds"] >= 0
    done = admin_client.get(status_url(run)).json()
    assert (done["status"], done["status_label"], done["finished"]) == ("succeeded", "Succeeded", True)
    assert done["counts"] == {"orders_created": 5}
    assert done["finished_at"] and done["duration_text"].endswith(" s")


@pytest.mark.django_db
def test_the_status_json_has_a_stable_shape(admin_client):
    run = run_inline("test-dash-steps")
    data = admin_client.get(status_url(run)).json()
    assert set(data) == {
        "id", "kind", "kind_label", "scope", "trigger", "status", "status_label", "finished", "counts", "count_labels", "messages",
        "messages_total", "error", "created_at", "started_at", "finished_at", "duration_seconds", "duration_text", "url",
        "count_labels", "progress", "cancel_url",
    }
    assert set(data["progress"]) == {"done", "total", "percent", "percent_text", "rate_text", "eta_seconds", "eta_text"}
    assert (data["id"], data["kind"], data["trigger"], data["status"]) == (run.pk, "test-dash-steps", "command", "succeeded")
    assert data["url"] == reverse("admin:integration_jobrun_change", args=[run.pk])
    response = admin_client.get(status_url(run))
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_status_of_a_failed_run_carries_its_error_without_secrets(admin_client):
    register_secret("sk-live-0123456789abcdef")
    run = JobRun.objects.create(
        kind="import-orders", trigger=JobRun.Trigger.SCHEDULE, status=JobRun.Status.FAILED,
        error="401 for key sk-live-0123456789abcdef", messages=["retrying with sk-live-0123456789abcdef"],
    )
    body = admin_client.get(status_url(run)).content.decode()
    assert "sk-live-0123456789abcdef" not in body and "cdef" in body
    data = admin_client.get(status_url(run)).json()
    assert (data["status"], data["finished"]) == ("failed", True)
    page = admin_client.get(reverse("admin:integration_jobrun_change", args=[run.pk])).content.decode()
    box = re.search(r'<div id="job-progress"[^>]*>.*?</section>', page, re.S).group(0)
    assert "401 for key" in box and "sk-live-0123456789abcdef" not in box
    dashboard = admin_client.get(DASHBOARD).content.decode()
    assert "401 for key" in dashboard and "sk-live-0123456789abcdef" not in dashboard


@pytest.mark.django_db
def test_only_staff_allowed_to_see_runs_get_the_status(client, staff_client):
    run = JobRun.objects.create(kind="import-orders", trigger=JobRun.Trigger.SCHEDULE)
    response = client.get(status_url(run))
    assert response.status_code == 302 and "/login/" in response.url
    denied = staff_client.get(status_url(run))
    assert denied.status_code == 403 and "error" in denied.json()
    assert staff_client.post(reverse("admin:integration_jobrun_run_now", args=["test-dash-steps"])).status_code == 403
    assert not JobRun.objects.filter(kind="test-dash-steps").exists()


@pytest.mark.django_db
def test_the_page_after_a_button_shows_the_run_once_with_a_link(admin_client):
    response = admin_client.post(reverse("admin:integration_jobrun_run_now", args=["test-dash-steps"]), follow=True)
    run = JobRun.objects.get(kind="test-dash-steps")
    html = response.content.decode()
    box = re.search(rf'<section class="module job-progress" id="job-progress-{run.pk}".*?</section>', html, re.S).group(0)
    assert 'data-status="queued"' in box and 'data-finished="false"' in box
    assert f'data-status-url="{status_url(run)}"' in box
    assert f'href="/admin/integration/jobrun/{run.pk}/change/"' in box  # works without JavaScript too
    assert 'id="job-progress"' in html and "integration/job-progress.js" in html
    message = re.search(r'<ul class="messagelist">.*?</ul>', html, re.S).group(0)
    assert "has been queued" in message and f'class="job-run-link" data-run-id="{run.pk}"' in message
    assert f"job-progress-{run.pk}" not in admin_client.get(DASHBOARD).content.decode()  # shown once, like messages


@pytest.mark.django_db(transaction=True)  # the first press reaches Redis only when its request commits
def test_a_second_press_points_at_the_run_already_queued(admin_client):
    url = reverse("admin:integration_jobrun_run_now", args=["test-dash-steps"])
    admin_client.post(url)
    admin_client.get(DASHBOARD)
    html = admin_client.post(url, follow=True).content.decode()
    run = JobRun.objects.get(kind="test-dash-steps")
    assert "already queued" in html and f"job-progress-{run.pk}" in html


@pytest.mark.django_db
def test_existing_job_buttons_also_land_on_a_live_progress_box(admin_client):
    back = reverse("admin:integration_jobrun_changelist")
    response = admin_client.post(
        reverse("admin:integration_jobrun_actions", kwargs={"tool": "run_check_connection"}), HTTP_REFERER=back, follow=True
    )
    run = JobRun.objects.get(kind="check-connection")
    assert f'id="job-progress-{run.pk}"' in response.content.decode()


@pytest.mark.django_db
def test_a_run_page_has_its_own_progress_box(admin_client):
    run = run_inline("test-dash-steps")
    html = admin_client.get(reverse("admin:integration_jobrun_change", args=[run.pk])).content.decode()
    box = re.search(r'<div id="job-progress"[^>]*>.*?</section>', html, re.S).group(0)
    assert 'data-status="succeeded"' in box and 'data-finished="true"' in box
    assert "orders created: <b>5</b>" in box and "Halfway through" in box


@pytest.mark.django_db
def test_a_job_that_needs_options_has_no_run_now_button(admin_client):
    html = admin_client.get(DASHBOARD).content.decode()
    row = re.search(r'<tr class="job-row" data-kind="test-dash-needs-id".*?</tr>', html, re.S).group(0)
    assert "run-now" not in row
    response = admin_client.post(reverse("admin:integration_jobrun_run_now", args=["test-dash-needs-id"]), follow=True)
    assert "needs options" in response.content.decode()
    assert not JobRun.objects.exists()
    assert admin_client.post(reverse("admin:integration_jobrun_run_now", args=["no-such-job"])).status_code == 404
    assert admin_client.get(reverse("admin:integration_jobrun_run_now", args=["test-dash-steps"])).status_code == 405


def test_the_progress_script_is_a_static_file():
    from django.contrib.staticfiles import finders

    path = finders.find("integration/job-progress.js")
    assert path, "integration/job-progress.js is not found by the static files finders"
    source = open(path, encoding="utf-8").read()
    assert "data-status-url" in source and "http" not in source.replace("HTTP ", "")  # nothing from a CDN
