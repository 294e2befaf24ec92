"""Finding 2: every button, admin action, run-now and custom admin view checks a permission that
names what it does, enforced where the job is enqueued.

The buttons, actions and views are discovered from the admin registry, so a new one is covered
the day it is added.
"""

import pytest
from django.contrib import admin
from django.urls import reverse

from integration.exchange.jobs import JobNotPermitted, all_kinds, enqueue, job_kind, run_inline
from integration.models import CrmSettings, ExchangeEvent, JobRun
from integration.exchange.permissions import JOB_PERMISSIONS, RUN_EXPORTS, RUN_IMPORTS, WRITE_TO_CRM
from loyalty.models import LoyaltySettings
from tests.admin_security.conftest import nothing_started, permission, queued_jobs

pytestmark = pytest.mark.django_db

STANDARD_VIEWS = ("changelist", "add", "history", "delete", "change", "actions")
# Bodies a custom view may act on (the load-orders page's two forms); every view also gets an empty POST.
WORK_BODIES = ({}, {"load_one": "1", "one-order_id": "138"}, {"load_since": "1", "since-since": "2025-01-01"})


def _object_of(model):
    if model is CrmSettings:
        return CrmSettings.get_solo()
    if model is LoyaltySettings or hasattr(model, "get_solo"):  # any singleton settings row
        return model.get_solo()
    obj = model._default_manager.first()
    assert obj is not None, f"the world has no {model._meta.label}"
    return obj


def buttons():
    """(url name, kwargs) of every django-object-actions button of every registered admin."""
    for model, model_admin in admin.site._registry.items():
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}_actions"
        for name in getattr(model_admin, "change_actions", ()):
            yield model, info, {"pk": "OBJECT", "tool": name}
        for name in getattr(model_admin, "changelist_actions", ()):
            yield model, info, {"tool": name}


def admin_actions():
    for model, model_admin in admin.site._registry.items():
        if not model._meta.managed:
            continue  # django-rq's dashboard: no table, no rows to act on
        for func, name, _description in model_admin._get_base_actions():
            yield model, model_admin, name, func


def custom_views():
    """Views an admin adds with get_urls (dashboard, run-now, load orders, settings file, import/export…)."""
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label == "django_rq":
            continue  # the queue dashboard has its own test (test_queue_dashboard.py)
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        standard = {prefix + suffix for suffix in STANDARD_VIEWS}
        for url in model_admin.get_urls():
            if url.name and url.name not in standard:
                yield model, url


def _urls_of(model, url):
    converters = url.pattern.converters
    if url.pattern.regex.groups and not url.pattern.regex.groupindex:
        # simple_history's view of (and revert to) one past version: (object id, history id)
        obj = _object_of(model)
        version = obj.history.first()
        if version is not None:
            yield reverse(f"admin:{url.name}", args=[obj.pk, version.history_id])
    elif not converters:
        yield reverse(f"admin:{url.name}")
    elif set(converters) == {"kind_name"}:
        for kind in all_kinds():
            yield reverse(f"admin:{url.name}", kwargs={"kind_name": kind.name})
    else:
        yield reverse(f"admin:{url.name}", kwargs={name: _object_of(model).pk for name in converters})


def test_discovery_finds_the_buttons_actions_and_views_it_must_cover(world):
    found = {kwargs["tool"] for _model, _name, kwargs in buttons()}
    assert {"check_connection", "register_module", "create_custom_field", "run_export_stock", "export_all_prices",
            "run_generate_catalog", "run_sync_references", "create_in_crm", "update_in_crm", "register_in_program",
            "refresh_bonus_account", "refresh_programs", "run_import_orders"} <= found
    assert {"retry_orders", "register_in_program"} <= {name for *_rest, name, _func in admin_actions()}
    assert {"integration_jobrun_run_now", "integration_crmsettings_load_orders"} <= {url.name for _m, url in custom_views()}


@pytest.mark.parametrize("who", ["nobody", "viewer"])
def test_every_button_url_posted_without_the_permission_is_403_and_starts_nothing(world, who, request):
    client = request.getfixturevalue(who)
    runs_before = JobRun.objects.count()
    checked = []
    for model, name, kwargs in buttons():
        if "pk" in kwargs:
            kwargs = {**kwargs, "pk": _object_of(model).pk}
        response = client.post(reverse(name, kwargs=kwargs))
        assert response.status_code == 403, (model._meta.label, kwargs["tool"], response.status_code)
        assert nothing_started(runs_before), (model._meta.label, kwargs["tool"])
        checked.append(kwargs["tool"])
    assert len(checked) >= 25


def test_every_admin_action_posted_by_view_only_staff_is_refused_and_starts_nothing(world, viewer, nobody):
    runs_before = JobRun.objects.count()
    checked = 0
    for model, model_admin, name, _func in admin_actions():
        obj = _object_of(model) if model._default_manager.exists() else None
        if obj is None:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        data = {"action": name, "_selected_action": [str(obj.pk)], "index": "0"}
        assert nobody.post(url, data).status_code == 403, (model._meta.label, name)
        response = viewer.post(url, data)
        if name == "delete_selected" and response.status_code != 403:
            # Django's own action, gated by the delete permission: refused as "no action selected".
            assert model._default_manager.filter(pk=obj.pk).exists(), model._meta.label
        else:
            assert response.status_code == 403, (model._meta.label, name, response.status_code)
        assert nothing_started(runs_before), (model._meta.label, name)
        checked += 1
    assert checked >= 30


@pytest.mark.parametrize("who", ["nobody", "viewer"])
def test_no_custom_admin_view_starts_work_for_staff_without_the_permission(world, who, request):
    client = request.getfixturevalue(who)
    runs_before = JobRun.objects.count()
    for model, url in custom_views():
        for path in _urls_of(model, url):
            for body in WORK_BODIES:
                response = client.post(path, body)
                assert response.status_code < 500, (path, body, response.status_code)
                assert nothing_started(runs_before), (path, body)
            if url.name in ("integration_jobrun_run_now", "integration_crmsettings_load_orders"):
                assert client.post(path, WORK_BODIES[1]).status_code == 403, path


def test_run_now_and_load_again_are_403_for_view_only_staff(world, viewer):
    response = viewer.post(reverse("admin:integration_jobrun_run_now", args=["import-orders"]))
    assert response.status_code == 403
    event = ExchangeEvent.objects.get(entity="order")
    response = viewer.post(reverse("admin:integration_exchangeevent_changelist"),
                           {"action": "retry_orders", "_selected_action": [event.pk], "index": "0"})
    assert response.status_code == 403
    assert not JobRun.objects.filter(kind__in=["import-orders", "import-order"]).exists() and not queued_jobs()


def test_holders_of_the_permission_run_what_it_names_and_nothing_else(world, make_staff,
                                                                      django_capture_on_commit_callbacks):
    exporter = make_staff("exporter", RUN_EXPORTS)
    with django_capture_on_commit_callbacks(execute=True):
        response = exporter.post(reverse("admin:catalog_stockbalance_actions", kwargs={"tool": "run_export_stock"}))
    assert response.status_code == 302
    assert JobRun.objects.get(kind="export-stock").requested_by == exporter.user
    assert "exchange-export-stock" in queued_jobs()
    # Exports only: importing orders or writing customers to the CRM is not his.
    assert exporter.post(reverse("admin:integration_jobrun_actions", kwargs={"tool": "run_import_orders"})).status_code == 403
    customer = world["orders"][0].customer
    assert exporter.post(reverse("admin:integration_customer_actions",
                                 kwargs={"pk": customer.pk, "tool": "update_in_crm"})).status_code == 403

    importer = make_staff("importer", RUN_IMPORTS, "integration.view_exchangeevent", "integration.view_jobrun")
    event = ExchangeEvent.objects.get(entity="order")
    with django_capture_on_commit_callbacks(execute=True):
        response = importer.post(reverse("admin:integration_exchangeevent_changelist"),
                                 {"action": "retry_orders", "_selected_action": [event.pk], "index": "0"})
        assert response.status_code == 302
        response = importer.post(reverse("admin:integration_jobrun_run_now", args=["sync-references"]))
        assert response.status_code == 302
    assert set(JobRun.objects.filter(requested_by=importer.user).values_list("kind", flat=True)) == {
        "import-order", "sync-references"}
    assert importer.post(reverse("admin:integration_jobrun_run_now", args=["export-prices"])).status_code == 403


def test_buttons_the_user_may_not_press_are_not_drawn(world, viewer, make_staff):
    page = viewer.get(reverse("admin:integration_jobrun_changelist")).content.decode()
    assert "/actions/run_" not in page
    page = viewer.get(reverse("admin:integration_crmsettings_change")).content.decode()
    assert "/actions/" not in page
    assert reverse("admin:integration_crmsettings_load_orders") not in page
    assert reverse("admin:integration_crmsettings_file") not in page
    page = viewer.get(reverse("admin:integration_jobrun_dashboard")).content.decode()
    assert "run-now-form" not in page and "not permitted" in page
    events = viewer.get(reverse("admin:integration_exchangeevent_changelist")).content.decode()
    assert 'value="retry_orders"' not in events

    exporter = make_staff("exporter2", RUN_EXPORTS, "integration.view_jobrun", "catalog.view_stockbalance")
    assert "/actions/run_import_orders/" not in exporter.get(reverse("admin:integration_jobrun_changelist")).content.decode()
    page = exporter.get(reverse("admin:catalog_stockbalance_changelist")).content.decode()
    assert "/actions/run_export_stock/" in page and "/stockbalance/add/" not in page
    importer = make_staff("importer2", RUN_IMPORTS, "integration.view_jobrun")
    page = importer.get(reverse("admin:integration_jobrun_changelist")).content.decode()
    assert "/actions/run_import_orders/" in page and "/actions/run_register_module/" not in page
    assert importer.get(reverse("admin:integration_crmsettings_load_orders")).status_code == 200
    dashboard = exporter.get(reverse("admin:integration_jobrun_dashboard")).content.decode()
    assert reverse("admin:integration_jobrun_run_now", args=["export-stock"]) in dashboard
    assert reverse("admin:integration_jobrun_run_now", args=["import-orders"]) not in dashboard


def test_the_runner_refuses_a_user_without_the_kind_permission_and_lets_the_system_run(world, viewer, make_staff):
    with pytest.raises(JobNotPermitted):
        enqueue("export-stock", trigger=JobRun.Trigger.BUTTON, user=viewer.user)
    with pytest.raises(JobNotPermitted):
        run_inline("register-module", trigger=JobRun.Trigger.BUTTON, user=viewer.user, options={"public_url": "x"})
    assert not JobRun.objects.filter(kind__in=["export-stock", "register-module"]).exists()
    writer = make_staff("writer", WRITE_TO_CRM)
    assert enqueue("register-loyalty", trigger=JobRun.Trigger.BUTTON, user=writer.user,
                   options={"customer_ids": [1]}).created
    assert enqueue("export-stock", trigger=JobRun.Trigger.SCHEDULE).created  # schedules run as the system


def test_every_job_kind_names_an_existing_permission(db):
    for kind in all_kinds():
        if kind.name.startswith("test-"):
            continue
        assert kind.permission in JOB_PERMISSIONS, kind.name
        permission(kind.permission)  # exists in the database (migration 0011)
    with pytest.raises(ValueError, match="permission"):
        job_kind("test-no-permission", label="x", permission="")(lambda ctx: None)
