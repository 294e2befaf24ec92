import pytest
from django.urls import reverse

from integration.models import CrmSettings


@pytest.fixture(autouse=True)
def icml_dir(settings, tmp_path):
    """Each test has its own catalog folder, with a private file beside it that must never be served."""
    settings.ICML_DIR = tmp_path / "var" / "icml"
    return settings.ICML_DIR


def settings_form_data(client, **changes) -> dict:
    """What the settings page posts back unchanged, with ``changes`` applied."""
    url = reverse("admin:integration_crmsettings_change", args=[1])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and not isinstance(value, list)}
    data.update({"api_key": "", "webhook_token": "", "webhook_basic_password": ""})
    for name in ("taxation", "offer_id_field", "product_id_source"):
        data[name] = form.initial[name]
    data.update(changes)
    return data


def post_settings(client, **changes):
    url = reverse("admin:integration_crmsettings_change", args=[1])
    return client.post(url, settings_form_data(client, **changes))


def form_errors(response) -> dict:
    assert response.status_code == 200, "the form was saved"
    return {name: " ".join(errors) for name, errors in response.context["adminform"].form.errors.items()}


def upload_settings_file(client, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(reverse("admin:integration_crmsettings_import"),
                       {"file": SimpleUploadedFile("settings.json", content, "application/json")})


def exported_settings(client) -> dict:
    import json

    response = client.post(reverse("admin:integration_crmsettings_export"), {"include_secrets": "1"})
    return json.loads(response.content)


def settings_row() -> CrmSettings:
    return CrmSettings.objects.get()
