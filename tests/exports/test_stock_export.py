"""D1 against the sandbox over HTTP: full and delta uploads, zeros for deleted rows, unknown offers, faults."""

import math

from catalog.models import Product, StockBalance
from integration import models as im
from integration.exchange.jobs import run_inline
from integration.exchange.messages import render
from tests.exports.conftest import add_products, crm_offer, expected_stock, local_offers, register_offers


def requests_made(server, before=0):
    return server.rate_stats().get(server.api_key, {}).get("total", 0) - before


def stock_in_crm(server, key):
    return {code: {"quantity": s["quantity"], "purchasePrice": s.get("purchasePrice")}
            for code, s in crm_offer(server, key)["stores"].items()}


def test_full_upload_leaves_the_crm_with_exactly_the_local_stock(crm):
    before = requests_made(crm)
    run = run_inline("export-stock", options={"full": True})

    assert run.status == im.JobRun.Status.SUCCEEDED, run.messages
    offers = list(local_offers(goods_only=True))
    for key, product, variant in offers:
        assert stock_in_crm(crm, key) == expected_stock(product, variant), key
    assert run.counts["sent"] == run.counts["accepted"] == len(offers)
    assert requests_made(crm, before) == run.counts["requests"] == math.ceil(len(offers) / 250)


def test_client_reads_back_the_uploaded_quantities(crm):
    from integration.retailcrm.client.factory import client_from_settings

    run_inline("export-stock", options={"full": True})
    key, product, variant = next(local_offers(goods_only=True))
    with client_from_settings() as client:
        [offer] = client.inventories({"offerExternalId": [key], "details": 1})
    assert {s["store"]: s["quantity"] for s in offer["stores"]} == {
        code: v["quantity"] for code, v in expected_stock(product, variant).items()}


def test_delta_sends_only_the_ten_changed_offers_in_one_request(crm):
    run_inline("export-stock", options={"full": True})
    changed = list(StockBalance.objects.filter(warehouse__code="north").order_by("id")[:10])
    for row in changed:
        row.quantity += 5
        row.save()
    crm.state.uploads["stock"].clear()
    before = requests_made(crm)

    run = run_inline("export-stock")

    assert run.counts["full"] == 0 and run.counts["sent"] == 10
    assert requests_made(crm, before) == 1
    assert len(crm.state.uploads["stock"]) == 10
    for row in changed:
        key = row.product.code + (f"#{row.characteristic.guid}" if row.characteristic else "")
        assert crm_offer(crm, key)["stores"]["north"]["quantity"] == float(row.quantity)


def test_unchanged_catalog_sends_nothing(crm):
    run_inline("export-stock", options={"full": True})
    before = requests_made(crm)
    run = run_inline("export-stock")
    assert requests_made(crm, before) == 0
    assert run.counts.get("sent", 0) == 0 and run.counts["unchanged"] == run.counts["offers"]


def test_a_deleted_stock_row_reaches_the_crm_as_zero(crm):
    run_inline("export-stock", options={"full": True})
    row = StockBalance.objects.filter(warehouse__code="shop", characteristic=None, quantity__gt=0).first()
    row.delete()
    run = run_inline("export-stock")
    assert run.counts["sent"] == 1
    assert crm_offer(crm, row.product.code)["stores"]["shop-floor"]["quantity"] == 0


def test_periodic_reconcile_turns_a_delta_run_into_a_full_one(crm, settings):
    run_inline("export-stock", options={"full": True})
    settings.RETAILCRM_FULL_EXPORT_HOURS = 0
    run = run_inline("export-stock")
    assert run.counts["full"] == 1 and run.counts["sent"] == run.counts["offers"]


def test_the_reconcile_comes_when_the_last_full_upload_is_older_than_the_configured_hours(crm, settings):
    from datetime import timedelta

    from django.utils import timezone

    run_inline("export-stock", options={"full": True})
    im.ExportCheckpoint.objects.update(last_full_at=timezone.now() - timedelta(hours=5))
    settings.RETAILCRM_FULL_EXPORT_HOURS = 6
    assert run_inline("export-stock").counts["full"] == 0
    settings.RETAILCRM_FULL_EXPORT_HOURS = 4
    assert run_inline("export-stock").counts["full"] == 1


def test_first_run_is_full_and_later_runs_are_deltas(crm):
    assert run_inline("export-stock").counts["full"] == 1
    assert run_inline("export-stock").counts["full"] == 0


def test_only_the_chosen_groups_are_sent(crm):
    from catalog.models import ProductGroup

    row = im.CrmSettings.get_solo()
    row.catalog_groups.set([ProductGroup.objects.get(code="food")])
    run = run_inline("export-stock", options={"full": True})
    food = Product.objects.filter(group__parent__code="food").count()
    assert run.counts["offers"] == food == 24


def test_unknown_offers_are_logged_one_by_one_and_sent_again(db):
    from tests.exports.conftest import map_exports
    from tests.sandbox_world import connected_sandbox

    with connected_sandbox() as crm:
        map_exports()
        offers = list(local_offers(goods_only=True))
        register_offers(crm, offers[:-5])  # the last five are not in the CRM's catalog
        run = run_inline("export-stock", options={"full": True})

        assert run.status == im.JobRun.Status.WARNINGS
        assert run.counts["not_found"] == 5 and run.counts["accepted"] == len(offers) - 5
        events = im.ExchangeEvent.objects.filter(run=run, entity="offer", result="failed", direction="export")
        assert sorted(e.local_ref for e in events) == sorted(key for key, *_ in offers[-5:])
        assert "has no offer with externalId" in render(events[0].message)

        again = run_inline("export-stock")
        assert again.counts["sent"] == 5  # not recorded as delivered, so retried


def test_failing_batches_do_not_stop_the_others_and_are_sent_next_time(crm):
    add_products(600)
    register_offers(crm)
    crm.set_faults(error_rate=0.5, status=500)  # a POST is not repeated after a 500
    crm.app.faults._random.seed(1)  # the first of three requests fails
    run = run_inline("export-stock", options={"full": True})
    crm.set_faults()

    assert run.status == im.JobRun.Status.WARNINGS, (run.counts, run.messages)
    assert 0 < run.counts["failed_batches"] < run.counts["requests"]
    assert run.counts["accepted"] + run.counts["failed_offers"] == run.counts["offers"]
    assert im.ExchangeEvent.objects.filter(run=run, entity="offer-batch", result="failed").count() == run.counts["failed_batches"]

    retry = run_inline("export-stock")
    assert retry.counts["full"] == 1  # the failed full upload is not counted as complete
    assert retry.status == im.JobRun.Status.SUCCEEDED
    for key, product, variant in local_offers(goods_only=True):
        assert stock_in_crm(crm, key) == expected_stock(product, variant)


def test_rate_limit_answers_are_retried_and_the_run_completes(crm):
    from integration.retailcrm.client.factory import client_from_settings
    from integration.exchange.jobs.runner import JobContext
    from integration.retailcrm.store import export_stock

    add_products(600)
    register_offers(crm)
    crm.set_faults(error_rate=0.6, status=503)
    crm.app.faults._random.seed(1)  # the first request is refused
    run = im.JobRun.objects.create(kind="export-stock", trigger="command", options={"full": True})
    with client_from_settings(backoff=0.01, max_backoff=0.05) as client:
        export_stock(client, JobContext(run), full=True)
        retries = client.stats.retries
    crm.set_faults()

    assert retries > 0
    assert run.counts["accepted"] == run.counts["offers"] and not run.counts.get("failed_batches")
    for key, product, variant in local_offers(goods_only=True):
        assert stock_in_crm(crm, key) == expected_stock(product, variant)


def test_each_shop_gets_the_stock_of_its_own_warehouses(crm):
    """B8: with multiple organizations, stock goes per shop (its ``site``), limited to the shop's warehouses."""
    from catalog.models import Organization, Warehouse

    row = im.CrmSettings.get_solo()
    row.multiple_organizations = True
    row.save()
    organization = Organization.objects.first()
    main = im.ShopOrganization.objects.create(crm_site=im.CrmSite.objects.get(code="main-shop"), organization=organization)
    main.warehouses.set([Warehouse.objects.get(code="north")])
    im.ShopOrganization.objects.create(crm_site=im.CrmSite.objects.get(code="second-shop"), organization=organization,
                                       export_stock=False)
    crm.state.uploads["stock"].clear()
    key, product, variant = next(local_offers(goods_only=True))
    crm_offer(crm, key)["stores"]["main"]["quantity"] = 12345.0  # not this shop's warehouse: left alone

    run = run_inline("export-stock", options={"full": True})

    assert run.counts["offers"] == len(list(local_offers(goods_only=True)))  # one shop only
    assert crm_offer(crm, key)["stores"]["north"]["quantity"] == expected_stock(product, variant)["north"]["quantity"]
    assert crm_offer(crm, key)["stores"]["main"]["quantity"] == 12345.0
