"""The Chinese catalogue is complete, compiled, and in step with the source."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_message_is_translated():
    po = polib.pofile(str(PO))
    assert po.percent_translated() == 100, [e.msgid for e in po.untranslated_entries()]
    assert not po.fuzzy_entries()


def test_compiled_catalogue_matches_the_source():
    po = polib.pofile(str(PO))
    mo = polib.mofile(str(PO.with_suffix(".mo")))
    compiled = {(e.msgid, e.msgstr) for e in mo}
    for entry in po.translated_entries():
        if not entry.msgid_plural:
            assert (entry.msgid, entry.msgstr) in compiled, f"recompile: {entry.msgid!r}"


def test_catalogue_has_every_string_in_the_code(tmp_path: Path):
    """makemessages over the code finds nothing the catalogue lacks."""
    work = tmp_path / "src"
    shutil.copytree(
        settings.BASE_DIR,
        work,
        ignore=shutil.ignore_patterns(
            ".venv", "node_modules", "var", ".git", "*.mo", "__pycache__"
        ),
    )
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-obsolete",
            "--ignore=.venv",
            "--ignore=node_modules",
            "--ignore=var",
        ],
        cwd=work,
        check=True,
        capture_output=True,
        timeout=300,
    )
    fresh = {e.msgid for e in polib.pofile(str(work / "locale/zh_Hans/LC_MESSAGES/django.po"))}
    ours = {e.msgid for e in polib.pofile(str(PO))}
    assert fresh - ours == set(), "run makemessages and translate the new strings"
