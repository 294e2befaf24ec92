"""D2 against the sandbox: every mapped price type, removals, the base type without price types, shops."""

import math

import pytest
from django.utils import translation

from catalog.models import Price
from integration import models as im
from integration.exchange.jobs import SwitchedOff, run_inline
from integration.exchange.messages import render
from tests.exports.conftest import crm_offer, expected_prices, local_offers


def test_full_upload_leaves_the_crm_with_exactly_the_local_prices(crm):
    run = run_inline("export-prices", options={"full": True})

    assert run.status == im.JobRun.Status.SUCCEEDED, run.messages
    offers = list(local_offers())
    for key, product, variant in offers:
        crm_prices = crm_offer(crm, key)["prices"]
        assert {code: crm_prices[code] for code in ("base", "wholesale") if code in crm_prices} == \
            expected_prices(product, variant), key
    assert run.counts["requests"] == math.ceil(len(offers) / 250)


def test_a_price_removed_locally_is_removed_in_the_crm(crm):
    run_inline("export-prices", options={"full": True})
    price = Price.objects.filter(price_type__code="wholesale", characteristic=None).first()
    assert "wholesale" in crm_offer(crm, price.product.code)["prices"]
    price.delete()

    run = run_inline("export-prices")

    assert run.counts["sent"] == 1
    prices = crm_offer(crm, price.product.code)["prices"]
    assert "wholesale" not in prices and "base" in prices


def test_a_changed_price_alone_is_sent(crm):
    run_inline("export-prices", options={"full": True})
    price = Price.objects.filter(price_type__code="retail").order_by("id").first()
    price.price += 1
    price.save()
    run = run_inline("export-prices")
    assert run.counts["sent"] == 1
    key = price.product.code + (f"#{price.characteristic.guid}" if price.characteristic else "")
    assert crm_offer(crm, key)["prices"]["base"] == float(price.price)


def test_without_price_types_only_the_sale_price_feeds_the_base_type(crm):
    row = im.CrmSettings.get_solo()
    row.use_price_types = False
    row.save()
    crm_offer(crm, "DEMO-0001")["prices"]["wholesale"] = 1.0  # must stay untouched
    run_inline("export-prices", options={"full": True})
    offer = crm_offer(crm, "DEMO-0001")
    assert offer["prices"]["base"] == float(Price.objects.get(product__code="DEMO-0001", price_type__code="retail").price)
    assert offer["prices"]["wholesale"] == 1.0


def test_each_shop_gets_its_own_entries_in_shared_requests(crm):
    """B8: with multiple organizations every shop with price export on is sent, with its site."""
    from catalog.models import Organization

    row = im.CrmSettings.get_solo()
    row.multiple_organizations = True
    row.save()
    organization = Organization.objects.first()
    for code in ("main-shop", "second-shop"):
        im.ShopOrganization.objects.create(crm_site=im.CrmSite.objects.get(code=code), organization=organization)
    run = run_inline("export-prices", options={"full": True})
    offers = len(list(local_offers()))
    assert run.counts["sent"] == 2 * offers
    assert run.counts["requests"] == math.ceil(2 * offers / 250)
    # second-shop shares main-shop's catalog in the demo, so both entries land on the same offers
    assert run.counts["accepted"] == 2 * offers


def test_switched_off_exports_send_nothing(crm):
    row = im.CrmSettings.get_solo()
    row.export_prices = row.export_stock = False
    row.save()
    before = sum(stats["total"] for stats in crm.rate_stats().values())
    for kind, switch in (("export-prices", "export prices"), ("export-stock", "export stock")):
        with translation.override("en"), pytest.raises(SwitchedOff, match=f"“{switch}” is switched off"):
            run_inline(kind)
    assert sum(stats["total"] for stats in crm.rate_stats().values()) == before


def test_missing_mappings_fail_with_a_clear_message(crm):
    im.WarehouseMapping.objects.all().delete()
    run = run_inline("export-stock")
    assert run.status == im.JobRun.Status.FAILED
    assert "B4" in render(run.error)
