"""The clerk entry page and admin change lists in kk, ru and en: translated headings, names, KATO, switcher."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

pytestmark = pytest.mark.django_db

ENTRY_HEADING = {
    "kk": "Учаскелік сайлау комиссиясының хаттамасы",
    "ru": "Протокол участковой избирательной комиссии",
    "en": "Protocol of the precinct commission",
}
FINISH = {"kk": "Енгізуді аяқтау", "ru": "Завершить ввод", "en": "Finish entry"}
MY_STATIONS = {"kk": "Менің сайлау учаскелерім", "ru": "Мои избирательные участки", "en": "My polling stations"}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_clerk_entry_page_in_each_language(world, in_language, language):
    client = in_language(language)
    client.force_login(world.clerk1)
    response = client.get(reverse("results:entry", args=[world.protocol.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert f"<h1>{ENTRY_HEADING[language]}</h1>" in html
    assert FINISH[language] in html
    assert MY_STATIONS[language] in html  # the navigation of results/base.html
    for other in {"kk", "ru", "en"} - {language}:
        assert ENTRY_HEADING[other] not in html


@pytest.mark.parametrize(
    ("language", "unit_name"),
    [("kk", "Қарағанды облысы"), ("ru", "Карагандинская область"), ("en", "Karaganda Region")],
)
def test_unit_names_follow_the_language_with_the_kato_code_beside_them(world, in_language, language, unit_name):
    world.region.name_kk, world.region.name_en = "Қарағанды облысы", "Karaganda Region"
    world.region.save()
    client = in_language(language)
    client.force_login(world.cec)
    world.cec.user_permissions.add(Permission.objects.get(codename="view_adminunit"))
    response = client.get(reverse("admin:territory_adminunit_changelist"), {"q": "350000000"})
    assert response.status_code == 200
    html = response.content.decode()
    assert unit_name in html and "350000000" in html


def test_a_name_missing_in_kazakh_falls_back_to_russian(world, in_language):
    """The district has no Kazakh name of its own here (the factory copies it): blank it and look."""
    world.district.name_kk = ""
    world.district.save()
    client = in_language("kk")
    client.force_login(world.cec)
    world.cec.user_permissions.add(Permission.objects.get(codename="view_adminunit"))
    html = client.get(reverse("admin:territory_adminunit_changelist"), {"q": "352000000"}).content.decode()
    assert "Абайский район" in html


ADMIN = {
    "kk": ("Тізімдегі хаттамалардың барысы", "Таңдалған салыстырылған хаттамаларды бекіту", "Сайлау учаскесі"),
    "ru": ("Ход работы с протоколами из списка", "Утвердить выбранные сверенные протоколы", "Избирательный участок"),
    "en": ("Progress of the listed protocols", "Certify the selected verified protocols", "Polling station"),
}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_an_admin_change_list_in_each_language(world, in_language, language):
    client = in_language(language)
    world.tec.user_permissions.add(*Permission.objects.filter(codename__in=["view_protocol", "change_protocol"]))
    client.force_login(world.tec)
    response = client.get(reverse("admin:results_protocol_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    heading, action, column = ADMIN[language]
    assert heading in html  # the protocol list's own heading
    assert action in html  # an admin action
    assert column in html  # a column: the model field's verbose name
    assert "(352030000)" in html  # the contest column: unit name with its KATO code
    assert f'<html lang="{language}"' in html


def test_the_switcher_is_in_the_admin_header_and_on_the_clerk_pages(world, client):
    client.force_login(world.tec)
    world.tec.user_permissions.add(Permission.objects.get(codename="view_protocol"))
    admin_page = client.get(reverse("admin:results_protocol_changelist") + "?state=verified").content.decode()
    header = admin_page[admin_page.index('<header id="header">') : admin_page.index("</header>")]
    assert 'action="/i18n/setlang/"' in header
    assert 'name="next" value="/admin/results/protocol/?state=verified"' in header
    assert 'name="csrfmiddlewaretoken"' in header
    for code, name in (("kk", "Қазақ"), ("ru", "Русский"), ("en", "English")):
        assert f'value="{code}" lang="{code}"' in header and name in header

    client.logout()
    login_page = client.get(reverse("admin:login")).content.decode()
    assert 'action="/i18n/setlang/"' in login_page

    client.force_login(world.clerk1)
    page = client.get(reverse("results:my_stations")).content.decode()
    header = page[page.index('<header class="top">') : page.index("</header>")]
    assert 'action="/i18n/setlang/"' in header and 'name="next" value="/entry/"' in header
