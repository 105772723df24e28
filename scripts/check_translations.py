"""CI check of the kk and ru message catalogues: counts untranslated, fuzzy and broken entries.

Run after `manage.py makemessages -l kk -l ru` so every marked string is in the catalogues.
An entry is broken when its translation drops or adds a %-placeholder of the English source
(a control message without its numbers, say). Prints the counts per language and exits 1 when any
count is not zero; `-v` lists the offending msgids.
"""

import re
import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ("kk", "ru")
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc%]|\{[A-Za-z_][A-Za-z0-9_]*\}")


def placeholders(text, python_format):
    found = PLACEHOLDER.findall(text)
    if not python_format:
        found = [p for p in found if p.startswith("{")]
    return sorted(p for p in found if p != "%%")


def check(language, locale=LOCALE):
    path = Path(locale) / language / "LC_MESSAGES" / "django.po"
    if not path.exists():
        return {"untranslated": ["(no catalogue)"], "fuzzy": [], "broken": []}, 0
    catalogue = polib.pofile(str(path))
    problems = {"untranslated": [], "fuzzy": [], "broken": []}
    total = 0
    for entry in catalogue:
        if entry.obsolete:
            continue
        total += 1
        if "fuzzy" in entry.flags:
            problems["fuzzy"].append(entry.msgid)
        python_format = "python-format" in entry.flags
        if entry.msgid_plural:
            forms = list(entry.msgstr_plural.values())
            if not forms or not all(forms):
                problems["untranslated"].append(entry.msgid)
                continue
            # A plural form may leave the number out ("one candidate"), never a named value.
            wanted = {p for p in placeholders(entry.msgid_plural, python_format) if p.startswith("%(")}
            if any(not wanted <= set(placeholders(form, python_format)) for form in forms):
                problems["broken"].append(entry.msgid)
        else:
            if not entry.msgstr:
                problems["untranslated"].append(entry.msgid)
                continue
            if placeholders(entry.msgid, python_format) != placeholders(entry.msgstr, python_format):
                problems["broken"].append(entry.msgid)
    return problems, total


def main(argv, locale=LOCALE):
    verbose = "-v" in argv
    failed = False
    for language in LANGUAGES:
        problems, total = check(language, locale)
        counts = ", ".join(f"{len(ids)} {kind}" for kind, ids in problems.items())
        print(f"{language}: {total} strings, {counts}")
        for kind, ids in problems.items():
            failed = failed or bool(ids)
            if verbose:
                for msgid in ids:
                    print(f"  {kind}: {msgid!r}")
    if failed:
        print("Translate every entry (locale/<lang>/LC_MESSAGES/django.po) and remove the fuzzy flags.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
