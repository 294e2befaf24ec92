"""Issue 16: the dashboard shows a run-now button only for kinds that need no argument, and every
button shown there, pressed on a connected back office, ends in a run that did not fail."""

import re

import pytest
from django.urls import reverse

from integration.exchange.jobs import all_kinds
from integration.models import CrmSettings, JobRun
from integration.retailcrm.demo_setup import configure_demo_exchange
from tests.sandbox_world import connected_bonusplus, connected_sandbox


def _needs_an_argument(kind) -> bool:
    return any(argument.required for argument in kind.arguments)


def _press_all(admin_client, run_queued_jobs, capture_on_commit, urls):
    for url in urls:
        with capture_on_commit(execute=True):  # the press enqueues after its transaction commits
            response = admin_client.post(url)
        assert response.status_code == 302, (url, response.status_code)
        run_queued_jobs()
    failed = {run.kind: (run.error, run.messages) for run in JobRun.objects.filter(status=JobRun.Status.FAILED)}
    assert failed == {}
    unfinished = list(JobRun.objects.exclude(finished_at__isnull=False).values_list("kind", "status"))
    assert unfinished == [], "every pressed button must have run its job to the end"
    assert JobRun.objects.values("kind").distinct().count() == len(urls)


@pytest.mark.django_db
def test_every_run_now_button_of_the_dashboard_starts_a_run_that_does_not_fail(
        admin_client, admin_user, run_queued_jobs, django_capture_on_commit_callbacks, settings):
    settings.BONUSPLUS_RATE_LIMIT_RPS = 500
    with connected_sandbox(), connected_bonusplus(admin_user):
        page = admin_client.get(reverse("admin:integration_jobrun_dashboard")).content.decode()
        kinds = sorted(set(re.findall(r'/admin/integration/jobrun/dashboard/run/([a-z0-9-]+)/', page)))
        assert kinds and all(not _needs_an_argument(kind) for kind in all_kinds() if kind.name in kinds)
        assert not {kind.name for kind in all_kinds() if _needs_an_argument(kind)} & set(kinds)
        configure_demo_exchange()  # set up as the demo's operator does it, every exchange mode on
        CrmSettings.objects.filter(pk=1).update(**{k.switch: True for k in all_kinds() if k.name in kinds and k.switch})
        _press_all(admin_client, run_queued_jobs, django_capture_on_commit_callbacks,
                   [reverse("admin:integration_jobrun_run_now", args=[kind]) for kind in kinds])
