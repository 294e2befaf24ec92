"""Findings 9, 10, 14: upload limits (size, unpacked size, rows) with a zip bomb, formula escaping
on export, Windows-1251 CSV from Russian Excel — all through the admin's import and export views."""

import io
import json
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import Product, ProductGroup
from tests.catalog_io.conftest import FORMATS, import_file, to_bytes, upload
from tests.catalog_io.files import PRODUCTS

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://x","y")'


def _form_errors(response) -> str:
    return " ".join(str(error) for error in response.context["form"].errors.get("import_file", []))


def _zip_bomb(padding_bytes: int) -> bytes:
    """A real workbook whose sheet XML is padded with whitespace: a few KB packed, huge unpacked."""
    book = openpyxl.Workbook()
    book.active.append(PRODUCTS[0])
    book.active.append(PRODUCTS[1])
    plain = io.BytesIO()
    book.save(plain)
    bomb = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                head, tail = data.rsplit(b"</worksheet>", 1)
                with target.open(member.filename, "w") as out:
                    out.write(head)
                    chunk = b" " * (1024 * 1024)
                    for _ in range(padding_bytes // len(chunk)):
                        out.write(chunk)
                    out.write(b"</worksheet>" + tail)
            else:
                target.writestr(member, data)
    return bomb.getvalue()


def test_a_zip_bomb_is_refused_unread_with_a_clear_message(admin_client, references, settings):
    settings.CATALOG_IMPORT_MAX_UNPACKED_BYTES = 8 * 1024 * 1024
    bomb = _zip_bomb(64 * 1024 * 1024)
    assert len(bomb) < 200 * 1024  # packed, it passes any upload-size limit

    response = upload(admin_client, "product", bomb, "xlsx")
    assert response.status_code == 200
    assert "would unpack to" in _form_errors(response) and "refused unread" in _form_errors(response)
    assert response.context.get("confirm_form") is None and not Product.objects.exists()


def test_the_default_unpacked_limit_is_far_below_what_a_small_upload_can_expand_to(admin_client, references):
    bomb = _zip_bomb(256 * 1024 * 1024)
    response = upload(admin_client, "product", bomb, "xlsx")
    assert "would unpack to" in _form_errors(response)


def test_too_large_an_upload_is_refused_before_it_is_read(admin_client, references, settings):
    settings.CATALOG_IMPORT_MAX_BYTES = 2048
    rows = PRODUCTS + [[f"BIG-{n}", "", "Product " + "x" * 40, "goods", "dairy", "pc", "20", "", "", ""] for n in range(60)]
    response = upload(admin_client, "product", to_bytes(rows), "csv")
    assert "at most 2.0\xa0KB can be imported" in _form_errors(response)
    assert not Product.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_too_many_rows_are_refused(admin_client, references, settings, fmt):
    settings.CATALOG_IMPORT_MAX_ROWS = 3
    response = upload(admin_client, "productgroup", to_bytes([["code", "name", "parent"]] + [
        [f"g{n}", f"Group {n}", ""] for n in range(4)], fmt), fmt)
    assert "more than 3 rows" in _form_errors(response)
    import_file(admin_client, "productgroup", to_bytes([["code", "name", "parent"], ["g1", "Group 1", ""]], fmt), fmt)
    assert ProductGroup.objects.count() == 1


def test_a_settings_file_larger_than_the_limit_is_refused(admin_client, settings):
    settings.SETTINGS_FILE_MAX_BYTES = 1024
    data = json.dumps({"settings": {"order_number_prefix": "x" * 4096}}).encode()
    response = admin_client.post(reverse("admin:integration_crmsettings_import"),
                                 {"file": SimpleUploadedFile("settings.json", data)})
    assert response.status_code == 200
    assert "at most 1.0\xa0KB" in " ".join(response.context["form"].errors["file"])


def _product_named(name: str) -> Product:
    group = ProductGroup.objects.create(code="g", name="Group")
    return Product.objects.create(code="F-1", name=name, article="+79001234567", group=group)


def _export(client, model: str, fmt: str) -> bytes:
    url = reverse(f"admin:catalog_{model}_export")
    form = client.get(url).context["form"]
    data = {name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)}
    response = client.post(url, {**data, "format": FORMATS[fmt], "resource": "0"})
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_csv_export_escapes_formulas_and_imports_back_unchanged(admin_client, references):
    _product_named(FORMULA)
    content = _export(admin_client, "product", "csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in content and ",=HYPERLINK" not in content and '"=HYPERLINK' not in content
    assert "'+79001234567" in content

    Product.objects.all().delete()
    import_file(admin_client, "product", content.encode("utf-8"), "csv")
    product = Product.objects.get(code="F-1")
    assert (product.name, product.article) == (FORMULA, "+79001234567")


def test_xlsx_export_writes_no_live_formula(admin_client, references):
    _product_named(FORMULA)
    content = _export(admin_client, "product", "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    headers = [cell.value for cell in sheet[1]]
    name = sheet.cell(row=2, column=headers.index("name") + 1)
    assert name.data_type == "s" and name.value == "'" + FORMULA
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")

    Product.objects.all().delete()
    import_file(admin_client, "product", content, "xlsx")
    assert Product.objects.get(code="F-1").name == FORMULA


def test_windows_1251_csv_from_russian_excel_imports(admin_client, references):
    ProductGroup.objects.create(code="dairy", name="Молочное")
    text = ("code;article;name;kind;group;unit;vat_rate\r\n"
            "RU-1;A-1;Молоко «Домик в деревне» 1 л;goods;dairy;pc;10\r\n"
            "RU-2;A-2;Кефир жирный;goods;dairy;pc;10\r\n")
    import_file(admin_client, "product", text.encode("cp1251"), "csv")
    assert sorted(Product.objects.values_list("name", flat=True)) == ["Кефир жирный", "Молоко «Домик в деревне» 1 л"]


def test_a_csv_in_another_encoding_says_what_to_choose(admin_client, references):
    response = upload(admin_client, "product", "code,name\r\nX-1,Молоко\r\n".encode("cp1251").replace(b"\xcc", b"\x98"),
                      "csv")
    assert "CSV UTF-8" in _form_errors(response)
