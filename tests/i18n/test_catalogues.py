"""The kk and ru catalogues: complete, no fuzzy entry, placeholders kept, plural forms, and the CI checker."""

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.utils import translation

from scripts import check_translations

LOCALE = Path(__file__).resolve().parents[2] / "locale"


def catalogue(language):
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_committed_catalogue_has_no_untranslated_fuzzy_or_broken_entry(language):
    problems, total = check_translations.check(language)
    assert total > 800
    assert problems == {"untranslated": [], "fuzzy": [], "broken": []}


@pytest.mark.parametrize(("language", "nplurals"), [("kk", 2), ("ru", 3)])
def test_plural_forms(language, nplurals):
    po = catalogue(language)
    assert f"nplurals={nplurals};" in po.metadata["Plural-Forms"]
    plural_entries = [e for e in po if e.msgid_plural]
    assert plural_entries
    assert all(len(e.msgstr_plural) == nplurals for e in plural_entries)


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_translations_are_not_copies_of_the_english(language):
    """A few identical strings are legitimate (codes, formulas, the product name); copies are not."""
    po = catalogue(language)
    words = re.compile(r"[A-Za-z]{4,}")
    placeholder = re.compile(r"%\([a-z_]+\)[sd]")
    copies = [
        e.msgid for e in po if not e.msgid_plural and e.msgstr == e.msgid and words.search(placeholder.sub("", e.msgid))
    ]
    assert set(copies) <= {"electadmin"}
    cyrillic = re.compile("[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]")
    prose = [e for e in po if not e.msgid_plural and len(e.msgid) > 20 and " " in e.msgid]
    assert all(cyrillic.search(e.msgstr) for e in prose)


def test_kazakh_uses_kazakh_letters_and_russian_does_not():
    kk_text = " ".join(e.msgstr for e in catalogue("kk"))
    ru_text = " ".join(e.msgstr for e in catalogue("ru"))
    assert all(letter in kk_text for letter in "әғқңөұүі")
    assert not any(letter in ru_text for letter in "әғқңөұүһі")


def write_po(tmp_path, language, entries):
    directory = tmp_path / language / "LC_MESSAGES"
    directory.mkdir(parents=True)
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    for entry in entries:
        po.append(entry)
    po.save(str(directory / "django.po"))


def test_checker_counts_untranslated_fuzzy_and_broken_entries_and_fails(tmp_path, capsys):
    write_po(
        tmp_path,
        "kk",
        [
            polib.POEntry(msgid="Protocol", msgstr="Хаттама"),
            polib.POEntry(msgid="Station", msgstr=""),
            polib.POEntry(msgid="Turnout", msgstr="Сайлауға қатысу", flags=["fuzzy"]),
            polib.POEntry(msgid="R = %(R)s", msgstr="R =", flags=["python-format"]),
            polib.POEntry(msgid="%(n)d token", msgid_plural="%(n)d tokens", msgstr_plural={0: "%(n)d токен", 1: ""}),
        ],
    )
    write_po(tmp_path, "ru", [polib.POEntry(msgid="Protocol", msgstr="Протокол")])
    assert check_translations.main([], locale=tmp_path) == 1
    out = capsys.readouterr().out
    assert "kk: 5 strings, 2 untranslated, 1 fuzzy, 1 broken" in out
    assert "ru: 1 strings, 0 untranslated, 0 fuzzy, 0 broken" in out


def test_checker_passes_complete_catalogues(tmp_path, capsys):
    for language in ("kk", "ru"):
        shutil.copytree(LOCALE / language, tmp_path / language)
    # packages={}: the project's catalogues only (tests/i18n/test_vendor_catalogues.py checks locale_vendor).
    assert check_translations.main([], locale=tmp_path, packages={}) == 0
    assert "0 untranslated, 0 fuzzy, 0 broken" in capsys.readouterr().out


def test_checker_fails_when_a_language_has_no_catalogue(tmp_path):
    write_po(tmp_path, "ru", [polib.POEntry(msgid="Protocol", msgstr="Протокол")])
    assert check_translations.main([], locale=tmp_path) == 1


@pytest.mark.parametrize(
    ("language", "expected"),
    [("kk", "Сайлау учаскесі"), ("ru", "Избирательный участок"), ("en", "Polling station")],
)
def test_the_compiled_catalogues_are_used(language, expected):
    """`make test` compiles the catalogues first; without the .mo files this fails."""
    with translation.override(language):
        assert translation.gettext("Polling station") == expected
