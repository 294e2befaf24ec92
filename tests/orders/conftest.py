import pytest

from catalog.demo import seed_demo_catalog
from integration import models as im
from integration.jobs import run_inline


@pytest.fixture
def crm(db):
    """The demo sandbox, the demo catalog, settings pointing at the CRM, references loaded."""
    from sandbox.retailcrm.testing import SandboxServer

    with SandboxServer(seed="demo", api_key="sandbox-key", rps=1000) as server:
        seed_demo_catalog()
        row = im.CrmSettings.get_solo()
        row.crm_url, row.api_key, row.site_code, row.connection_ok = server.url, "sandbox-key", "main-shop", True
        row.save()
        run_inline("sync-references")
        yield server


@pytest.fixture
def map_statuses(crm):
    def make(**table):
        for code, state in table.items():
            im.StatusImportMapping.objects.update_or_create(
                crm_status=im.CrmStatus.objects.get(code=code),
                defaults={"local_state": im.OrderState.objects.get(code=state) if state else None},
            )

    return make
