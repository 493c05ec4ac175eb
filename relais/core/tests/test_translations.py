"""French is the default language and English is complete: every string has its translation."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"
ROOT = LOCALE.parents[1]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_catalogue_is_complete_and_compiled(language):
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    mo = polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))
    compiled = {(e.msgid, e.msgstr) for e in mo if not e.msgid_plural}
    assert {(e.msgid, e.msgstr) for e in po if not e.msgid_plural and not e.obsolete} <= compiled


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext (xgettext) is not installed")
def test_every_string_of_the_code_is_in_the_catalogue(tmp_path):
    """makemessages on a copy of the code finds no string the committed catalogue lacks."""
    copy = tmp_path / "relais"
    shutil.copytree(ROOT / "relais", copy, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    shutil.copy(ROOT / "manage.py", tmp_path)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-location"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    found = {e.msgid for e in polib.pofile(str(copy / "locale/fr/LC_MESSAGES/django.po"))}
    committed = {e.msgid for e in polib.pofile(str(LOCALE / "fr/LC_MESSAGES/django.po"))}
    assert found - committed == set(), "run `make messages` and translate the new strings"
