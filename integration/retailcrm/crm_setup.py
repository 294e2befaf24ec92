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


# Seed 001 "Создание триггера": at most one call per 5 s for an update, per 30 s for a creation, so
# the back office has loaded the order before the next call (no duplicates).
THROTTLE_CONDITION = (
    '(changeSet.isUpdate() and not last_run("5 seconds")) or '
    '(changeSet.isCreate() and not last_run("30 seconds", null, order))'
)


def trigger_condition(export_changes: bool) -> str:
    """The trigger's condition: with order changes exported, our own edits (they flip our custom field,
    B10) do not call back; API changes of others — a website creating orders — still do."""
    if not export_changes:
        return THROTTLE_CONDITION
    return (f"({THROTTLE_CONDITION}) and (not changeSet.hasChangesWithSource(\"api\") or "
            f"(changeSet.hasChangesWithSource(\"api\") and not changeSet.hasChangedField('custom_{ECHO_FIELD_CODE}')))")


def trigger_instructions(public_url: str, token: str = SECRET_PLACEHOLDER, *, export_changes: bool | None = None
                         ) -> TriggerInstructions:
    """The trigger; by default its address names the secret by a placeholder, so it can be shown in HTML."""
    url = public_url.rstrip("/") + reverse("retailcrm-webhook", args=[token])
    if export_changes is None:
        export_changes = CrmSettings.get_solo().export_order_changes
    return TriggerInstructions(
        event="Order changed",
        # Our own edits never call back (the echo loop, E8); the history import skips them too.
        condition=trigger_condition(export_changes),
        url=url,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body="id={{ order.id }}",
    )
