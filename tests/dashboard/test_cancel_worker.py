"""Cancel (issue 16) against a real worker process: a long stock export stops at its next safe point."""

import pytest
from django.urls import reverse

from catalog.models import Product
from integration.exchange.messages import render
from integration.models import JobRun, OfferExportState
from tests.exports.conftest import map_exports, register_offers
from tests.sandbox_world import connected_sandbox
from tests.workers import Worker, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PRODUCTS = 5000  # five chunks of 1,000 products, 20 upload requests: about ten seconds at 2 requests/s
RPS = 2


def test_a_long_export_cancelled_from_its_page_stops_early_and_says_so(admin_client, settings, tmp_path):
    settings.RETAILCRM_RATE_LIMIT_RPS = RPS
    with connected_sandbox(rps=RPS) as server:
        Product.objects.bulk_create([Product(code=f"CXL-{n:05d}", name=f"Cancel item {n}") for n in range(PRODUCTS)])
        map_exports()
        register_offers(server)
        worker = Worker("export", log_path=tmp_path / "worker.log", RETAILCRM_RATE_LIMIT_RPS=RPS)
        try:
            admin_client.post(reverse("admin:integration_jobrun_run_now", args=["export-stock"]))
            run = JobRun.objects.get(kind="export-stock")
            wait_until(lambda: (JobRun.objects.get(pk=run.pk).progress_done or 0) >= 1000, 60, "the first chunk")
            page = admin_client.get(reverse("admin:integration_jobrun_change", args=[run.pk])).content.decode()
            cancel = reverse("admin:integration_jobrun_cancel", args=[run.pk])
            assert f'action="{cancel}"' in page
            response = admin_client.post(cancel, {"next": reverse("admin:integration_jobrun_change", args=[run.pk])},
                                         follow=True)
            assert "stops at its next safe point" in response.content.decode()
            wait_until(lambda: JobRun.objects.get(pk=run.pk).is_finished, 60, "the run to end")
        finally:
            worker.stop()
    run.refresh_from_db()
    log = (tmp_path / "worker.log").read_text()[-2000:]
    assert run.status == JobRun.Status.CANCELLED, (run.status, run.error, run.messages, log)
    assert run.progress_total >= PRODUCTS and run.progress_done < run.progress_total
    assert run.counts["sent"] < run.progress_total  # it did not go on to the end
    assert "Cancelled by an operator" in render(run.messages[-1])
    # What was accepted before the stop is remembered; a later delta run sends only the rest.
    assert 0 < OfferExportState.objects.filter(channel="stock").count() <= run.counts["accepted"]
    page = admin_client.get(reverse("admin:integration_jobrun_change", args=[run.pk])).content.decode()
    assert "Cancelled" in page and "job-progress-cancel" not in page
