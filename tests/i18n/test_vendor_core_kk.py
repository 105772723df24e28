"""The Kazakh catalogues of the upstream domains (locale_vendor/<package>/kk): Django core, DRF,
django-filter and django-axes speak Kazakh on a kk page instead of falling back to Russian.

Django looks a kk msgid up in every catalogue of the django domain and, when none translates it,
falls back to LANGUAGE_CODE (Russian): Django's own kk catalogue lacks about 140 of its strings,
django-filter and django-axes ship no kk at all. The tests compile the committed .po files into a
temporary directory (no GNU gettext needed) and put those directories into LOCALE_PATHS.
"""

from pathlib import Path

import polib
import pytest
from django import forms
from django.core import validators
from django.utils import translation
from django.utils.translation import trans_real

from scripts.check_translations import placeholders

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "locale_vendor"
PACKAGES = ("django", "rest_framework", "django_filters", "axes")
SITE = Path(forms.__file__).resolve().parents[2]


def vendor_po(package):
    return VENDOR / package / "kk" / "LC_MESSAGES" / "django.po"


def reload_catalogues():
    trans_real._translations.clear()
    trans_real._default = None
    trans_real._active = trans_real.Local()


@pytest.fixture
def vendor_kk(settings, tmp_path):
    """LOCALE_PATHS extended by compiled copies of the four vendor catalogues."""
    paths = []
    for package in PACKAGES:
        directory = tmp_path / package / "kk" / "LC_MESSAGES"
        directory.mkdir(parents=True)
        polib.pofile(str(vendor_po(package))).save_as_mofile(str(directory / "django.mo"))
        paths.append(str(tmp_path / package))
    settings.LOCALE_PATHS = [*settings.LOCALE_PATHS, *paths]
    reload_catalogues()
    yield
    reload_catalogues()


def required_error():
    with pytest.raises(forms.ValidationError) as raised:
        forms.CharField().clean("")
    return raised.value.messages[0]


def email_error():
    with pytest.raises(forms.ValidationError) as raised:
        forms.EmailField().clean("not an address")
    return raised.value.messages[0]


def integer_error():
    with pytest.raises(forms.ValidationError) as raised:
        forms.CharField(validators=[validators.integer_validator]).clean("x")
    return raised.value.messages[0]


def language_name():
    return str(translation.get_language_info("af")["name_translated"])


def drf_not_authenticated():
    from rest_framework.exceptions import NotAuthenticated

    return str(NotAuthenticated().detail)


def drf_not_found():
    from rest_framework.exceptions import NotFound

    return str(NotFound().detail)


def drf_required():
    from rest_framework import serializers
    from rest_framework.fields import empty

    with pytest.raises(serializers.ValidationError) as raised:
        serializers.CharField().run_validation(empty)
    return str(raised.value.detail[0])


def filters_past_week():
    from django_filters.filters import DateRangeFilter

    return str(dict(DateRangeFilter.choices)["week"])


def filters_csv_help():
    from django_filters.filters import BaseCSVFilter

    return str(BaseCSVFilter().extra["help_text"])


def axes_lockout():
    from axes.helpers import get_lockout_message

    return str(get_lockout_message())


KAZAKH = {
    required_error: "Бұл өрісті толтыру міндетті.",
    email_error: "Дұрыс электрондық пошта мекенжайын енгізіңіз.",
    integer_error: "Дұрыс бүтін сан енгізіңіз.",
    language_name: "Африкаанс тілі",
    drf_not_authenticated: "Аутентификация деректері берілмеген.",
    drf_not_found: "Табылмады.",
    drf_required: "Бұл өрісті толтыру міндетті.",
    filters_past_week: "Соңғы 7 күн",
    filters_csv_help: "Бірнеше мәнді үтірмен бөліп жазуға болады.",
    axes_lockout: "Тіркелгі бұғатталды: кіру әрекеттері тым көп. Кейінірек қайталап көріңіз.",
}
RUSSIAN = {
    required_error: "Обязательное поле.",
    email_error: "Введите правильный адрес электронной почты.",
    integer_error: "Введите правильное число.",
    language_name: "Бурский",
    drf_not_authenticated: "Учетные данные не были предоставлены.",
    drf_not_found: "Страница не найдена.",
    drf_required: "Обязательное поле.",
    filters_past_week: "Последние 7 дней",
    filters_csv_help: "Несколько значений могут быть разделены запятыми.",
    axes_lockout: "Учетная запись заблокирована: слишком много попыток входа. Повторите попытку позже.",
}
CASES = [pytest.param(text, id=text.__name__) for text in KAZAKH]


@pytest.mark.parametrize("text", CASES)
def test_the_upstream_string_is_kazakh_on_a_kazakh_page(vendor_kk, text):
    with translation.override("kk"):
        kazakh = text()
    with translation.override("ru"):
        russian = text()
    assert kazakh == KAZAKH[text]
    assert russian == RUSSIAN[text]
    assert kazakh != russian


@pytest.mark.parametrize(
    "text", [pytest.param(t, id=t.__name__) for t in (integer_error, language_name, filters_csv_help, axes_lockout)]
)
def test_without_the_vendor_catalogues_these_strings_fall_back_to_russian(settings, text):
    """The defect the catalogues mend: Django's kk lacks the string, or the package has no kk, so a kk
    page shows the Russian of LANGUAGE_CODE."""
    settings.LOCALE_PATHS = [path for path in settings.LOCALE_PATHS if "locale_vendor" not in str(path)]
    reload_catalogues()
    with translation.override("kk"):
        assert text() == RUSSIAN[text]
    reload_catalogues()


def test_the_vendor_catalogue_wins_over_the_packages_own_kk(vendor_kk):
    """Where the package's own kk has a translation, ours replaces it: DRF's says "Бұл мән міндетті."
    ("this value is required") and "Жарамсыз токен."; Django's names Afrikaans nowhere."""
    with translation.override("kk"):
        assert drf_required() == "Бұл өрісті толтыру міндетті."
        assert translation.gettext("Invalid token.") == "Токен жарамсыз."
        assert translation.gettext("Enter a valid value.") == "Дұрыс мән енгізіңіз."
        assert translation.gettext("Afrikaans") == "Африкаанс тілі"


def shipped_msgids(package):
    """The msgids the installed package itself ships (source catalogue, or another language's)."""
    if package == "django":
        catalogue = polib.pofile(str(SITE / "django/conf/locale/en/LC_MESSAGES/django.po"))
    elif package == "rest_framework":  # DRF's wheel ships compiled catalogues only
        catalogue = polib.mofile(str(SITE / "rest_framework/locale/en/LC_MESSAGES/django.mo"))
    else:  # no en catalogue: the Russian one lists the msgids
        catalogue = polib.pofile(str(SITE / package / "locale/ru/LC_MESSAGES/django.po"))
    return {(e.msgctxt, e.msgid) for e in catalogue if e.msgid and not e.obsolete}


@pytest.mark.parametrize("package", PACKAGES)
def test_the_vendor_catalogue_translates_every_msgid_the_package_ships(package):
    ours = polib.pofile(str(vendor_po(package)))
    translated = {(e.msgctxt, e.msgid) for e in ours.translated_entries()}
    assert shipped_msgids(package) <= translated
    assert ours.untranslated_entries() == []
    assert ours.fuzzy_entries() == []


@pytest.mark.parametrize("package", PACKAGES)
def test_the_vendor_catalogue_header_and_placeholders(package):
    ours = polib.pofile(str(vendor_po(package)))
    assert ours.metadata["Language"] == "kk"
    assert ours.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert ours.metadata["Plural-Forms"] == "nplurals=2; plural=(n!=1);"
    broken = []
    for entry in ours:
        python_format = "python-format" in entry.flags
        if entry.msgid_plural:
            forms_ = [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
            wanted = placeholders(entry.msgid_plural, python_format)
            if len(forms_) != 2 or any(placeholders(form, python_format) != wanted for form in forms_):
                broken.append(entry.msgid)
        elif placeholders(entry.msgid, python_format) != placeholders(entry.msgstr, python_format):
            broken.append(entry.msgid)
    assert broken == []


def test_the_kazakh_is_kazakh():
    """Kazakh letters throughout, and no entry is Russian: the Russian catalogues' translations of a
    msgid differ from ours except for codes, units and punctuation shared by both languages."""
    shared = {"…", "IPv4", "IPv6", "URL", "Файл", ":?.!", ":", ", ", "Ср", "Сб", "HTTP Accept", "Токен"}
    shared |= {f"%s {unit}" for unit in ("КБ", "МБ", "ГБ", "ТБ", "ПБ")} | {"%(truncated_text)s…"}
    for package in PACKAGES:
        ours = polib.pofile(str(vendor_po(package)))
        if package == "rest_framework":
            russian = polib.mofile(str(SITE / "rest_framework/locale/ru/LC_MESSAGES/django.mo"))
        elif package == "django":
            russian = polib.pofile(str(SITE / "django/conf/locale/ru/LC_MESSAGES/django.po"))
        else:
            russian = polib.pofile(str(SITE / package / "locale/ru/LC_MESSAGES/django.po"))
        ru = {(e.msgctxt, e.msgid): e.msgstr for e in russian if e.msgstr}
        copies = [e.msgstr for e in ours if e.msgstr and e.msgstr == ru.get((e.msgctxt, e.msgid))]
        assert set(copies) <= shared, package
        text = " ".join(e.msgstr or " ".join(e.msgstr_plural.values()) for e in ours)
        assert all(letter in text for letter in "әғқңұүі"), package
        assert not any(letter in text for letter in "ёъщ"), package


def test_no_msgid_has_two_kazakh_translations():
    """The four catalogues and the project's share one domain (django): a msgid two of them use
    ("Yes", "Ordering", "Kazakh") must read the same whichever catalogue Django finds first."""
    seen = {}
    clashes = []
    catalogues = {"project": ROOT / "locale" / "kk" / "LC_MESSAGES" / "django.po"}
    catalogues |= {package: vendor_po(package) for package in PACKAGES}
    for package, path in catalogues.items():
        for entry in polib.pofile(str(path)):
            key = (entry.msgctxt, entry.msgid)
            text = entry.msgstr or tuple(entry.msgstr_plural.values())
            if seen.setdefault(key, (package, text))[1] != text:
                clashes.append((key, seen[key], (package, text)))
    assert clashes == []
