"""The Chinese catalogue is complete: every UI string in the code and templates has a
translation. Extraction needs GNU gettext (CI installs it)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib

from tests.conftest import need

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
SOURCES = [
    "config",
    "core",
    "registry",
    "adjustments",
    "complaints",
    "inspections",
    "decisions",
    "accountability",
    "templates",
]


def test_committed_catalogue_has_no_gaps():
    catalogue = polib.pofile(str(CATALOGUE))
    assert not catalogue.untranslated_entries()
    assert not catalogue.fuzzy_entries()


def test_every_ui_string_is_in_the_catalogue(tmp_path):
    need(shutil.which("xgettext") is not None, "GNU gettext (xgettext) is not installed")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    shutil.copytree(ROOT / "locale", tmp_path / "locale")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete"],
        cwd=tmp_path,
        # The test settings add test-only apps that are not copied; extraction needs none.
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local"},
        check=True,
        capture_output=True,
    )
    extracted = polib.pofile(str(tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    missing = [entry.msgid for entry in extracted.untranslated_entries()]
    missing += [entry.msgid for entry in extracted.fuzzy_entries()]
    assert missing == [], f"untranslated UI strings (run `make messages` and translate): {missing}"
