"""A failed "Check connection" blocks only what a person must fix; a busy CRM is a warning."""

import pytest
from django.urls import reverse

from integration.exchange.jobs import JobRefused, run_inline
from integration.exchange.messages import render
from integration.models import CrmSettings, JobRun, WebhookRequest

TOKEN = "transient-check-webhook-token-0123"


def _check() -> JobRun:
    return run_inline("check-connection", trigger=JobRun.Trigger.BUTTON, check_allowed=False)


def _trigger(client, order_id: int):
    url = reverse("retailcrm-webhook", kwargs={"token": TOKEN})
    return client.post(url, f"id={order_id}", content_type="application/x-www-form-urlencoded")


def test_a_503_during_the_check_is_a_warning_and_jobs_and_webhooks_still_run(client, admin_client, crm):
    CrmSettings.objects.update(connection_ok=False, webhook_token=TOKEN)
    crm.set_faults(error_rate=1.0, status=503)
    run = _check()
    crm.set_faults()

    row = CrmSettings.get_solo()
    assert row.connection_ok and row.connection_warning
    assert "could not finish" in render(row.connection_message) and "503" in render(row.connection_message)
    assert run.status == JobRun.Status.WARNINGS  # a warning, not a failure
    dashboard = admin_client.get(reverse("admin:integration_jobrun_dashboard")).content.decode()
    assert 'id="dashboard-connection-check-incomplete"' in dashboard
    assert 'id="dashboard-connection-warning"' not in dashboard  # no "jobs will not start"
    settings_page = admin_client.get(reverse("admin:integration_crmsettings_change", args=[1])).content.decode()
    assert "Warning:" in settings_page

    # the exchange runs: a job is not refused, and the CRM's trigger is accepted and queued
    assert run_inline("sync-references").status == JobRun.Status.SUCCEEDED
    response = _trigger(client, 1001)
    assert response.status_code == 200, response.content
    assert WebhookRequest.objects.get().status == WebhookRequest.Status.ENQUEUED
    assert JobRun.objects.filter(kind="import-order", scope="1001").exists()

    # the next complete check clears the warning
    _check()
    row = CrmSettings.get_solo()
    assert row.connection_ok and not row.connection_warning


def test_a_wrong_key_still_refuses_jobs_and_webhooks(client, crm):
    CrmSettings.objects.update(api_key="not-the-right-key-0000", webhook_token=TOKEN)
    run = _check()
    row = CrmSettings.get_solo()
    assert not row.connection_ok and not row.connection_warning
    assert run.status == JobRun.Status.FAILED
    with pytest.raises(JobRefused, match="Check connection"):
        run_inline("sync-references")
    assert _trigger(client, 1001).status_code == 503
    assert not JobRun.objects.filter(kind="import-order").exists()


def test_a_check_cut_short_by_a_429_then_a_missing_scope_blocks_again(crm):
    CrmSettings.objects.update(connection_ok=False)
    crm.set_faults(error_rate=1.0, status=429)
    _check()
    crm.set_faults()
    assert CrmSettings.get_solo().connection_ok
    CrmSettings.objects.update(api_key="read-only-key")
    _check()
    row = CrmSettings.get_solo()
    assert not row.connection_ok and not row.connection_warning and "lacks these permissions" in render(row.connection_message)
