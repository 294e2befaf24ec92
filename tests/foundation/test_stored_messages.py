"""A message a worker stored is read in the reader's language: English and Russian viewers of one run."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_noop

from integration.exchange.jobs.counters import counts_summary
from integration.exchange.messages import for_json, for_text, joined, render, stored
from integration.models import ExchangeEvent, JobRun, WebhookRequest

UNKNOWN_OFFERS = gettext_noop("Unknown offers (not in the catalog): %(offers)s. Load the catalog or fix the offer "
                              "identifiers; the order is retried automatically.")


def _page(client, url, language):
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()


@pytest.fixture
def run_written_in_english():
    with translation.override("en"):  # whatever language the worker had
        run = JobRun.objects.create(
            kind="import-orders", trigger=JobRun.Trigger.COMMAND, status=JobRun.Status.WARNINGS,
            counts={"entries_read": 7, "orders_parked": 1},
            messages=[for_json(stored(gettext_noop("Posted: order %(number)s of %(date)s."), number="1203A",
                                      date="01.12.2026")), "an old plain message"],
        )
        event = ExchangeEvent.objects.create(
            run=run, entity="order", crm_id="55", result=ExchangeEvent.Result.PARKED,
            direction=ExchangeEvent.Direction.IMPORT, message=for_text(stored(UNKNOWN_OFFERS, offers="A-1, B-2")),
        )
    return run, event


@pytest.mark.django_db
def test_the_event_list_shows_each_reader_their_language(admin_client, run_written_in_english):
    url = reverse("admin:integration_exchangeevent_changelist")
    english, russian = _page(admin_client, url, "en"), _page(admin_client, url, "ru")
    assert "Unknown offers (not in the catalog): A-1, B-2." in english
    assert "Неизвестные торговые предложения" in russian and "A-1, B-2" in russian
    assert "Unknown offers" not in russian and "msgid" not in russian


@pytest.mark.django_db
def test_the_run_page_translates_messages_counters_and_the_job(admin_client, run_written_in_english):
    run, event = run_written_in_english
    url = reverse("admin:integration_jobrun_change", args=[run.pk])
    english, russian = _page(admin_client, url, "en"), _page(admin_client, url, "ru")
    assert "Posted: order 1203A of 01.12.2026." in english and "history entries read" in english
    assert "Проведен: заказ 1203A от 01.12.2026." in russian
    assert "an old plain message" in russian  # rows written before stay as they were
    assert "entries_read:" not in russian and "прочитано записей истории: " in russian and "Загрузить заказы" in russian
    event_page = _page(admin_client, reverse("admin:integration_exchangeevent_change", args=[event.pk]), "ru")
    assert "Неизвестные торговые предложения" in event_page


@pytest.mark.django_db
def test_a_refused_webhook_reads_in_the_viewers_language(admin_client):
    row = WebhookRequest.objects.create(remote_addr="127.0.0.1", status=WebhookRequest.Status.REJECTED,
                                        http_status=400, error=for_text(stored(gettext_noop("malformed JSON"))))
    url = reverse("admin:integration_webhookrequest_change", args=[row.pk])
    assert "malformed JSON" in _page(admin_client, url, "en")
    russian = _page(admin_client, url, "ru")
    assert "malformed JSON" not in russian


def test_render_keeps_old_rows_and_survives_a_broken_translation():
    assert render("Plain text from an older version") == "Plain text from an older version"
    assert render('{"msgid": broken json') == '{"msgid": broken json'
    assert render({"msgid": "Orders read: %(count)s.", "params": {}}) == "Orders read: %(count)s."
    parts = joined([stored(gettext_noop("Unknown shop %(site)s: load the references from RetailCRM."), site="x"), "plain"])
    with translation.override("ru"):
        assert render(for_text(parts)).endswith(" plain") and "RetailCRM" in render(for_text(parts))


def test_every_counter_has_a_label_in_both_languages():
    with translation.override("ru"):
        summary = counts_summary({"orders_parked": 2, "peak_kb": 10, "missing_scopes": 0, "entries_read": 5})
    assert "orders_parked" not in summary and "peak_kb" not in summary and "missing_scopes" not in summary


@pytest.mark.django_db
def test_job_lists_name_kinds_by_their_labels(admin_client, run_written_in_english):
    from integration.models import JobSchedule

    JobSchedule.objects.update_or_create(kind="import-orders", defaults={"enabled": True, "interval_seconds": 60})
    runs = _page(admin_client, reverse("admin:integration_jobrun_changelist"), "ru")
    schedules = _page(admin_client, reverse("admin:integration_jobschedule_changelist"), "ru")
    assert "Загрузить заказы из RetailCRM" in runs and "?kind=import-orders" in runs  # the column and the filter
    assert "Загрузить заказы из RetailCRM" in schedules
