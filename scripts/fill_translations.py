"""Fill the project's kk and ru message catalogues from authored dictionaries (a translator's helper).

Usage: python scripts/fill_translations.py BATCH.py [BATCH.py ...]

A batch is a Python file defining KK and/or RU: {msgid: msgstr} for plain entries and
{msgid: [form0, form1, ...]} for plural ones (ru: 3 forms, kk: 2); a key may be a (msgctxt, msgid)
pair for an entry with a translation context (pgettext). A filled entry loses its fuzzy
flag. Entries not in the catalogue are listed (a typo in a msgid, or a string since removed), never
added: the catalogue's msgids come from makemessages only.
"""

import runpy
import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale"
PLURAL_FORMS = {
    "ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "kk": "nplurals=2; plural=(n!=1);",
}
LANGUAGE_TEAM = {"ru": "Russian", "kk": "Kazakh"}


def fill(language, translations):
    path = LOCALE / language / "LC_MESSAGES" / "django.po"
    catalogue = polib.pofile(str(path), wrapwidth=79)
    catalogue.metadata["Plural-Forms"] = PLURAL_FORMS[language]
    catalogue.metadata["Language"] = language
    catalogue.metadata["Language-Team"] = LANGUAGE_TEAM[language]
    catalogue.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    nplurals = int(PLURAL_FORMS[language].split("=")[1].split(";")[0])
    by_id = {
        (entry.msgctxt, entry.msgid) if entry.msgctxt else entry.msgid: entry
        for entry in catalogue
        if not entry.obsolete
    }
    unknown, filled = [], 0
    for msgid, text in translations.items():
        entry = by_id.get(msgid)
        if entry is None:
            unknown.append(msgid)
            continue
        if entry.msgid_plural:
            forms = [text] * nplurals if isinstance(text, str) else list(text)
            if len(forms) != nplurals:
                raise SystemExit(f"{language}: {msgid!r} needs {nplurals} plural forms, got {len(forms)}")
            entry.msgstr_plural = dict(enumerate(forms))
        else:
            if not isinstance(text, str):
                raise SystemExit(f"{language}: {msgid!r} is not a plural entry")
            entry.msgstr = text
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgctxt = None
        entry.previous_msgid = None
        entry.previous_msgid_plural = None
        filled += 1
    catalogue.save(str(path))
    return filled, unknown


def main(paths):
    for batch in paths:
        names = runpy.run_path(batch)
        for language in ("kk", "ru"):
            translations = names.get(language.upper())
            if not translations:
                continue
            filled, unknown = fill(language, translations)
            print(f"{batch}: {language}: {filled} filled, {len(unknown)} not in the catalogue")
            for msgid in unknown:
                print(f"  ? {msgid!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
