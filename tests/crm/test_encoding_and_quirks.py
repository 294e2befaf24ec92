"""Wire encoding (reference §1.3) and JSON quirks (§1.9), checked on plain values."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from integration.retailcrm.client.client import batched
from integration.retailcrm.client.encoding import form_fields, query_params
from integration.retailcrm.client.quirks import as_list, normalize_history_entry, normalize_order


def test_it_flattens_get_filters_with_php_brackets():
    pairs = query_params({
        "filter": {"ids": [1, 2], "sites": ["shop1"], "customFields": {"nps": {"min": 5}}, "active": True,
                   "createdAtFrom": dt.datetime(2024, 5, 1, 8, 30), "skipped": None},
        "limit": 50,
    })
    assert pairs == [
        ("filter[ids][]", "1"), ("filter[ids][]", "2"), ("filter[sites][]", "shop1"),
        ("filter[customFields][nps][min]", "5"), ("filter[active]", "1"),
        ("filter[createdAtFrom]", "2024-05-01 08:30:00"), ("limit", "50"),
    ]


def test_it_sends_nested_post_fields_as_json_strings():
    body = form_fields({"order": {"externalId": "A1", "items": [{"quantity": Decimal("2.5")}],
                                  "shipmentDate": dt.date(2024, 5, 2)},
                        "site": "shop1", "by": "externalId", "empty": None})
    assert set(body) == {"order", "site", "by"}
    assert body["site"] == "shop1"
    assert json.loads(body["order"]) == {"externalId": "A1", "items": [{"quantity": 2.5}], "shipmentDate": "2024-05-02"}


def test_it_normalises_object_keyed_and_empty_array_shapes():
    order = normalize_order({
        "id": 7, "customFields": [],
        "payments": {"41": {"type": "cash", "amount": 10.0}, "42": {"id": 42, "type": "bank-card"}},
        "items": [{"id": 1, "properties": [], "offer": {"id": 3, "properties": []}}],
        "customer": {"id": 5, "customFields": []},
    })
    assert order["customFields"] == {}
    assert order["payments"] == [{"type": "cash", "amount": 10.0, "id": 41}, {"id": 42, "type": "bank-card"}]
    assert order["items"][0]["properties"] == {} and order["items"][0]["offer"]["properties"] == {}
    assert order["customer"]["customFields"] == {}
    assert normalize_order({"payments": [{"id": 1}]})["payments"] == [{"id": 1}]
    assert normalize_order({"payments": {}})["payments"] == []
    by_code = {"new": {"code": "new"}, "complete": {"code": "complete"}}
    assert as_list(by_code) == [{"code": "new"}, {"code": "complete"}]
    assert as_list([{"code": "pcs"}]) == [{"code": "pcs"}] and as_list(None) == []
    entry = normalize_history_entry({"id": 1, "order": {"id": 2, "customFields": [], "payments": {}}})
    assert entry["order"] == {"id": 2, "customFields": {}, "payments": []}


def test_it_splits_batches():
    assert [len(b) for b in batched(range(501), 250)] == [250, 250, 1]
    assert list(batched([], 250)) == []


@pytest.mark.parametrize("url", ["https://shop.retailcrm.ru", "https://shop.retailcrm.ru/",
                                 "https://shop.retailcrm.ru/api/v5"])
def test_it_accepts_the_account_address_in_common_forms(url):
    from integration.retailcrm.client import RetailCrmClient

    assert RetailCrmClient(url, "k" * 32).base_url == "https://shop.retailcrm.ru"


def test_it_refuses_an_address_that_is_not_a_web_address():
    from integration.retailcrm.client import CrmNotConfigured, RetailCrmClient

    with pytest.raises(CrmNotConfigured, match="not a web address"):
        RetailCrmClient("shop.retailcrm.ru", "k" * 32)
    with pytest.raises(CrmNotConfigured, match="key is empty"):
        RetailCrmClient("https://shop.retailcrm.ru", "")
