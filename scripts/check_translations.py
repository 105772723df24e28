"""CI check of the message catalogues: counts untranslated, fuzzy and broken entries.

Run after `manage.py makemessages -l kk -l ru` so every marked string is in the project's catalogues
(locale/kk, locale/ru). Then, for each third-party package of scripts/vendor_catalogues.py (Django,
its admin, auth, contenttypes and sessions, DRF, django-filter, django-axes) and each of its domains,
it counts the Kazakh strings of the package's source that neither the package's own kk catalogue nor
locale_vendor/<package> translates, and the fuzzy or broken entries of locale_vendor.
An entry is broken when its translation drops or adds a %-placeholder of the English source
(a control message without its numbers, say). Prints the counts per catalogue and exits 1 when any
count is not zero; `-v` lists the offending msgids.
"""

import re
import sys
from pathlib import Path

import polib

if __package__:  # imported as scripts.check_translations (the tests)
    from scripts import vendor_catalogues
else:  # run as scripts/check_translations.py
    import vendor_catalogues

LOCALE = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ("kk", "ru")
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc%]|\{[A-Za-z_][A-Za-z0-9_]*\}")


def placeholders(text, python_format):
    found = PLACEHOLDER.findall(text)
    if not python_format:
        found = [p for p in found if p.startswith("{")]
    return sorted(p for p in found if p != "%%")


def entry_problem(entry):
    """ "untranslated", "fuzzy" or "broken" for an entry that needs work, None for a good one."""
    if entry.msgid_plural:
        forms = list(entry.msgstr_plural.values())
        if not forms or not all(forms):
            return "untranslated"
    elif not entry.msgstr:
        return "untranslated"
    # djangojs entries carry javascript-format: the same %-directives (django.views.i18n's interpolate).
    python_format = "python-format" in entry.flags or "javascript-format" in entry.flags
    if entry.msgid_plural:
        # A plural form may leave the number out ("one candidate"), never a named value.
        wanted = {p for p in placeholders(entry.msgid_plural, python_format) if p.startswith("%(")}
        if any(not wanted <= set(placeholders(form, python_format)) for form in forms):
            return "broken"
    elif placeholders(entry.msgid, python_format) != placeholders(entry.msgstr, python_format):
        return "broken"
    if "fuzzy" in entry.flags:
        return "fuzzy"
    return None


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
        # A fuzzy entry is counted as fuzzy even when it is also untranslated or broken.
        if "fuzzy" in entry.flags:
            problems["fuzzy"].append(entry.msgid)
        problem = entry_problem(entry)
        if problem in ("untranslated", "broken"):
            problems[problem].append(entry.msgid)
    return problems, total


def check_vendor(package, domain, locale=None, vendor=vendor_catalogues.VENDOR):
    """The Kazakh gaps of one third-party domain: source msgids translated neither by the package's own kk
    catalogue nor by locale_vendor/<package> (untranslated), and the vendor entries that are fuzzy or broken.
    Returns (problems, the number of source strings the package leaves to locale_vendor)."""
    if locale is None:
        locale = vendor_catalogues.package_locale(vendor_catalogues.PACKAGES[package][0])
    path = vendor_catalogues.vendor_path(package, domain, vendor)
    vendored = {}
    if path.exists():
        vendored = {vendor_catalogues.key(e): e for e in polib.pofile(str(path)) if not e.obsolete}
    source = vendor_catalogues.source_entries(locale, domain)
    cover = vendor_catalogues.to_cover(locale, domain)
    problems = {"untranslated": [], "fuzzy": [], "broken": []}
    for key in sorted(cover.keys() | (vendored.keys() & source.keys()), key=lambda k: (k[1], k[0] or "")):
        problem = entry_problem(vendored[key]) if key in vendored else "untranslated"
        if problem:
            problems[problem].append(key[1])
    return problems, len(cover)


def report(label, problems, total, verbose):
    counts = ", ".join(f"{len(ids)} {kind}" for kind, ids in problems.items())
    print(f"{label}: {total} strings, {counts}")
    if verbose:
        for kind, ids in problems.items():
            for msgid in ids:
                print(f"  {kind}: {msgid!r}")
    return any(problems.values())


def main(argv, locale=LOCALE, vendor=vendor_catalogues.VENDOR, packages=None):
    """`packages`: {name: (locale directory, domains)}, by default the installed packages of PACKAGES."""
    verbose = "-v" in argv
    failed = False
    for language in LANGUAGES:
        problems, total = check(language, locale)
        failed = report(language, problems, total, verbose) or failed
    if failed:
        print("Translate every entry (locale/<lang>/LC_MESSAGES/django.po) and remove the fuzzy flags.")
    if packages is None:
        packages = {
            name: (vendor_catalogues.package_locale(module), domains)
            for name, (module, domains) in vendor_catalogues.PACKAGES.items()
        }
    vendor_failed = False
    for name, (package_locale, domains) in packages.items():
        for domain in domains:
            problems, total = check_vendor(name, domain, package_locale, vendor)
            label = f"kk {name}/{domain} (left by the package)"
            vendor_failed = report(label, problems, total, verbose) or vendor_failed
    if vendor_failed:
        print(
            "Run `python scripts/vendor_catalogues.py sync`, then translate every entry of "
            "locale_vendor/<package>/kk/LC_MESSAGES/<domain>.po and remove the fuzzy flags."
        )
    return 1 if failed or vendor_failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
