"""The Japanese catalogue is complete and compiled: every marked string translated (not fuzzy),
the committed .mo says exactly what its .po says, and makemessages finds no string missing.

Other engineers add strings in parallel; `make messages` gathers them, and this test fails until
they are translated and compiled. Only pure Python (polib) reads the files, so the check works
without msgfmt; finding new strings needs xgettext (Debian's gettext, installed by
tests/setup_services.sh), as makemessages always does.
"""

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
CATALOGUES = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))
# What makemessages must not read: the virtualenv, runtime files, tests and the bench.
IGNORE = [".venv", "var", "tests", "bench", "node_modules"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{\{\s*(\w+)\s*\}\}")


def _translations(entries) -> dict[tuple[str | None, str], tuple[str, ...]]:
    """(context, msgid) -> translations, for a .po or a .mo alike."""
    table = {}
    for entry in entries:
        if not entry.msgid or entry.obsolete or "fuzzy" in entry.flags:
            continue
        if entry.msgid_plural:
            strings = tuple(entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural))
        else:
            strings = (entry.msgstr,)
        if any(strings):
            table[(entry.msgctxt, entry.msgid)] = strings
    return table


def test_there_is_a_japanese_catalogue():
    assert LOCALE_DIR / "ja" / "LC_MESSAGES" / "django.po" in CATALOGUES


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda path: str(path.relative_to(LOCALE_DIR)))
def test_every_entry_is_translated_and_not_fuzzy(po_path):
    catalogue = polib.pofile(str(po_path))
    assert not catalogue.metadata_is_fuzzy, "the header is marked fuzzy: msgfmt would drop its Plural-Forms"
    assert catalogue.metadata.get("Plural-Forms"), "the header needs Plural-Forms"
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not untranslated, f"untranslated in {po_path.name} (translate them, then `make messages`): {untranslated}"
    assert not fuzzy, f"fuzzy in {po_path.name} (check the translation, remove the flag): {fuzzy}"


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda path: str(path.relative_to(LOCALE_DIR)))
def test_translations_keep_their_placeholders(po_path):
    """A translation that drops or renames %(name)s breaks at run time, not here; catch it here."""
    wrong = []
    for (_context, msgid), strings in _translations(polib.pofile(str(po_path))).items():
        expected = {"".join(names) for names in PLACEHOLDER.findall(msgid)}
        for translation in strings:
            if {"".join(names) for names in PLACEHOLDER.findall(translation)} != expected:
                wrong.append((msgid, translation))
    assert not wrong


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda path: str(path.relative_to(LOCALE_DIR)))
def test_committed_mo_matches_its_po(po_path):
    """The .mo is committed (a fresh clone needs no msgfmt) and must say what the .po says; file
    times mean nothing after a clone, so the contents are compared."""
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path.name} is missing: run `make messages` and commit it"
    po_table = _translations(polib.pofile(str(po_path)))
    mo_table = _translations(polib.mofile(str(mo_path)))
    stale = {key: (po_table.get(key), mo_table.get(key)) for key in po_table.keys() | mo_table.keys()}
    stale = {key: pair for key, pair in stale.items() if pair[0] != pair[1]}
    assert not stale, f"{mo_path.name} differs from {po_path.name}: run `make messages` and commit both: {stale}"
    mo_header = polib.mofile(str(mo_path)).metadata
    assert mo_header.get("Plural-Forms") == polib.pofile(str(po_path)).metadata.get("Plural-Forms")


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_makemessages_finds_nothing_missing(domain, tmp_path, monkeypatch, settings):
    """Run makemessages into a copy of locale/ and compare the msgids with the committed catalogue."""
    if not shutil.which("xgettext"):
        pytest.fail("xgettext is missing: install gettext (tests/setup_services.sh does) to check the catalogue")
    # makemessages writes to the locale/ beside the files it reads, so it reads a copy of the sources.
    source = tmp_path / "source"
    shutil.copytree(settings.BASE_DIR, source, ignore=shutil.ignore_patterns(*IGNORE, ".git", "__pycache__"))
    copy = source / "locale"
    settings.LOCALE_PATHS = [copy]
    monkeypatch.chdir(source)
    call_command("makemessages", locale=["ja"], domain=domain, ignore_patterns=IGNORE, no_obsolete=True, verbosity=0)
    committed_path = LOCALE_DIR / "ja" / "LC_MESSAGES" / f"{domain}.po"
    fresh_path = copy / "ja" / "LC_MESSAGES" / f"{domain}.po"

    def msgids(path: Path) -> set[tuple[str | None, str]]:
        return (
            {(entry.msgctxt, entry.msgid) for entry in polib.pofile(str(path)) if not entry.obsolete}
            if path.exists()
            else set()
        )

    fresh, committed = msgids(fresh_path), msgids(committed_path)
    assert not fresh - committed, (
        f"marked but not in the catalogue (run `make messages`, translate): {fresh - committed}"
    )
    assert not committed - fresh, f"in the catalogue but no longer marked (run `make messages`): {committed - fresh}"
