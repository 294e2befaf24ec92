"""Finding 4: the django-rq dashboard (job pages, empty queue, delete, requeue, stop) only for
superusers and holders of "manage queues"; every URL name django-rq registers is tried."""

import django_rq
import pytest
from django.contrib import admin
from django.urls import reverse
from django_rq.models import Dashboard

from integration.exchange.permissions import MANAGE_QUEUES

pytestmark = pytest.mark.django_db


def rq_urls(job_id: str):
    """Every named URL of the dashboard, with real arguments."""
    converters_values = {"queue_index": 0, "job_id": job_id, "result_id": "1", "key": "w", "scheduler_index": 0,
                         "token": "x", "connection_index": 0, "scheduler_name": "x", "cron_job_name": "x",
                         "object_id": "1"}
    names = set()
    for url in admin.site._registry[Dashboard].get_urls():
        if not url.name or url.name in names:
            continue
        names.add(url.name)
        converters = url.pattern.converters
        if not converters and url.pattern.regex.groupindex:  # re_path with named groups (stats.json/<token>)
            continue
        kwargs = {name: converters_values[name] for name in converters}
        yield url.name, reverse(f"admin:{url.name}", kwargs=kwargs)


@pytest.fixture
def queued_job():
    queue = django_rq.get_queue("default")
    return queue.enqueue("builtins.print", "x", job_id="precious-job")


def test_discovers_the_dangerous_urls(queued_job):
    names = {name for name, _url in rq_urls(queued_job.id)}
    assert {"django_rq_home", "django_rq_jobs", "django_rq_clear", "django_rq_delete_job", "django_rq_requeue_job",
            "django_rq_stop_job", "django_rq_actions", "django_rq_dashboard_changelist"} <= names


@pytest.mark.parametrize("who", ["nobody", "viewer"])
def test_ordinary_staff_get_403_on_every_dashboard_url_and_the_queue_is_untouched(who, request, queued_job):
    client = request.getfixturevalue(who)
    checked = 0
    for name, url in rq_urls(queued_job.id):
        assert client.get(url).status_code == 403, (name, url)
        assert client.post(url, {"job_ids": [queued_job.id], "action": "delete", "_selected_action": [queued_job.id]}
                           ).status_code == 403, (name, url)
        checked += 1
    assert checked >= 15
    assert django_rq.get_queue("default").job_ids == [queued_job.id]
    assert "django_rq" not in client.get(reverse("admin:index")).content.decode()


def test_holders_of_manage_queues_and_superusers_use_it(make_staff, admin_client, queued_job):
    manager = make_staff("queues", MANAGE_QUEUES)
    for client in (manager, admin_client):
        assert client.get(reverse("admin:django_rq_home")).status_code == 200
        assert client.get(reverse("admin:django_rq_jobs", kwargs={"queue_index": 0})).status_code == 200
    assert "django_rq" in manager.get(reverse("admin:index")).content.decode()
    response = manager.post(reverse("admin:django_rq_delete_job", kwargs={"queue_index": 0, "job_id": queued_job.id}),
                            {"post": "yes"})
    assert response.status_code == 302
    assert django_rq.get_queue("default").job_ids == []


def test_monitoring_keeps_its_api_token(client, settings, nobody):
    settings.RQ_API_TOKEN = "monitoring-token-123"
    url = reverse("admin:django_rq_home_json")
    assert client.get(url, headers={"Authorization": "Bearer monitoring-token-123"}).status_code == 200
    assert nobody.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 403
