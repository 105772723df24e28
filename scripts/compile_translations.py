"""Compile the project's catalogues (locale/) and the third-party overrides (locale_vendor/) with polib.

Usage: python scripts/compile_translations.py [-v]   (`make compilemessages`, run by `make run` and `make test`)

Needs no GNU gettext: polib writes each <domain>.mo next to its .po, with the .po's translated entries
(fuzzy and obsolete ones left out, as msgfmt does). A .mo newer than its .po is left alone, so a second
run is a no-op. `make messages` (extraction: xgettext) still needs gettext; scripts/check_translations.py
checks the placeholders msgfmt --check-format would.
"""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
DIRECTORIES = (ROOT / "locale", ROOT / "locale_vendor")


def stale(po):
    mo = po.with_suffix(".mo")
    return not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime


def compile_all(directories=DIRECTORIES):
    """Compile every stale .po under `directories`; return (compiled paths, number up to date)."""
    catalogues = sorted(po for directory in directories for po in Path(directory).glob("**/LC_MESSAGES/*.po"))
    compiled = []
    for po in catalogues:
        if stale(po):
            polib.pofile(str(po)).save_as_mofile(str(po.with_suffix(".mo")))
            compiled.append(po)
    return compiled, len(catalogues) - len(compiled)


def main(argv, directories=DIRECTORIES):
    compiled, current = compile_all(directories)
    if "-v" in argv:
        for po in compiled:
            print(f"compiled {po}")
    print(f"translations: {len(compiled)} compiled, {current} up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
