"""Every string the code marks for translation is in locale/ru and translated (what `make messages` would find).

makemessages runs on a scratch copy: a temporary directory with links to the project's source
folders and a copy of locale/, so the repository's .po is never rewritten by the test.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
NOT_SCANNED = {".git", ".venv", "var", "sandbox", "locale", ".ci", "bench", "node_modules", "__pycache__"}


def _msgattrib(po: Path, *flags: str) -> list[str]:
    """The msgids ``msgattrib`` selects with ``flags`` (untranslated, fuzzy, obsolete)."""
    out = subprocess.run(["msgattrib", *flags, "--no-wrap", str(po)], capture_output=True, text=True, check=True).stdout
    return [line[len('msgid "'):-1] for line in out.splitlines()
            if line.startswith('msgid "') and line != 'msgid ""'] + \
           [line[len('#~ msgid "'):-1] for line in out.splitlines() if line.startswith('#~ msgid "')]


@pytest.fixture
def scratch_locale(tmp_path):
    if not shutil.which("xgettext") or not shutil.which("msgattrib"):
        pytest.fail("GNU gettext is needed: apt-get install gettext (make test installs it)")
    for entry in ROOT.iterdir():
        if entry.name not in NOT_SCANNED and not entry.name.startswith("."):
            (tmp_path / entry.name).symlink_to(entry)
    shutil.copytree(ROOT / "locale", tmp_path / "locale")
    before = os.getcwd()
    os.chdir(tmp_path)
    try:
        with override_settings(LOCALE_PATHS=[str(tmp_path / "locale")]):
            call_command("makemessages", locale=["ru"], symlinks=True, ignore_patterns=[".venv", "var", "sandbox"],
                         verbosity=0)
    finally:
        os.chdir(before)
    return tmp_path / "locale" / "ru" / "LC_MESSAGES" / "django.po"


def test_makemessages_finds_nothing_new_or_untranslated(scratch_locale):
    untranslated = _msgattrib(scratch_locale, "--untranslated", "--no-obsolete")
    fuzzy = _msgattrib(scratch_locale, "--only-fuzzy", "--no-obsolete")
    assert untranslated == [], "strings in the code without Russian in locale/ru: run `make messages` and translate"
    assert fuzzy == [], "fuzzy (guessed) translations: check them and drop the fuzzy mark"


def test_the_repository_po_holds_no_obsolete_entries():
    obsolete = _msgattrib(ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.po", "--only-obsolete")
    assert obsolete == []


@pytest.fixture
def repository_po_before():
    po = ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.po"
    return po, po.read_bytes()


def test_the_scratch_run_leaves_the_repository_po_untouched(repository_po_before, scratch_locale):
    po, before = repository_po_before
    assert po.read_bytes() == before
    assert scratch_locale.read_bytes() != b""
