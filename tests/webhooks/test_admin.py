"""E7: operators read the webhook log in the admin."""

import pytest
from django.urls import reverse

from integration.models import WebhookRequest
from tests.webhooks.conftest import SOAP_TYPE, soap_envelope, token_url

FORM = "application/x-www-form-urlencoded"


@pytest.mark.django_db(transaction=True)
def test_the_webhook_log_lists_filters_and_searches(admin_client, post):
    post(soap_envelope(1234), SOAP_TYPE)
    post("id=abc", FORM)
    post("id=5678", FORM, url=token_url("wrong-token"))
    url = reverse("admin:integration_webhookrequest_changelist")

    page = admin_client.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert "1234" in content and "id must be a positive whole number" in content and "wrong token" in content
    run_url = reverse("admin:integration_jobrun_change", args=[WebhookRequest.objects.get(order_crm_id=1234).run_id])
    assert run_url in content

    assert admin_client.get(url, {"status__exact": "rejected"}).context["cl"].result_count == 2
    assert admin_client.get(url, {"body_format__exact": "soap"}).context["cl"].result_count == 1
    assert admin_client.get(url, {"q": "1234"}).context["cl"].result_count == 1
    assert admin_client.get(url, {"q": "not-a-number"}).status_code == 200

    row = WebhookRequest.objects.get(order_crm_id=1234)
    detail = admin_client.get(reverse("admin:integration_webhookrequest_change", args=[row.pk]))
    assert detail.status_code == 200 and "EditOrder" in detail.content.decode()
    assert admin_client.get(reverse("admin:integration_webhookrequest_add")).status_code == 403
