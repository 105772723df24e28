"""Kazakh catalogues for third-party packages (locale_vendor/): the package table, `sync` and the count of gaps.

Django's own Kazakh catalogues (and DRF's, django-filter's, django-axes') leave strings untranslated,
and Django then falls back to LANGUAGE_CODE (Russian): a Kazakh admin page shows Russian words.
locale_vendor/<package>/kk/LC_MESSAGES/<domain>.po holds, for each package of PACKAGES, the msgids of
the package's source catalogue that the package's own kk catalogue leaves untranslated, with their
Kazakh translations; settings put each locale_vendor/<package> in LOCALE_PATHS after locale/, so the
project's catalogue wins, then these, then the packages' own.

The source msgids are the package's `en` catalogue (.po, or .mo when the package ships only .mo files);
a package without an `en` catalogue gives the union of its other languages' msgids.

Usage:
  python scripts/vendor_catalogues.py sync [PACKAGE ...]   # create or update the .po files (all packages by default)
  python scripts/vendor_catalogues.py fill PACKAGE DOMAIN BATCH.py   # BATCH.py defines KK = {msgid: msgstr}

`sync` adds the msgids the package's kk catalogue does not translate (empty msgstr), keeps every
translation already in the file while its msgid is still in the source (so an override outlives the
package's own translation), and drops entries whose msgid left the source. Then translate the empty
entries, in the file or with `fill`: a batch's key is a msgid or a (msgctxt, msgid) pair, its value the
msgstr or, for a plural entry, the list of the two forms; a msgid the package translates wrongly may be
given too and becomes an override (sync keeps it). scripts/check_translations.py (`make messages`, CI)
counts, per package and domain, the strings still untranslated, fuzzy or placeholder-breaking and fails
on any.
"""

import importlib.util
import re
import runpy
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "locale_vendor"
LANGUAGE = "kk"
PLURAL_FORMS = "nplurals=2; plural=(n!=1);"
# name in locale_vendor/ -> (the Python package holding locale/, its gettext domains)
PACKAGES = {
    "django": ("django.conf", ("django",)),
    "admin": ("django.contrib.admin", ("django", "djangojs")),
    "auth": ("django.contrib.auth", ("django",)),
    "contenttypes": ("django.contrib.contenttypes", ("django",)),
    "sessions": ("django.contrib.sessions", ("django",)),
    "rest_framework": ("rest_framework", ("django",)),
    "django_filters": ("django_filters", ("django",)),
    "axes": ("axes", ("django",)),
}
# What xgettext calls python-format: a %-directive (the flag is lost in .mo-only sources).
PERCENT_DIRECTIVE = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]")


def package_locale(module):
    """The locale/ directory of an installed package, found without importing it."""
    spec = importlib.util.find_spec(module)
    return Path(spec.origin).parent / "locale"


def read_catalogue(directory, domain):
    """The catalogue <directory>/<domain>.po, else the compiled .mo, else None."""
    for suffix, reader in ((".po", polib.pofile), (".mo", polib.mofile)):
        path = Path(directory) / f"{domain}{suffix}"
        if path.exists():
            return reader(str(path))
    return None


def key(entry):
    return (entry.msgctxt or None, entry.msgid)


def source_entries(locale, domain):
    """The package's msgids as fresh entries, in the source's order: {(msgctxt, msgid): POEntry}."""
    english = read_catalogue(Path(locale) / "en" / "LC_MESSAGES", domain)
    if english is not None:
        catalogues = [english]
    else:
        catalogues = [read_catalogue(d / "LC_MESSAGES", domain) for d in sorted(Path(locale).iterdir()) if d.is_dir()]
    entries = {}
    for catalogue in catalogues:
        for entry in catalogue or ():
            if not entry.msgid or entry.obsolete or key(entry) in entries:
                continue
            flags = [f for f in getattr(entry, "flags", ()) if f != "fuzzy"]
            if isinstance(catalogue, polib.MOFile) and PERCENT_DIRECTIVE.search(entry.msgid + entry.msgid_plural):
                flags.append("python-format")
            entries[key(entry)] = polib.POEntry(
                msgctxt=entry.msgctxt or None,
                msgid=entry.msgid,
                msgid_plural=entry.msgid_plural,
                msgstr="",
                msgstr_plural={0: "", 1: ""} if entry.msgid_plural else {},
                flags=flags,
                comment=getattr(entry, "comment", ""),
            )
    return entries


def own_translated(locale, domain, language=LANGUAGE):
    """Keys the package's own catalogue of `language` translates (the compiled .mo is what Django loads)."""
    directory = Path(locale) / language / "LC_MESSAGES"
    mo = directory / f"{domain}.mo"
    catalogue = polib.mofile(str(mo)) if mo.exists() else read_catalogue(directory, domain)
    if catalogue is None:
        return set()
    # A .mo holds only translated entries; a .po may hold fuzzy or obsolete ones.
    usable = (e for e in catalogue if not isinstance(e, polib.POEntry) or e.translated())
    return {key(e) for e in usable if e.msgid and all(_forms(e))}


def _forms(entry):
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def vendor_path(package, domain, vendor=VENDOR, language=LANGUAGE):
    return Path(vendor) / package / language / "LC_MESSAGES" / f"{domain}.po"


def to_cover(locale, domain):
    """The source entries the package's own kk catalogue leaves untranslated."""
    translated = own_translated(locale, domain)
    return {k: e for k, e in source_entries(locale, domain).items() if k not in translated}


def sync_domain(package, domain, locale, vendor=VENDOR):
    """Create or update one vendor .po; return (added, dropped) msgid counts."""
    path = vendor_path(package, domain, vendor)
    existing = {key(e): e for e in polib.pofile(str(path))} if path.exists() else {}
    source = source_entries(locale, domain)
    wanted = to_cover(locale, domain).keys() | (existing.keys() & source.keys())
    catalogue = polib.POFile(wrapwidth=79)
    module = PACKAGES[package][0] if package in PACKAGES else package
    catalogue.header = (
        f"Kazakh translations of the strings of {module} ({domain} domain) that the package's\n"
        "own kk catalogue leaves untranslated. Updated by `python scripts/vendor_catalogues.py sync`."
    )
    catalogue.metadata = {
        "Project-Id-Version": f"electadmin locale_vendor/{package}",
        "Language": LANGUAGE,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": PLURAL_FORMS,
    }
    for k, fresh in source.items():
        if k not in wanted:
            continue
        kept = existing.get(k)
        if kept is not None:
            fresh.msgstr = kept.msgstr
            if fresh.msgid_plural:
                fresh.msgstr_plural = {i: kept.msgstr_plural.get(i, "") for i in (0, 1)}
            if "fuzzy" in kept.flags:
                fresh.flags.append("fuzzy")
        catalogue.append(fresh)
    path.parent.mkdir(parents=True, exist_ok=True)
    catalogue.save(str(path))
    return len(wanted - existing.keys()), len(existing.keys() - wanted)


def fill_domain(package, domain, locale, translations, vendor=VENDOR):
    """Write `translations` ({msgid or (msgctxt, msgid): msgstr, or [form0, form1] for a plural entry})
    into one vendor .po; a msgid the package already translates is added as an override. Returns the
    keys that are not msgids of the source (typos, or strings the package dropped)."""
    path = vendor_path(package, domain, vendor)
    catalogue = polib.pofile(str(path), wrapwidth=79)
    present = {key(e): e for e in catalogue}
    source = source_entries(locale, domain)
    unknown = []
    for raw, text in translations.items():
        k = raw if isinstance(raw, tuple) else (None, raw)
        entry = present.get(k)
        if entry is None:
            if k not in source:
                unknown.append(raw)
                continue
            entry = present[k] = source[k]
            catalogue.append(entry)
        if entry.msgid_plural:
            entry.msgstr_plural = dict(enumerate(text))
        else:
            entry.msgstr = text
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    catalogue.save(str(path))
    sync_domain(package, domain, locale, vendor)  # back into the source's order
    return unknown


def packages_from(argv):
    names = [a for a in argv if not a.startswith("-")] or list(PACKAGES)
    unknown = [n for n in names if n not in PACKAGES]
    if unknown:
        raise SystemExit(f"unknown package(s): {', '.join(unknown)}; known: {', '.join(PACKAGES)}")
    return names


def main(argv):
    if len(argv) == 4 and argv[0] == "fill":
        name, domain, batch = argv[1:]
        translations = runpy.run_path(batch)["KK"]
        unknown = fill_domain(name, domain, package_locale(PACKAGES[packages_from([name])[0]][0]), translations)
        for raw in unknown:
            print(f"not a msgid of {name}/{domain}: {raw!r}")
        print(f"{vendor_path(name, domain).relative_to(ROOT)}: {len(translations) - len(unknown)} filled")
        return 1 if unknown else 0
    if not argv or argv[0] != "sync":
        print(__doc__.split("Usage:")[1].split("\n\n")[0], file=sys.stderr)
        return 2
    for name in packages_from(argv[1:]):
        module, domains = PACKAGES[name]
        for domain in domains:
            added, dropped = sync_domain(name, domain, package_locale(module))
            print(f"{vendor_path(name, domain).relative_to(ROOT)}: {added} added, {dropped} dropped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
