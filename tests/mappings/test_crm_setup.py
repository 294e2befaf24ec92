"""B9 register the integration module, B10 create the echo-loop custom field, against the sandbox."""

import requests
from django.urls import reverse

from integration.models import CrmSettings
from integration.services.crm_setup import ECHO_FIELD_CODE, module_code


def test_the_settings_page_registers_the_module(admin_client, crm):
    url = reverse("admin:integration_crmsettings_actions", args=[1, "register_module"])
    page = admin_client.post(url, follow=True).content.decode()
    code = module_code(CrmSettings.get_solo())
    assert f"Integration module “{code}” is registered" in page
    answer = requests.get(f"{crm.url}/api/v5/integration-modules/{code}", headers={"X-API-KEY": "sandbox-key"}, timeout=5).json()
    assert answer["integrationModule"]["baseUrl"] == "http://testserver"
    assert answer["integrationModule"]["active"] is True


def test_the_custom_field_is_created_once(admin_client, crm):
    url = reverse("admin:integration_crmsettings_actions", args=[1, "create_custom_field"])
    assert "has been created" in admin_client.post(url, follow=True).content.decode()
    assert "already exists" in admin_client.post(url, follow=True).content.decode()
    fields = requests.get(f"{crm.url}/api/v5/custom-fields", params={"filter[entity]": "order"},
                          headers={"X-API-KEY": "sandbox-key"}, timeout=5).json()["customFields"]
    assert [f["code"] for f in fields].count(ECHO_FIELD_CODE) == 1
