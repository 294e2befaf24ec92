"""Finding 15: with Redis down the buttons say the queue is unavailable and the pages stay usable."""

import socket

import pytest
from django.urls import reverse

from integration.exchange.messages import render
from integration.models import ExchangeEvent, JobRun

pytestmark = pytest.mark.django_db

UNAVAILABLE = "The queue is unavailable (Redis does not answer)"


@pytest.fixture
def redis_down(settings):
    """Every queue points at a port bound on loopback that nobody listens on: connection refused."""
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    url = f"redis://127.0.0.1:{closed.getsockname()[1]}/0"
    settings.RQ_QUEUES = {name: {**config, "URL": url} for name, config in settings.RQ_QUEUES.items()}
    yield url
    closed.close()


def _said_unavailable(response) -> bool:
    return any(UNAVAILABLE in str(message) for message in response.context["messages"])


def test_buttons_say_the_queue_is_unavailable_and_leave_no_run_behind(admin_client, world, redis_down):
    presses = [
        (reverse("admin:integration_jobrun_run_now", args=["sync-references"]), {}),
        (reverse("admin:integration_crmsettings_actions", kwargs={"pk": 1, "tool": "run_export_stock"}), {}),
        (reverse("admin:integration_crmsettings_load_orders"), {"load_one": "1", "one-order_id": "138"}),
        (reverse("admin:integration_exchangeevent_changelist"),
         {"action": "retry_orders", "_selected_action": [ExchangeEvent.objects.get(entity="order").pk], "index": "0"}),
    ]
    for url, body in presses:
        response = admin_client.post(url, body, follow=True)
        assert response.status_code == 200, url
        assert _said_unavailable(response), url
    assert not JobRun.objects.filter(status=JobRun.Status.QUEUED).exists()


def test_an_inline_button_fails_its_run_with_the_message(admin_client, world, redis_down):
    response = admin_client.post(reverse("admin:integration_crmsettings_actions",
                                         kwargs={"pk": 1, "tool": "check_connection"}), follow=True)
    assert response.status_code == 200
    run = JobRun.objects.get(kind="check-connection", trigger=JobRun.Trigger.BUTTON)
    assert run.status == JobRun.Status.FAILED and UNAVAILABLE in render(run.error)


def test_the_pages_stay_usable(admin_client, world, redis_down):
    run = JobRun.objects.first()
    for url in (reverse("admin:integration_jobrun_dashboard"), reverse("admin:integration_jobrun_changelist"),
                reverse("admin:integration_jobrun_status", args=[run.pk]), reverse("admin:loyalty_loyaltysettings_change"),
                reverse("admin:integration_crmsettings_change"), reverse("admin:index")):
        assert admin_client.get(url).status_code == 200, url
    response = admin_client.get(reverse("admin:django_rq_home"))
    assert response.status_code == 503 and UNAVAILABLE in response.content.decode()
