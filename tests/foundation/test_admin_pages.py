"""Every admin page an operator can open answers 200 with data present."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.world import make_world


@pytest.fixture
def world(db):
    return make_world()


def _admin_urls():
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        yield model, model_admin, info


@pytest.mark.django_db
def test_it_renders_every_changelist_add_and_change_page(admin_client, admin_user, world, rf):
    checked = 0
    for model, model_admin, (app, name) in _admin_urls():
        if app == "django_rq":
            continue
        response = admin_client.get(reverse(f"admin:{app}_{name}_changelist"), follow=True)
        assert response.status_code == 200, (app, name, "changelist")
        request = rf.get("/")
        request.user = admin_user
        if model_admin.has_add_permission(request):
            response = admin_client.get(reverse(f"admin:{app}_{name}_add"))
            assert response.status_code == 200, (app, name, "add")
        obj = model._default_manager.first()
        assert obj is not None, f"the world has no {app}.{name}"
        response = admin_client.get(reverse(f"admin:{app}_{name}_change", args=[obj.pk]))
        assert response.status_code == 200, (app, name, "change")
        checked += 1
    assert checked >= 30


@pytest.mark.django_db
def test_it_shows_history_of_settings_and_mappings(admin_client, world):
    from integration.models import StatusImportMapping

    mapping = StatusImportMapping.objects.get()
    response = admin_client.get(reverse("admin:integration_statusimportmapping_history", args=[mapping.pk]))
    assert response.status_code == 200
    response = admin_client.get(reverse("admin:integration_crmsettings_history", args=[1]))
    assert response.status_code == 200


@pytest.mark.django_db
def test_it_serves_the_rq_dashboard_to_staff(admin_client):
    assert admin_client.get("/admin/django_rq/dashboard/").status_code == 200


@pytest.mark.django_db
def test_it_answers_health_with_database_and_redis(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}
