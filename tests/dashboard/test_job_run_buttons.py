"""Issue 14: the Job runs page has a button for every product job kind that needs no argument, none for
a kind that needs one, and every button, pressed as a browser does, ends in a run that did not fail."""

import importlib
import re

import pytest
from django.apps import apps
from django.urls import reverse

from integration.exchange.jobs import all_kinds
from integration.retailcrm.demo_setup import configure_demo_exchange
from integration.models import CrmSettings, JobRun
from tests.sandbox_world import connected_bonusplus, connected_sandbox


def product_kinds():
    """The kinds the installed apps declare (AppConfig.job_modules), not the test suite's own."""
    modules = {module for config in apps.get_app_configs() for module in getattr(config, "job_modules", ())}
    for module in modules:
        importlib.import_module(module)
    return [kind for kind in all_kinds() if kind.service.__module__ in modules]


def needs_an_argument(kind) -> bool:
    return any(argument.required for argument in kind.arguments)


def button_url(kind) -> str:
    return f"/admin/integration/jobrun/actions/run_{kind.name.replace('-', '_')}/"


@pytest.mark.django_db
def test_every_kind_without_a_required_argument_has_a_button_that_starts_a_run_that_does_not_fail(
        admin_client, admin_user, run_queued_jobs, django_capture_on_commit_callbacks, settings):
    kinds = product_kinds()
    free = [kind for kind in kinds if not needs_an_argument(kind)]
    assert free and any(needs_an_argument(kind) for kind in kinds)  # both sides of the rule exist
    settings.BONUSPLUS_RATE_LIMIT_RPS = 500
    with connected_sandbox(), connected_bonusplus(admin_user):  # both remote systems, the admin a BonusPlus cashier
        page = admin_client.get(reverse("admin:integration_jobrun_changelist")).content.decode()
        shown = set(re.findall(r'/admin/integration/jobrun/actions/run_[a-z_]+/', page))
        assert shown == {button_url(kind) for kind in free}
        # a back office set up as the demo's operator does it (mappings, price types, warehouse), and
        # every exchange mode on: a kind whose mode is off is refused by design, before any run
        configure_demo_exchange()
        CrmSettings.objects.filter(pk=1).update(**{kind.switch: True for kind in free if kind.switch})
        before = set(JobRun.objects.values_list("pk", flat=True))
        for kind in free:
            with django_capture_on_commit_callbacks(execute=True):  # jobs are enqueued after commit
                response = admin_client.post(button_url(kind))  # the button is a form posting to this address
            assert response.status_code == 302, (kind.name, response.status_code)
            run_queued_jobs()
        runs = JobRun.objects.exclude(pk__in=before)
        assert {run.kind for run in runs} >= {kind.name for kind in free}
        failed = {run.kind: (run.error, run.messages) for run in runs if run.status == JobRun.Status.FAILED}
        assert failed == {}
        # each ran to its end (warnings, e.g. offers the CRM does not know, are the data's, not the button's)
        done = (JobRun.Status.SUCCEEDED, JobRun.Status.WARNINGS)
        assert all(run.status in done for run in runs), [(r.kind, r.status) for r in runs]
