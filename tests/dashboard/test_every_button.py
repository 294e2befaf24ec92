"""Issue 16: the Job runs list and the dashboard show a button only for kinds that need no argument,
and every button shown there, pressed on a connected back office, ends in a run that did not fail."""

import re

import pytest
from django.urls import reverse

from integration.jobs import all_kinds
from integration.models import JobRun
from tests.sandbox_world import connected_sandbox


def _needs_an_argument(kind) -> bool:
    return any(argument.required for argument in kind.arguments)


def _press_all(admin_client, run_queued_jobs, urls):
    for url in urls:
        response = admin_client.post(url)
        assert response.status_code == 302, (url, response.status_code)
        run_queued_jobs()
    failed = {run.kind: (run.error, run.messages) for run in JobRun.objects.filter(status=JobRun.Status.FAILED)}
    assert failed == {}


@pytest.mark.django_db
def test_every_button_of_the_job_runs_list_starts_a_run_that_does_not_fail(admin_client, run_queued_jobs):
    with connected_sandbox():
        page = admin_client.get(reverse("admin:integration_jobrun_changelist")).content.decode()
        pressed = sorted(set(re.findall(r'/admin/integration/jobrun/actions/(run_[a-z_]+)/', page)))
        without_arguments = {"run_" + kind.name.replace("-", "_") for kind in all_kinds() if not _needs_an_argument(kind)}
        assert pressed and set(pressed) <= without_arguments, pressed
        for kind in all_kinds():
            if _needs_an_argument(kind):
                assert f"/actions/run_{kind.name.replace('-', '_')}/" not in page, kind.name
        _press_all(admin_client, run_queued_jobs,
                   [f"/admin/integration/jobrun/actions/{name}/" for name in pressed])
        assert JobRun.objects.values("kind").distinct().count() == len(pressed)


@pytest.mark.django_db
def test_every_run_now_button_of_the_dashboard_starts_a_run_that_does_not_fail(admin_client, run_queued_jobs):
    with connected_sandbox():
        page = admin_client.get(reverse("admin:integration_jobrun_dashboard")).content.decode()
        kinds = sorted(set(re.findall(r'/admin/integration/jobrun/dashboard/run/([a-z0-9-]+)/', page)))
        assert kinds and all(not _needs_an_argument(kind) for kind in all_kinds() if kind.name in kinds)
        assert not {kind.name for kind in all_kinds() if _needs_an_argument(kind)} & set(kinds)
        _press_all(admin_client, run_queued_jobs,
                   [reverse("admin:integration_jobrun_run_now", args=[kind]) for kind in kinds])
