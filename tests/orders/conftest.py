import pytest

from integration import models as im
from tests.sandbox_world import connected_sandbox


@pytest.fixture
def crm(db):
    """The demo sandbox, the demo catalog, settings pointing at the CRM, references loaded."""
    with connected_sandbox() as server:
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
