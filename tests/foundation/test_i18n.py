"""The Russian translation is complete, compiled, and chosen from the browser's language."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.urls import reverse

PO = Path(__file__).resolve().parents[2] / "locale" / "ru" / "LC_MESSAGES" / "django.po"


def _entries():
    """(msgid, plural, [msgstr…], fuzzy) for every entry of the .po file."""
    entries, current, field, fuzzy, context = [], None, None, False, None
    for line in PO.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        context_match = re.match(r'^msgctxt (".*")$', line)
        if context_match:
            context = ast.literal_eval(context_match.group(1))
            continue
        match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) (".*")$', line)
        if match:
            key, value = match.group(1), ast.literal_eval(match.group(2))
            if key == "msgid":
                current = {"msgid": value, "msgstr": {}, "fuzzy": fuzzy, "context": context}
                entries.append(current)
                fuzzy, context = False, None
            field = key
            if key.startswith("msgstr"):
                current["msgstr"][key] = value
            elif key == "msgid_plural":
                current["plural"] = value
        elif line.startswith('"') and current is not None:
            value = ast.literal_eval(line)
            if field.startswith("msgstr"):
                current["msgstr"][field] += value
            elif field == "msgid_plural":
                current["plural"] += value
            else:
                current["msgid"] += value
    return [entry for entry in entries if entry["msgid"]]


def test_every_string_has_a_russian_translation():
    entries = _entries()
    assert len(entries) > 300
    missing = [entry["msgid"] for entry in entries if not all(entry["msgstr"].values())]
    fuzzy = [entry["msgid"] for entry in entries if entry["fuzzy"]]
    assert missing == [] and fuzzy == []


def test_the_compiled_catalog_matches_the_source():
    catalog = gettext.GNUTranslations(open(PO.with_suffix(".mo"), "rb"))
    stale = [
        entry["msgid"] for entry in _entries()
        if "plural" not in entry and (catalog.pgettext(entry["context"], entry["msgid"]) if entry["context"]
                                      else catalog.gettext(entry["msgid"])) != entry["msgstr"]["msgstr"]
    ]
    assert stale == [], "run `make messages` after translating"


@pytest.mark.django_db
def test_the_admin_speaks_russian_to_a_russian_browser(admin_client):
    page = admin_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Каталог" in page and "Заказ" in page
    english = admin_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Catalog" in english
