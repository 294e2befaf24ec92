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


@pytest.mark.django_db
def test_bonusplus_kinds_are_unavailable_until_bonusplus_is_set_up_and_run_once_it_is(
        admin_client, admin_user, run_queued_jobs, django_capture_on_commit_callbacks, settings):
    from loyalty.bonusplus.models import Cashier
    from tests.admin_security.conftest import queued_jobs

    settings.BONUSPLUS_RATE_LIMIT_RPS = 500
    bonusplus = [kind for kind in product_kinds() if kind.name.startswith("bonusplus-")]
    assert {kind.name for kind in bonusplus} == {"bonusplus-reserve", "bonusplus-export-catalog", "bonusplus-purchase"}
    assert all(kind.precondition is not None for kind in bonusplus)
    kind = next(kind for kind in bonusplus if not needs_an_argument(kind))  # the catalog upload has run-now buttons
    dashboard = reverse("admin:integration_jobrun_dashboard")
    run_now = reverse("admin:integration_jobrun_run_now", args=[kind.name])
    reason = ("Задание «Выгрузить номенклатуру в БонусПлюс» недоступно, пока не настроен БонусПлюс; "
              "не заполнено: API-ключ БонусПлюс, магазин.")
    no_cashier = "У вас не указан код кассира БонусПлюс."
    Cashier.objects.create(user=admin_user, code="17")  # only BonusPlus itself is missing

    def row(html):
        return re.search(rf'<tr class="job-row" data-kind="{kind.name}".*?</tr>', html, re.S).group(0)

    def press_all(expected):
        for url in (run_now, button_url(kind)):  # pressed anyway (a stale page, a hand-made POST)
            with django_capture_on_commit_callbacks(execute=True):
                response = admin_client.post(url, HTTP_ACCEPT_LANGUAGE="ru", follow=True)
            assert expected in response.content.decode(), url
        assert not JobRun.objects.filter(kind=kind.name).exists() and not queued_jobs()  # refused before the queue

    page = admin_client.get(dashboard, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert run_now not in row(page) and f'<small class="run-unavailable">{reason}' in row(page)
    jobs_page = admin_client.get(reverse("admin:integration_jobrun_changelist"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    button = re.search(r'<li class="objectaction-item" data-tool-name="run_bonusplus_export_catalog">.*?</li>',
                       jobs_page, re.S).group(0)
    assert "disabled" in button and reason in button and "unavailable" in button
    press_all(reason)

    with connected_bonusplus():
        page = admin_client.get(dashboard, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
        assert run_now in row(page) and "run-unavailable" not in row(page)
        Cashier.objects.filter(user=admin_user).delete()  # set up, but this user is no cashier: asked for the code
        press_all(no_cashier)
        Cashier.objects.create(user=admin_user, code="17")
        with django_capture_on_commit_callbacks(execute=True):
            assert admin_client.post(run_now).status_code == 302
        run_queued_jobs()
    run = JobRun.objects.get(kind=kind.name)
    assert run.status == JobRun.Status.SUCCEEDED, (run.error, run.messages)
