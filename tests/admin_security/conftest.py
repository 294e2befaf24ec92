"""Users of the security tests: staff without permissions, view-only staff, and holders of one permission."""

import django_rq
import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import Client

from integration.models import CrmSettings, JobRun
from tests.world import make_world


def permission(name: str) -> Permission:
    app_label, codename = name.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@pytest.fixture
def world(db):
    world = make_world()
    # Past the connection gate, so nothing below is refused for a reason other than permissions.
    CrmSettings.objects.filter(pk=1).update(connection_ok=True, loyalty_program=True)
    return world


@pytest.fixture
def make_staff(django_user_model):
    def make(username: str, *permissions: str) -> Client:
        user = django_user_model.objects.create_user(username, f"{username}@example.com", "pw-" + username, is_staff=True)
        user.user_permissions.set([permission(name) for name in permissions])
        client = Client()
        client.force_login(user)
        client.user = user
        return client

    return make


@pytest.fixture
def nobody(make_staff):
    """Staff with no permission at all."""
    return make_staff("nobody")


@pytest.fixture
def viewer(make_staff, db):
    """Read-only staff: every view_* permission of the project, nothing else."""
    names = [f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.filter(codename__startswith="view_")]
    return make_staff("viewer", *names)


def queued_jobs() -> list[str]:
    """Every job id on every RQ queue (queued, scheduled or deferred)."""
    ids = []
    for name in settings.RQ_QUEUE_NAMES:
        queue = django_rq.get_queue(name)
        ids += queue.job_ids + queue.scheduled_job_registry.get_job_ids() + queue.deferred_job_registry.get_job_ids()
    return ids


def nothing_started(runs_before: int) -> bool:
    return JobRun.objects.count() == runs_before and not queued_jobs()
