"""Issue 16: django-rq's queue overview is shown in the operator's language, without "NOHOST"."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_queue_overview_speaks_russian(admin_client, settings):
    page = admin_client.get(reverse("admin:django_rq_home"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Очереди заданий" in page and "Обработчики" in page and "В очереди" in page
    for english in ("Queued Jobs", "Active Jobs", "Cron Schedulers", "View as JSON", "NOHOST"):
        assert english not in page
    for queue in settings.RQ_QUEUE_NAMES:
        assert f"<code>{queue}</code>" in page


def test_the_queue_overview_speaks_english_to_an_english_reader(admin_client):
    page = admin_client.get(reverse("admin:django_rq_home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Job queues" in page and "Queued jobs" in page
