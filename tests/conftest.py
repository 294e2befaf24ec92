"""Shared fixtures: a real Redis (embedded or REDIS_URL), a small named world, an admin client."""

import django_rq
import pytest
from rq import SimpleWorker

from django.conf import settings


@pytest.fixture(autouse=True)
def clean_redis():
    """Every test starts with empty queues, locks and schedules on the real Redis server."""
    connection = django_rq.get_connection("default")
    connection.flushdb()
    yield connection
    connection.flushdb()


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in LANGUAGE_CODE: a page requested in Russian must not leave the next test reading Russian
    (stored messages are translated when read, in whatever language is active then)."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def run_queued_jobs():
    """Run everything queued, in this process (a forking worker would share the test DB connection)."""

    def run():
        queues = [django_rq.get_queue(name) for name in settings.RQ_QUEUE_NAMES]
        worker = SimpleWorker(queues, connection=queues[0].connection)
        worker.work(burst=True)

    return run


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser("alice", "alice@example.com", "pw-alice-123")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client
