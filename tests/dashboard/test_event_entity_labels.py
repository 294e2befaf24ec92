"""Issue 16: exchange events name their entity in the reader's language; the stored code stays."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from integration.exchange.entities import entity_label
from integration.models import ExchangeEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(db):
    return [ExchangeEvent.objects.create(entity=entity, crm_id=crm_id, result=ExchangeEvent.Result.CREATED,
                                         direction=ExchangeEvent.Direction.IMPORT)
            for entity, crm_id in (("order", "1201"), ("payment", "77"), ("offer-batch", ""), ("mystery", "5"))]


def entity_cells(html: str) -> list[str]:
    cells = re.findall(r'<t([dh]) class="field-entity_shown">(.*?)</t\1>', html, re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for _tag, cell in cells]


def filter_choices(html: str, title: str) -> list[str]:
    block = re.search(rf'<details data-filter-title="{title}"[^>]*>(.*?)</details>', html, re.S)
    assert block, "no entity filter on the page"
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li.*?>(.*?)</li>", block.group(1), re.S)]


def test_the_event_list_shows_russian_entity_labels(admin_client, events):
    html = admin_client.get(reverse("admin:integration_exchangeevent_changelist"),
                            HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert sorted(entity_cells(html)) == sorted(["заказ", "оплата", "пакет торговых предложений", "mystery"])
    choices = filter_choices(html, "объект")
    assert {"заказ", "оплата", "пакет торговых предложений", "mystery"} <= set(choices)
    assert "order" not in choices and "payment" not in choices and "offer-batch" not in choices


def test_the_event_list_shows_english_labels_to_an_english_reader(admin_client, events):
    html = admin_client.get(reverse("admin:integration_exchangeevent_changelist"),
                            HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert sorted(entity_cells(html)) == sorted(["order", "payment", "batch of offers", "mystery"])
    assert "batch of offers" in filter_choices(html, "entity")


def test_the_filter_still_matches_the_stored_code(admin_client, events):
    html = admin_client.get(reverse("admin:integration_exchangeevent_changelist") + "?entity=payment",
                            HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert entity_cells(html) == ["оплата"]
    assert ExchangeEvent.objects.filter(entity="payment").count() == 1  # the code itself is unchanged


def test_the_event_page_title_and_breadcrumb_are_russian(admin_client, events):
    order = events[0]
    html = admin_client.get(reverse("admin:integration_exchangeevent_change", args=[order.pk]),
                            HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    breadcrumbs = re.search(r'<div class="breadcrumbs">(.*?)</div>', html, re.S).group(1)
    assert "Заказ 1201:" in breadcrumbs
    assert "order 1201" not in html
    assert re.search(r"<title>[^<]*Заказ 1201", html)


def test_str_follows_the_active_language(events):
    order, _payment, batch, mystery = events
    with translation.override("en"):
        assert str(order).startswith("Order 1201: ")
        assert str(batch).startswith("Batch of offers: ")
        assert str(mystery).startswith("Mystery 5: ")
    with translation.override("ru"):
        assert str(order).startswith("Заказ 1201: ")
        assert str(entity_label("offer-batch")) == "пакет торговых предложений"


def test_the_retry_queue_shows_labels_and_keeps_the_dashboard_link(admin_client, db):
    from integration.exchange.messages import stored
    from integration.exchange.retry import park

    park("retailcrm", "order", 1201, message=stored("Unknown offers"))
    park("retailcrm", "offer", 55, message=stored("Unknown offers"))
    url = reverse("admin:integration_retryentry_changelist")
    html = admin_client.get(url + "?system__exact=retailcrm&entity__exact=order", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert entity_cells(html) == ["заказ"]
    assert {"заказ", "торговое предложение"} <= set(filter_choices(html, "объект"))
    english = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert sorted(entity_cells(english)) == ["offer", "order"]
