import pytest

from integration.models import CrmSettings


@pytest.fixture
def crm(db):
    """The demo sandbox over real HTTP, with the settings pointing at it and the connection checked."""
    from sandbox.retailcrm.testing import SandboxServer

    with SandboxServer(seed="demo", api_key="sandbox-key", rps=1000, extra_keys={
        "read-only-key": {"scopes": ["order_read", "reference_read"], "sites": None},
    }) as server:
        row = CrmSettings.get_solo()
        row.crm_url, row.api_key, row.site_code, row.connection_ok = server.url, "sandbox-key", "main-shop", True
        row.save()
        yield server
