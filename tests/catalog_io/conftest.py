"""Admin import/export helpers: upload a file, confirm it, download an export — as a person would."""

import io

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import PriceType, Unit, Warehouse

FORMATS = {"csv": "0", "xlsx": "1"}  # positions in the admin's format list (CSV, XLSX)


@pytest.fixture
def references(db):
    """Reference data the catalog files point at by code (not imported by these files)."""
    Unit.objects.create(code="pc", name="Piece", symbol="pc")
    for code in ("retail", "wholesale", "purchase"):
        PriceType.objects.create(code=code, name=code.title())
    for code in ("main", "north", "shop"):
        Warehouse.objects.create(code=code, name=code.title())


def to_bytes(rows: list[list], fmt: str = "csv") -> bytes:
    dataset = tablib.Dataset(*rows[1:], headers=rows[0])
    data = dataset.export(fmt)
    return data.encode() if isinstance(data, str) else data


def upload(client, model: str, content: bytes, fmt: str = "csv"):
    """The first step: upload and preview (a dry run). Returns the preview response."""
    url = reverse(f"admin:catalog_{model}_import")
    upload_file = SimpleUploadedFile(f"{model}.{fmt}", content)
    return client.post(url, {"format": FORMATS[fmt], "resource": "0", "import_file": upload_file})


def confirm(client, model: str, preview):
    form = preview.context["confirm_form"]
    data = {name: form.initial.get(name, field.initial) for name, field in form.fields.items()}
    return client.post(reverse(f"admin:catalog_{model}_process_import"), data)


def import_file(client, model: str, content: bytes, fmt: str = "csv"):
    """Both steps; fails the test with the preview's errors if the file does not validate."""
    preview = upload(client, model, content, fmt)
    assert preview.status_code == 200
    result = preview.context["result"]
    assert result is not None and not result.has_errors() and not result.has_validation_errors(), (
        [(row.number, row.error_dict) for row in result.invalid_rows],
        [(line, [str(e.error) for e in errors]) for line, errors in result.row_errors()],
        [str(e.error) for e in result.base_errors],
    )
    done = confirm(client, model, preview)
    assert done.status_code == 302, done.content.decode()[:2000]
    return result


def export_file(client, model: str, fmt: str = "csv", query: str = "") -> tablib.Dataset:
    """The changelist's Export button; ``query`` carries the changelist's filters and ordering."""
    url = reverse(f"admin:catalog_{model}_export") + query
    form = client.get(url).context["form"]
    data = {name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)}
    data.update(format=FORMATS[fmt], resource="0")
    response = client.post(url, data)
    assert response.status_code == 200, response.content.decode()[:2000]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "csv":
        return tablib.Dataset().load(content.decode("utf-8-sig"), format="csv")
    return tablib.Dataset().load(io.BytesIO(content), format="xlsx")
