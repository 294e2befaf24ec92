"""The catalog lists carry both their CSV/XLSX tools and the RetailCRM job that uses their data."""

import pytest
from django.urls import reverse

from integration.models import CrmSettings, JobRun

pytestmark = pytest.mark.django_db

PAGES = [("catalog_productgroup", "run_generate_catalog", "generate-catalog"),
         ("catalog_product", "run_generate_catalog", "generate-catalog"),
         ("catalog_stockbalance", "run_export_stock", "export-stock"),
         ("catalog_price", "run_export_prices", "export-prices")]


@pytest.mark.parametrize("page, tool, kind", PAGES)
def test_the_list_shows_import_export_and_the_crm_button_which_queues_the_job(admin_client, page, tool, kind):
    row = CrmSettings.get_solo()
    row.connection_ok = True
    row.save()
    changelist = reverse(f"admin:{page}_changelist")
    html = admin_client.get(changelist).content.decode()
    assert reverse(f"admin:{page}_import") in html and reverse(f"admin:{page}_export") in html
    assert f'data-tool-name="{tool}"' in html

    response = admin_client.post(reverse(f"admin:{page}_actions", kwargs={"tool": tool}))
    assert response.status_code == 302
    assert JobRun.objects.get().kind == kind
