"""Catalog files in and out of the admin, safely (issue 13, findings 9, 10, 14).

Reading: an upload is refused before it is parsed when it is too large, when an XLSX would
unpack to more than the limit (a zip bomb: the members' declared sizes are checked before
openpyxl opens anything) or when it has too many rows. A CSV may be UTF-8 (with or without BOM)
or Windows-1251 (Russian Excel's "CSV"), separated by commas or semicolons.

Writing: text cells starting with ``=``, ``+``, ``-``, ``@``, tab or CR get a leading ``'``, so
neither Excel nor LibreOffice runs them as formulas (OWASP "CSV injection"), and openpyxl never
writes them as live formulas. Reading strips that one ``'`` again, so an exported file imports
unchanged.
"""

import csv
import io
import zipfile
from decimal import Decimal, InvalidOperation

import tablib
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from import_export.formats.base_formats import CSV, XLSX

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


def max_upload_bytes() -> int:
    return getattr(settings, "CATALOG_IMPORT_MAX_BYTES", 20 * 1024 * 1024)


def max_unpacked_bytes() -> int:
    return getattr(settings, "CATALOG_IMPORT_MAX_UNPACKED_BYTES", 200 * 1024 * 1024)


def max_rows() -> int:
    return getattr(settings, "CATALOG_IMPORT_MAX_ROWS", 200_000)


class CatalogFileRefused(ValueError):
    """The file is not read at all; the message says why and what to do."""


def check_upload_size(size: int) -> None:
    if size > max_upload_bytes():
        raise CatalogFileRefused(_("The file is %(size)s; at most %(limit)s can be imported at once. "
                                   "Split it into several files.") % {
            "size": filesizeformat(size), "limit": filesizeformat(max_upload_bytes())})


def _too_many_rows() -> CatalogFileRefused:
    return CatalogFileRefused(_("The file has more than %(limit)d rows; split it into several files.") % {
        "limit": max_rows()})


def _is_negative_number(text: str) -> bool:
    if not text.startswith("-"):
        return False
    try:
        return Decimal(text.replace(",", ".")).is_finite()
    except InvalidOperation:
        return False


def escape_formula(value):
    """A text cell a spreadsheet would run as a formula, made plain text (a negative number like -5 stays one)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _is_negative_number(value):
        return ESCAPE + value
    return value


def unescape_formula(value):
    if isinstance(value, str) and value.startswith(ESCAPE) and value[1:2] and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def escaped_dataset(dataset: tablib.Dataset) -> tablib.Dataset:
    escaped = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        escaped.append([escape_formula(value) for value in row])
    return escaped


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1251; anything else gets a message saying what to choose."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251")
    except UnicodeDecodeError:
        raise CatalogFileRefused(_("The file is neither UTF-8 nor Windows-1251 text. In Excel choose "
                                   "“Save as” → “CSV UTF-8 (comma delimited)”, or upload it as XLSX.")) from None


class CheckedCSV(CSV):
    """CSV for import: read as bytes, the encoding and the separator found by us."""

    def get_read_mode(self):
        return "rb"

    def is_binary(self):
        return True  # we decode (UTF-8 or Windows-1251), not import-export with one fixed encoding

    def create_dataset(self, in_stream, **kwargs):
        data = in_stream if isinstance(in_stream, bytes) else in_stream.encode("utf-8")
        check_upload_size(len(data))
        text = decode_csv(data)
        if text.count("\n") > max_rows() + 1:
            raise _too_many_rows()
        first_line = text.split("\n", 1)[0]
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","  # Russian Excel writes ";"
        dataset = tablib.Dataset()
        rows = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if row]
        if not rows:
            return dataset
        dataset.headers = rows[0]
        width = len(rows[0])
        for row in rows[1:]:
            dataset.append([unescape_formula(cell) for cell in (row + [""] * width)[:width]])
        return dataset


class CheckedXLSX(XLSX):
    """XLSX for import: sizes and rows checked before and while openpyxl reads."""

    def create_dataset(self, in_stream):
        check_upload_size(len(in_stream))
        try:
            with zipfile.ZipFile(io.BytesIO(in_stream)) as archive:
                unpacked = sum(member.file_size for member in archive.infolist())
        except zipfile.BadZipFile:
            raise CatalogFileRefused(_("This is not an XLSX file (Excel 2007 or newer). Choose the file's real "
                                       "format, or save it again as XLSX.")) from None
        if unpacked > max_unpacked_bytes():
            raise CatalogFileRefused(_("The file would unpack to %(size)s, more than the %(limit)s allowed; it is "
                                       "refused unread. Save the sheet again without extra data, or split it.") % {
                "size": filesizeformat(unpacked), "limit": filesizeformat(max_unpacked_bytes())})

        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(in_stream), read_only=True, data_only=True)
        try:
            rows = book.active.iter_rows(values_only=True)
            dataset = tablib.Dataset()
            try:
                dataset.headers = list(next(rows))
            except StopIteration:
                return dataset
            width = len(dataset.headers)
            for number, row in enumerate(rows, start=1):
                if number > max_rows():
                    raise _too_many_rows()
                if all(value is None for value in row):
                    continue
                dataset.append([unescape_formula(value) for value in (list(row) + [None] * width)[:width]])
            return dataset
        finally:
            book.close()
