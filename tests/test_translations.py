"""The ms and id catalogues are complete: run the very `make messages` extraction on
a copy of the project and fail, naming each msgid, when an entry would be missing,
untranslated or fuzzy in locale/ms or locale/id.

Needs GNU gettext (msgfmt, xgettext, msgmerge): skips without it on a developer
machine, fails under SHAREKPI_REQUIRE_SERVICES=1 (CI installs it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import missing_service

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("ms", "id")
# The same command as `make messages` (the translators run it too).
MAKEMESSAGES = [
    "makemessages",
    "-l", "ms",
    "-l", "id",
    "--no-obsolete",
    "--no-location",
    "-e", "html,txt,py",
    "-i", ".venv",
    "-i", "var",
    "-i", "tests",
    "-i", "bench",
    "-i", "staticfiles",
    "-i", "node_modules",
]  # fmt: skip
SKIPPED_DIRS = {".venv", "var", ".git", "staticfiles", "node_modules", "__pycache__"}
SKIPPED_DIRS |= {".pytest_cache", ".ruff_cache", "build"}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    for tool in ("xgettext", "msgmerge", "msguniq", "msgattrib"):
        if shutil.which(tool) is None:
            missing_service(f"GNU gettext is not installed ({tool}; apt-get install gettext)")
    if not all((ROOT / "locale" / language).is_dir() for language in LANGUAGES):
        pytest.fail("locale/ms and locale/id do not exist: run `make messages`", pytrace=False)
    copy = tmp_path_factory.mktemp("project") / "sharekpi"
    shutil.copytree(ROOT, copy, ignore=lambda _dir, names: [n for n in names if n in SKIPPED_DIRS])
    env = {**os.environ, "DJANGO_DEBUG": "on", "DJANGO_SETTINGS_MODULE": "sharekpi.settings"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", *MAKEMESSAGES],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return copy


@pytest.mark.catalogue
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_extracted_string_is_translated(extracted, language):
    po_file = extracted / "locale" / language / "LC_MESSAGES" / "django.po"
    missing = _incomplete(po_file.read_text(encoding="utf-8"))
    assert not missing, (
        f"{len(missing)} entries untranslated or fuzzy in locale/{language} "
        "(run `make messages` and translate them):\n" + "\n".join(missing)
    )


def _incomplete(text: str) -> list[str]:
    """Parse a .po file just enough: entries, their flags, msgctxt, msgid, msgstr[s]."""
    problems = []
    for block in text.split("\n\n"):
        lines = [line for line in block.strip().splitlines() if line]
        if not lines or all(line.startswith("#") for line in lines):
            continue
        if any(line.startswith("#~") for line in lines):
            continue  # obsolete (not with --no-obsolete, but harmless)
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        fields: dict[str, str] = {}
        current = None
        for line in lines:
            if line.startswith("#"):
                continue
            if line.startswith('"'):
                if current is not None:
                    fields[current] += _unquote(line)
                continue
            key, _, rest = line.partition(" ")
            current = key
            fields[current] = _unquote(rest)
        msgid = fields.get("msgid", "")
        if msgid == "":
            continue  # the header
        context = fields.get("msgctxt")
        name = f"{context}|{msgid}" if context is not None else msgid
        translations = [value for key, value in fields.items() if key.startswith("msgstr")]
        if fuzzy:
            problems.append(f"fuzzy: {name!r}")
        elif not translations or any(value == "" for value in translations):
            problems.append(f"untranslated: {name!r}")
    return problems


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    return text.encode("latin-1", "backslashreplace").decode("unicode_escape")


def test_the_parser_finds_untranslated_and_fuzzy_entries():
    sample = (
        'msgid ""\nmsgstr ""\n"Language: ms\\n"\n\n'
        'msgid "Log in"\nmsgstr "Log masuk"\n\n'
        'msgid "My KPI"\nmsgstr ""\n\n'
        '#, fuzzy, python-format\nmsgid "Hello %(name)s"\nmsgstr "Helo %(name)s"\n\n'
        'msgctxt "share status"\nmsgid "Removed"\nmsgstr ""\n\n'
        'msgid "one"\nmsgid_plural "many"\nmsgstr[0] "satu"\nmsgstr[1] ""\n\n'
        'msgid ""\n"Long "\n"line"\nmsgstr ""\n"Baris "\n"panjang"\n'
    )
    assert _incomplete(sample) == [
        "untranslated: 'My KPI'",
        "fuzzy: 'Hello %(name)s'",
        "untranslated: 'share status|Removed'",
        "untranslated: 'one'",
    ]
