"""locale_vendor/: Kazakh for the strings Django's admin, auth, contenttypes and sessions leave untranslated.

The check counts the gaps and fails on one, the sync script follows the packages' sources, the polib
compiler needs no gettext, and the admin pages in Kazakh show no Russian fallback.
"""

import gettext
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management.commands import makemessages
from django.urls import reverse
from django.utils import translation

from scripts import check_translations, compile_translations, vendor_catalogues

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "locale_vendor"
# The packages of this part of issue 19 and how many of their source strings Django's kk leaves to us.
MINE = {("admin", "django"): 95, ("admin", "djangojs"): 63, ("auth", "django"): 53, ("contenttypes", "django"): 4}
ADMIN_LOCALE = vendor_catalogues.package_locale("django.contrib.admin")
RUSSIAN_FALLBACKS = ("последние действия", "просмотреть", "открыть сайт", "начните вводить", "мои действия")


def only_admin(vendor, domains=("django",)):
    """main()'s arguments to check the project's catalogues and the admin's vendor catalogue in `vendor`."""
    return {"vendor": vendor, "packages": {"admin": (ADMIN_LOCALE, domains)}}


def vendor_copy(tmp_path, package="admin"):
    shutil.copytree(VENDOR / package, tmp_path / package, ignore=shutil.ignore_patterns("*.mo"))
    return tmp_path


def edit(path, change):
    po = polib.pofile(str(path))
    change(po)
    po.save(str(path))


# -- the check ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("package", "domain"), list(MINE))
def test_the_committed_vendor_catalogues_leave_no_gap(package, domain):
    problems, total = check_translations.check_vendor(package, domain)
    assert problems == {"untranslated": [], "fuzzy": [], "broken": []}
    assert total == MINE[package, domain]


def test_sessions_needs_no_vendor_string_and_its_catalogue_is_empty():
    assert check_translations.check_vendor("sessions", "django") == (
        {"untranslated": [], "fuzzy": [], "broken": []},
        0,
    )
    assert len(polib.pofile(str(VENDOR / "sessions/kk/LC_MESSAGES/django.po"))) == 0


def test_the_check_passes_on_the_real_tree_for_the_admin(tmp_path, capsys):
    assert check_translations.main([], **only_admin(vendor_copy(tmp_path), ("django", "djangojs"))) == 0
    out = capsys.readouterr().out
    assert "kk admin/django (left by the package): 95 strings, 0 untranslated, 0 fuzzy, 0 broken" in out
    assert "kk admin/djangojs (left by the package): 63 strings, 0 untranslated, 0 fuzzy, 0 broken" in out


def test_the_check_fails_on_a_missing_entry(tmp_path, capsys):
    vendor = vendor_copy(tmp_path)
    path = vendor / "admin/kk/LC_MESSAGES/django.po"
    edit(path, lambda po: po.remove(po.find("Recent actions")))
    assert check_translations.main(["-v"], **only_admin(vendor)) == 1
    out = capsys.readouterr().out
    assert "kk admin/django (left by the package): 95 strings, 1 untranslated, 0 fuzzy, 0 broken" in out
    assert "  untranslated: 'Recent actions'" in out
    assert "vendor_catalogues.py sync" in out


def test_the_check_fails_on_an_empty_or_fuzzy_translation(tmp_path):
    vendor = vendor_copy(tmp_path)

    def change(po):
        po.find("View site").msgstr = ""
        po.find("Close").flags.append("fuzzy")
        po.find("entry").msgstr_plural[1] = ""

    edit(vendor / "admin/kk/LC_MESSAGES/django.po", change)
    problems, _ = check_translations.check_vendor("admin", "django", ADMIN_LOCALE, vendor)
    assert problems == {"untranslated": ["View site", "entry"], "fuzzy": ["Close"], "broken": []}


@pytest.mark.parametrize(
    ("msgid", "broken"),
    [
        ("Sorting priority: %(priority_number)s", "Сұрыптау басымдығы"),  # a %-placeholder dropped
        ("The {name} “{obj}” was changed successfully.", "{name} «{object}» сәтті өзгертілді."),  # renamed
        ("Changed {fields}.", "{fields} {fields} өзгертілді."),  # doubled
    ],
)
def test_the_check_fails_on_a_broken_placeholder(tmp_path, capsys, msgid, broken):
    vendor = vendor_copy(tmp_path)

    def change(po):
        po.find(msgid).msgstr = broken

    edit(vendor / "admin/kk/LC_MESSAGES/django.po", change)
    assert check_translations.main([], **only_admin(vendor)) == 1
    assert "95 strings, 0 untranslated, 0 fuzzy, 1 broken" in capsys.readouterr().out


def test_the_check_reads_javascript_format_placeholders(tmp_path):
    vendor = vendor_copy(tmp_path)

    def change(po):
        po.find("Choose all %s").msgstr = "Барлығын таңдау"

    edit(vendor / "admin/kk/LC_MESSAGES/djangojs.po", change)
    problems, _ = check_translations.check_vendor("admin", "djangojs", ADMIN_LOCALE, vendor)
    assert problems["broken"] == ["Choose all %s"]


def test_the_check_fails_when_a_package_has_no_vendor_catalogue(tmp_path, capsys):
    assert check_translations.main([], **only_admin(tmp_path)) == 1
    assert "kk admin/django (left by the package): 95 strings, 95 untranslated" in capsys.readouterr().out


# -- sync and fill ------------------------------------------------------------------------------------------------


def write(path, entries, *, mo=False):
    path.parent.mkdir(parents=True, exist_ok=True)
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Plural-Forms": "nplurals=2; plural=(n!=1);"}
    for entry in entries:
        po.append(entry)
    if mo:
        po.save_as_mofile(str(path))
    else:
        po.save(str(path))


def fake_package(tmp_path, english, kazakh, *, mo=False):
    locale = tmp_path / "pkg" / "locale"
    suffix = "mo" if mo else "po"
    write(locale / f"en/LC_MESSAGES/django.{suffix}", english, mo=mo)
    write(locale / f"kk/LC_MESSAGES/django.{suffix}", kazakh, mo=mo)
    return locale


def test_sync_adds_what_the_package_leaves_keeps_translations_and_drops_removed_msgids(tmp_path):
    english = [
        polib.POEntry(msgid="Save", msgstr="Save"),
        polib.POEntry(msgid="View", msgstr="View"),
        polib.POEntry(msgid="%(n)s kept", msgstr="", flags=["python-format"]),
        polib.POEntry(msgid="Old translation", msgstr="Old translation"),
    ]
    locale = fake_package(tmp_path, english, [polib.POEntry(msgid="Save", msgstr="Сақтау")])
    vendor = tmp_path / "vendor"
    assert vendor_catalogues.sync_domain("pkg", "django", locale, vendor) == (3, 0)
    path = vendor / "pkg/kk/LC_MESSAGES/django.po"
    po = polib.pofile(str(path))
    assert [e.msgid for e in po] == ["View", "%(n)s kept", "Old translation"]
    assert po.find("%(n)s kept").flags == ["python-format"]
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n!=1);"

    edit(path, lambda po: setattr(po.find("View"), "msgstr", "Қарау"))
    # The package adds a msgid and drops one; an override of "Save" given by fill survives the next sync.
    english = [english[0], english[1], english[2], polib.POEntry(msgid="New", msgstr="New")]
    locale = fake_package(tmp_path, english, [polib.POEntry(msgid="Save", msgstr="Сақта")])
    assert vendor_catalogues.fill_domain("pkg", "django", locale, {"Save": "Сақтау", "Typo": "Қате"}, vendor) == [
        "Typo"
    ]
    assert vendor_catalogues.sync_domain("pkg", "django", locale, vendor) == (0, 0)
    po = polib.pofile(str(path))
    assert [(e.msgid, e.msgstr) for e in po] == [("Save", "Сақтау"), ("View", "Қарау"), ("%(n)s kept", ""), ("New", "")]


def test_sync_reads_mo_only_packages_and_marks_their_percent_strings_python_format(tmp_path):
    english = [
        polib.POEntry(msgid="Not found.", msgstr="Not found."),
        polib.POEntry(msgid="Ensure this has at most {max_length} characters.", msgstr="x"),
        polib.POEntry(msgid="Invalid page %(page)s.", msgstr="x"),
        polib.POEntry(msgid="%(n)d item", msgid_plural="%(n)d items", msgstr_plural={0: "x", 1: "x"}),
    ]
    locale = fake_package(tmp_path, english, [polib.POEntry(msgid="Not found.", msgstr="Табылмады.")], mo=True)
    vendor_catalogues.sync_domain("pkg", "django", locale, tmp_path / "vendor")
    po = polib.pofile(str(tmp_path / "vendor/pkg/kk/LC_MESSAGES/django.po"))
    assert {e.msgid: e.flags for e in po} == {
        "Ensure this has at most {max_length} characters.": [],
        "Invalid page %(page)s.": ["python-format"],
        "%(n)d item": ["python-format"],
    }
    assert po.find("%(n)d item").msgstr_plural == {0: "", 1: ""}


def test_a_package_without_english_gives_the_union_of_its_languages(tmp_path):
    locale = tmp_path / "pkg" / "locale"
    write(locale / "ru/LC_MESSAGES/django.po", [polib.POEntry(msgid="Locked out", msgstr="Заблокировано")])
    write(locale / "de/LC_MESSAGES/django.po", [polib.POEntry(msgid="Attempts", msgstr="Versuche")])
    assert list(vendor_catalogues.to_cover(locale, "django")) == [(None, "Attempts"), (None, "Locked out")]


def test_the_package_table_matches_settings_and_every_package_is_installed():
    assert set(vendor_catalogues.PACKAGES) == set(settings.VENDOR_LOCALES)
    for module, domains in vendor_catalogues.PACKAGES.values():
        for domain in domains:
            assert vendor_catalogues.source_entries(vendor_catalogues.package_locale(module), domain)


def test_sync_of_the_committed_catalogues_changes_nothing(tmp_path):
    for package in ("admin", "auth", "contenttypes", "sessions"):
        vendor_copy(tmp_path, package)
        module, domains = vendor_catalogues.PACKAGES[package]
        for domain in domains:
            vendor_catalogues.sync_domain(package, domain, vendor_catalogues.package_locale(module), tmp_path)
            synced = (tmp_path / package / "kk/LC_MESSAGES" / f"{domain}.po").read_text()
            assert synced == (VENDOR / package / "kk/LC_MESSAGES" / f"{domain}.po").read_text()


def test_the_vendor_translations_are_kazakh_not_russian_nor_english():
    for package, domain in MINE:
        po = polib.pofile(str(VENDOR / package / "kk/LC_MESSAGES" / f"{domain}.po"))
        texts = [t for e in po for t in ([e.msgstr] if not e.msgid_plural else e.msgstr_plural.values())]
        prose = [t for t in texts if len(check_translations.PLACEHOLDER.sub("", t)) > 25]
        assert prose and all(set(t) & set("әғқңөұүһі") for t in prose), package
        assert not any(word in t.casefold() for t in texts for word in RUSSIAN_FALLBACKS)


# -- settings and makemessages ------------------------------------------------------------------------------------


def test_the_project_catalogue_comes_first_then_each_vendor_package():
    assert settings.LOCALE_PATHS[0] == ROOT / "locale"
    assert settings.LOCALE_PATHS[1:] == [VENDOR / p for p in settings.VENDOR_LOCALES]


def test_makemessages_files_every_project_source_under_locale_never_locale_vendor():
    """Django's makemessages sends a file's msgids to the first LOCALE_PATHS entry whose parent holds it."""
    command = makemessages.Command()
    command.settings_available, command.verbosity, command.symlinks = True, 0, False
    command.extensions = {".py", ".html", ".txt"}
    # The Makefile's --ignore list, Django's defaults, and mutmut's git-ignored copy of the tree (make mutation).
    command.ignore_patterns = [".venv", "tests", "staticfiles", "mutants", "CVS", ".*", "*~", "*.pyc"]
    command.locale_paths = [*map(str, settings.LOCALE_PATHS), str(ROOT / "locale")]
    command.default_locale_path = command.locale_paths[0]
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        files = command.find_files(".")
    finally:
        os.chdir(cwd)
    assert len(files) > 100
    assert {Path(f.locale_dir) for f in files} == {ROOT / "locale"}


# -- compiling without gettext ------------------------------------------------------------------------------------


def test_the_polib_mo_files_load_in_gettext_with_plurals_and_contexts(tmp_path):
    vendor = vendor_copy(tmp_path)
    compiled, current = compile_translations.compile_all([vendor])
    assert (len(compiled), current) == (2, 0)
    with open(vendor / "admin/kk/LC_MESSAGES/django.mo", "rb") as mo:
        django_catalogue = gettext.GNUTranslations(mo)
    assert django_catalogue.gettext("Recent actions") == "Соңғы әрекеттер"
    assert django_catalogue.ngettext("entry", "entries", 1) == "жазба"
    assert django_catalogue.ngettext("%(total_count)s selected", "All %(total_count)s selected", 5) == (
        "Барлығы %(total_count)s таңдалды"
    )
    with open(vendor / "admin/kk/LC_MESSAGES/djangojs.mo", "rb") as mo:
        js_catalogue = gettext.GNUTranslations(mo)
    assert js_catalogue.pgettext("abbrev. month May", "May") == "Мам"
    assert js_catalogue.gettext("May") == "Мамыр"


def test_compiling_is_a_no_op_when_up_to_date_and_recompiles_a_changed_po(tmp_path, capsys):
    vendor = vendor_copy(tmp_path, "contenttypes")
    po = vendor / "contenttypes/kk/LC_MESSAGES/django.po"
    mo = po.with_suffix(".mo")
    assert compile_translations.main([], [vendor]) == 0
    assert "translations: 1 compiled, 0 up to date" in capsys.readouterr().out
    written = mo.stat().st_mtime_ns
    assert compile_translations.main([], [vendor]) == 0
    assert "translations: 0 compiled, 1 up to date" in capsys.readouterr().out
    assert mo.stat().st_mtime_ns == written

    edit(po, lambda catalogue: setattr(catalogue.find("Content Types"), "msgstr", "Мазмұн түрлерінің тізімі"))
    later = mo.stat().st_mtime + 10
    os.utime(po, (later, later))
    compile_translations.main([], [vendor])
    assert "translations: 1 compiled, 0 up to date" in capsys.readouterr().out
    with open(mo, "rb") as handle:
        assert gettext.GNUTranslations(handle).gettext("Content Types") == "Мазмұн түрлерінің тізімі"


def test_make_compilemessages_works_without_gettext(tmp_path):
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    assert shutil.which("msgfmt", path=str(empty_bin)) is None
    target = VENDOR / "sessions/kk/LC_MESSAGES/django.mo"  # an empty catalogue: no other test reads it
    target.unlink(missing_ok=True)
    # -o: the dependency stamp counts as made (the test must not install packages into the shared venv).
    result = subprocess.run(
        [make, "-o", ".venv/.deps-run", "compilemessages"],
        cwd=ROOT,
        env={"PATH": str(empty_bin), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"translations: [1-9]\d* compiled", result.stdout), result.stdout
    assert "msgfmt" not in result.stdout + result.stderr
    assert target.exists()


# -- Django and the admin in Kazakh ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("msgid", "kazakh"),
    [
        ("Recent actions", "Соңғы әрекеттер"),
        ("View site", "Сайтты ашу"),
        ("View", "Қарау"),
        ("Change password", "Құпиясөзді өзгерту"),
        ("Start typing to filter…", "Сүзу үшін тере бастаңыз…"),
        ("Your password can’t be entirely numeric.", "Құпиясөзіңіз тек цифрлардан тұрмауы керек."),
        ("Content Types", "Мазмұн түрлері"),
    ],
)
def test_django_translates_the_vendor_strings_into_kazakh(msgid, kazakh):
    with translation.override("kk"):
        assert translation.gettext(msgid) == kazakh
    with translation.override("ru"):
        assert translation.gettext(msgid) != kazakh


def test_an_override_beats_the_packages_own_kazakh_and_the_project_beats_both():
    with translation.override("kk"):
        assert translation.gettext("Change") == "Өзгерту"  # Django's kk: "Өзгетру"
        assert translation.ngettext("%(total_count)s selected", "All %(total_count)s selected", 1) == (
            "%(total_count)s таңдалды"  # Django's kk: "one: … other: …" inside the form
        )
        assert translation.gettext("Filter") == "Сүзу"  # the project's own; the admin override says "Сүзгі"


@pytest.fixture
def superuser(db, django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "pw")


def kazakh_admin(client, superuser):
    client.force_login(superuser)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "kk"
    return client


def test_the_kazakh_admin_index_shows_no_russian_fallback(client, superuser):
    html = kazakh_admin(client, superuser).get(reverse("admin:index")).content.decode()
    assert '<html lang="kk"' in html
    for kazakh in ("Соңғы әрекеттер", "Менің әрекеттерім", "Сайтты ашу", "Құпиясөзді өзгерту"):
        assert kazakh in html
    assert not [word for word in RUSSIAN_FALLBACKS if word in html.casefold()]
    assert "recent actions" not in html.casefold() and "view site" not in html.casefold()


def test_the_kazakh_admin_sidebar_filter_and_change_list(client, superuser):
    html = kazakh_admin(client, superuser).get(reverse("admin:territory_adminunit_changelist")).content.decode()
    assert 'placeholder="Сүзу үшін тере бастаңыз…"' in html
    assert not [word for word in RUSSIAN_FALLBACKS if word in html.casefold()]
    assert "Начните вводить" not in html and "Start typing" not in html


def test_the_admin_javascript_catalogue_takes_the_vendor_djangojs(client, superuser):
    response = kazakh_admin(client, superuser).get(reverse("admin:jsi18n"))
    assert response.status_code == 200
    js = response.content.decode()
    for msgid, kazakh in [("January", "Қаңтар"), ("Choose all %s", "Барлық %s таңдау"), ("6 p.m.", "18:00")]:
        assert f"{json.dumps(msgid)}: {json.dumps(kazakh)}" in js
    assert json.dumps("Январь") not in js
    assert "const v = (n!=1);" in js  # kk's two forms
