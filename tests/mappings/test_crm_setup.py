"""B9 register the integration module, B10 create the echo-loop custom field, against the sandbox."""

import requests
from django.urls import reverse

from integration.models import CrmSettings
from integration.retailcrm.crm_setup import ECHO_FIELD_CODE, module_code


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


def test_the_settings_page_shows_the_trigger_without_the_secret(admin_client, crm):
    row = CrmSettings.get_solo()
    page = admin_client.get(reverse("admin:integration_crmsettings_change", args=[1])).content.decode()
    # Export off: the short condition of seed 001, so a website's API orders still call the back office.
    assert ("(changeSet.isUpdate() and not last_run(&quot;5 seconds&quot;)) or (changeSet.isCreate() and "
            "not last_run(&quot;30 seconds&quot;, null, order))</code>") in page
    assert "hasChangesWithSource" not in page
    assert "http://testserver/webhooks/retailcrm/WEBHOOK_SECRET/" in page
    assert "id={{ order.id }}" in page and "application/x-www-form-urlencoded" in page
    assert row.webhook_token not in page


def test_the_operator_sets_a_new_webhook_secret_write_only(admin_client, crm):
    url = reverse("admin:integration_crmsettings_change", args=[1])
    form = admin_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update({"api_key": "", "webhook_token": "my-own-secret-for-the-trigger"})
    assert admin_client.post(url, data).status_code == 302
    assert CrmSettings.get_solo().webhook_token == "my-own-secret-for-the-trigger"
    assert CrmSettings.get_solo().api_key == "sandbox-key"
    data["webhook_token"] = "short"
    assert admin_client.post(url, data).status_code == 200  # refused: at least 16 characters
    assert "my-own-secret-for-the-trigger" not in admin_client.get(url).content.decode()


def test_with_order_changes_exported_the_trigger_skips_our_own_edits(admin_client, crm):
    CrmSettings.objects.update(export_order_changes=True)
    page = admin_client.get(reverse("admin:integration_crmsettings_change", args=[1])).content.decode()
    assert ("((changeSet.isUpdate() and not last_run(&quot;5 seconds&quot;)) or (changeSet.isCreate() and "
            "not last_run(&quot;30 seconds&quot;, null, order))) and (not changeSet.hasChangesWithSource(&quot;api&quot;) "
            "or (changeSet.hasChangesWithSource(&quot;api&quot;) and not "
            f"changeSet.hasChangedField(&#x27;custom_{ECHO_FIELD_CODE}&#x27;)))") in page
