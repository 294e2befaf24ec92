"""The ids the ICML gives offers are the ids stock and prices are sent under, in every id mode."""

import pytest
import requests

from integration.retailcrm.feed.targets import catalog_specs
from catalog.models import Organization
from integration import models as im
from integration.exchange.jobs import run_inline
from tests.exports.conftest import map_exports
from tests.sandbox_world import connected_sandbox

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("prefix", [False, True])
def test_offers_loaded_from_our_icml_are_found_by_the_stock_and_price_export(settings, tmp_path, prefix):
    settings.ICML_DIR = tmp_path
    with connected_sandbox() as server:
        map_exports()
        row = im.CrmSettings.get_solo()
        row.prefix_organization_guid = prefix
        row.default_organization = Organization.objects.get_or_create(name="Demo LLC")[0]
        row.save()

        assert run_inline("generate-catalog").status == "succeeded"
        xml = catalog_specs()[0].path.read_text(encoding="utf-8")
        assert requests.post(f"{server.url}/sandbox/icml", json={"xml": xml, "site": "main-shop"}, timeout=30).ok
        ids = {offer["externalId"] for offer in server.state.offers.values() if offer.get("active", True)}
        assert all(key.startswith(str(row.default_organization.guid)) for key in ids if "DEMO-" in key) == prefix

        stock, prices = run_inline("export-stock"), run_inline("export-prices")
    assert stock.status == prices.status == "succeeded", (stock.messages, prices.messages)
    assert stock.counts.get("not_found", 0) == prices.counts.get("not_found", 0) == 0
    assert stock.counts["accepted"] > 0 and prices.counts["accepted"] > 0


def test_a_product_whose_characteristics_are_all_inactive_has_no_offer_anywhere(settings, tmp_path):
    from catalog.models import Characteristic, Product
    from catalog.offers import offer_chunks

    with connected_sandbox(sync=False):
        product = Product.objects.filter(characteristics__isnull=False).distinct().first()
        Characteristic.objects.filter(product=product).update(active=False)
        exported = {offer.product_id for chunk in offer_chunks((), goods_only=False, source="code") for offer in chunk.offers}
    settings.ICML_DIR = tmp_path
    assert product.pk not in exported
