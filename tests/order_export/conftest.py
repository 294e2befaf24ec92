import pytest
import requests

from integration import models as im
from integration.retailcrm.demo_setup import configure_demo_exchange
from tests.sandbox_world import connected_sandbox, order_state


def prepare_exchange() -> None:
    """The demo account mapped as an operator would, B1 and B2 agreeing, export of order changes on."""
    from integration.retailcrm.references import preload_export_statuses

    for code in ("pending-approval", "to-fulfil", "for-shipment", "closed"):
        order_state(code)
    # A transactional test starts without the migrations' states, so the sync could not fill B2's state rows.
    preload_export_statuses()
    assert im.StatusExportMapping.objects.filter(local_state__code="to-fulfil", crm_status__code="assembling").exists()
    configure_demo_exchange()
    im.StatusImportMapping.objects.filter(crm_status__code="for-shipment").update(local_state=order_state("for-shipment"))
    im.OrderState.objects.filter(code="closed").update(is_closed=True)
    im.CrmSettings.objects.update(export_order_changes=True)


@pytest.fixture
def crm(db):
    with connected_sandbox() as server:
        prepare_exchange()
        yield server


class CrmApi:
    """The sandbox's own API and operator endpoints: what the CRM has, read back over HTTP."""

    def __init__(self, server):
        self.server = server

    def order(self, crm_id: int) -> dict:
        answer = requests.get(f"{self.server.url}/api/v5/orders/{crm_id}", params={"by": "id"},
                              headers={"X-API-KEY": self.server.api_key}, timeout=5)
        assert answer.status_code == 200, answer.text
        return answer.json()["order"]

    def history(self, crm_id: int) -> list[dict]:
        answer = requests.get(f"{self.server.url}/api/v5/orders/history", params={"filter[orderId]": crm_id, "limit": 100},
                              headers={"X-API-KEY": self.server.api_key}, timeout=5)
        return answer.json()["history"]

    def our_edits(self, crm_id: int, field: str) -> list[dict]:
        return [entry for entry in self.history(crm_id) if entry.get("source") == "api"
                and entry.get("apiKey", {}).get("current") and entry["field"] == field]

    def create(self, **fields) -> int:
        body = {"site": "main-shop", "status": "new", "firstName": "Ivan", "lastName": "Petrov", "phone": "+79001234567",
                "items": [{"offer": {"externalId": "DEMO-0001"}, "quantity": 2, "initialPrice": 100},
                          {"offer": {"externalId": "DEMO-0002"}, "quantity": 1, "initialPrice": 50}],
                "delivery": {"code": "courier", "cost": 300}, **fields}
        answer = requests.post(f"{self.server.url}/sandbox/orders", json=body, timeout=5)
        assert answer.status_code == 201, answer.text
        return answer.json()["id"]

    def manager_edit(self, crm_id: int, **fields) -> None:
        answer = requests.post(f"{self.server.url}/sandbox/orders/{crm_id}/edit", json=fields, timeout=5)
        assert answer.status_code == 200, answer.text

    def requests_made(self) -> int:
        return self.server.rate_stats().get(self.server.api_key, {}).get("total", 0)


@pytest.fixture
def api(crm):
    return CrmApi(crm)
