"""B9 and B10: register the back office in RetailCRM and create the echo-loop custom field."""

import hashlib
from dataclasses import dataclass

from django.urls import reverse

from integration.models import CrmSettings

MODULE_INTEGRATION_CODE = "retailcrm-backoffice"
ECHO_FIELD_CODE = "backoffice_changed"
ECHO_FIELD = {
    "name": "Changed by the back office",
    "code": ECHO_FIELD_CODE,
    "type": "boolean",
    "displayArea": "main_data",
    "viewMode": "not_editable",
    "inFilter": False,
    "inList": False,
}


def client_id(crm_settings: CrmSettings) -> str:
    """Stable per installation and CRM account, and not the API key itself."""
    return hashlib.sha256(f"{crm_settings.crm_url}|{crm_settings.webhook_token}".encode()).hexdigest()[:20]


def module_code(crm_settings: CrmSettings) -> str:
    return f"{MODULE_INTEGRATION_CODE}-{client_id(crm_settings)[:8]}"


def module_payload(crm_settings: CrmSettings, public_url: str) -> dict:
    public_url = public_url.rstrip("/")
    return {
        "code": module_code(crm_settings),
        "integrationCode": MODULE_INTEGRATION_CODE,
        "active": True,
        "name": "Back office",
        "clientId": client_id(crm_settings),
        "baseUrl": public_url,
        "accountUrl": public_url + reverse("admin:integration_crmsettings_change"),
        "integrations": {"store": {"actions": []}},
    }


def register_module(client, crm_settings: CrmSettings, public_url: str) -> dict:
    payload = module_payload(crm_settings, public_url)
    answer = client.integration_module_edit(payload["code"], payload)
    return {"code": payload["code"], "answer": answer}


def create_echo_field(client) -> tuple[bool, str]:
    """Create the order custom field once; (created, code). An existing field is left as it is."""
    existing = list(client.custom_fields({"entity": "order", "code": ECHO_FIELD_CODE}))
    if any(field.get("code") == ECHO_FIELD_CODE for field in existing):
        return False, ECHO_FIELD_CODE
    answer = client.custom_field_create("order", ECHO_FIELD)
    return True, answer.get("code", ECHO_FIELD_CODE)


@dataclass
class TriggerInstructions:
    """What the operator pastes into RetailCRM → Administration → Triggers (001 "Создание триггера")."""

    event: str
    condition: str
    url: str
    method: str
    headers: dict
    body: str


SECRET_PLACEHOLDER = "WEBHOOK_SECRET"


def trigger_instructions(public_url: str, token: str = SECRET_PLACEHOLDER) -> TriggerInstructions:
    """The trigger; by default its address names the secret by a placeholder, so it can be shown in HTML."""
    url = public_url.rstrip("/") + reverse("retailcrm-webhook", args=[token])
    return TriggerInstructions(
        event="Order changed",
        # Changes made through the API, ours included, never call back: that is the echo loop (E8).
        condition='not changeSet.hasChangesWithSource("api")',
        url=url,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body="id={{ order.id }}",
    )
