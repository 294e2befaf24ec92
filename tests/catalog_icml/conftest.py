import pytest
from lxml import etree

from catalog.demo import seed_demo_catalog
from catalog.models import PriceType
from integration import models as im
from integration.exchange.messages import render


@pytest.fixture(autouse=True)
def icml_dir(settings, tmp_path):
    """Every test writes its catalogs into a directory of its own."""
    settings.ICML_DIR = tmp_path / "icml"
    return settings.ICML_DIR


@pytest.fixture
def demo_catalog(db):
    """The demo catalog with the retail and purchase price types chosen for the ICML."""
    seed_demo_catalog()
    row = im.CrmSettings.get_solo()
    row.sale_price_type = PriceType.objects.get(code="retail")
    row.purchase_price_type = PriceType.objects.get(code="purchase")
    row.save()
    return row


@pytest.fixture
def generate():
    """Run the generate-catalog job; returns (run, parsed document of the first file)."""
    from integration.retailcrm.feed.targets import catalog_specs
    from integration.exchange.jobs import run_inline

    def run(**options):
        job = run_inline("generate-catalog", options=options)
        assert job.status == "succeeded", (job.status, render(job.error), job.messages)
        return job, etree.parse(str(catalog_specs()[0].path))

    return run


def offers_by_id(document) -> dict:
    return {offer.get("id"): offer for offer in document.iterfind("shop/offers/offer")}
