"""The dashboard's live figures: live.json (scoped, exact fields, computed_at, the "behind" flag),
the live panel of the page and its script."""

import datetime

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from core import clock
from registry.models import Election
from results.aggregation import recompute
from results.live import FIGURES, is_behind
from results.services import certify_protocol, save_entry

from .factories import COUNTING, member, user
from .helpers import fresh, verified

pytestmark = pytest.mark.django_db

LATER = COUNTING + datetime.timedelta(minutes=20)


@pytest.fixture
def counted(world):
    """Station 1 of the Karaganda contest certified, then aggregated, while the election counts."""
    Election.objects.filter(pk=world.election.pk).update(status=Election.Status.COUNTING)
    world.election.refresh_from_db()
    certify_protocol(verified(world), world.tec)
    recompute(world.election)
    return world


def verify_station2(w):
    """Protocol 2 (station 2, 800 voters) entered twice alike by its own clerks: verified."""
    values = w.values(voters="800", ballots_received="800", unused="40")
    for name in ("clerk21", "clerk22"):
        save_entry(w.protocol2, member(user(name), w.precinct2, "clerk"), values, finish=True)
    return fresh(w.protocol2)


def url(w, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("results_reports:live", args=[w.election.pk]) + (f"?{query}" if query else "")


def test_anonymous_users_are_sent_to_the_login(client, counted):
    response = client.get(url(counted))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_unit_outside_the_territory_is_not_found(client, counted):
    client.force_login(counted.tec)
    assert client.get(url(counted, unit=counted.other_region.pk)).status_code == 404
    assert client.get(url(counted, unit=counted.other_district.pk)).status_code == 404
    assert client.get(url(counted, unit=counted.region.pk)).status_code == 404  # above the district
    assert client.get(url(counted, unit=999999)).status_code == 404
    assert client.get(url(counted, unit="x")).status_code == 404
    assert client.get(url(counted, unit=counted.district.pk)).status_code == 200


def test_precinct_staff_reach_only_their_stations_unit(client, counted):
    client.force_login(counted.outsider_tec)
    assert client.get(url(counted, unit=counted.region.pk)).status_code == 404
    assert client.get(url(counted, unit=counted.rural.pk)).status_code == 404
    data = client.get(url(counted, unit=counted.other_rural.pk)).json()
    assert (data["figures"]["protocols"], data["figures"]["empty"]) == (1, 1)
    assert client.get(url(counted)).json()["figures"]["protocols"] == 1


def test_national_staff_get_the_exact_fields(client, counted):
    client.force_login(counted.cec)
    data = client.get(url(counted)).json()
    assert data == {
        "election": counted.election.pk,
        "unit": None,
        "basis": "official",
        "counting": True,
        "poll_seconds": 30,
        "figures": {
            "protocols": 3,
            "empty": 2,
            "in_entry": 0,
            "in_discrepancy": 0,
            "verified": 0,
            "certified": 1,
            "contests": 2,
            "elected": 0,
            "runoff": 0,
            "flagged": 2,
            "registered_voters": 1000,
            "ballots_issued": 750,
            "turnout_percent": "75.00",
        },
        "texts": {
            "protocols": "3",
            "empty": "2",
            "in_entry": "0",
            "in_discrepancy": "0",
            "verified": "0",
            "certified": "1",
            "contests": "2",
            "elected": "0",
            "runoff": "0",
            "flagged": "2",
            "registered_voters": "1,000",
            "ballots_issued": "750",
            "turnout_percent": "75.00",
        },
        "computed_at": "2021-07-25T21:00:00+00:00",
        "latest_certified_at": "2021-07-25T21:00:00+00:00",
        "behind": False,
        "computed_text": "Results computed on July 26, 2021 at 03:00:00 (Asia/Almaty).",
        "behind_text": "",
    }
    assert set(data["figures"]) == set(FIGURES)


def test_a_district_tec_gets_its_district_only(client, counted):
    client.force_login(counted.tec)
    whole = client.get(url(counted)).json()
    district = client.get(url(counted, unit=counted.district.pk)).json()
    assert district["unit"] == counted.district.pk
    for data in (whole, district):
        assert (data["figures"]["protocols"], data["figures"]["certified"], data["figures"]["empty"]) == (2, 1, 1)
        assert data["figures"]["contests"] == 1


def test_a_unit_narrows_national_figures(client, counted):
    client.force_login(counted.cec)
    akmola = client.get(url(counted, unit=counted.other_region.pk)).json()
    assert (akmola["figures"]["protocols"], akmola["figures"]["certified"]) == (1, 0)
    assert akmola["figures"]["turnout_percent"] is None
    assert akmola["texts"]["turnout_percent"] == "-"
    rural = client.get(url(counted, unit=counted.rural.pk)).json()
    assert (rural["figures"]["protocols"], rural["figures"]["certified"]) == (2, 1)


def test_preliminary_basis(client, counted):
    verify_station2(counted)
    recompute(counted.election)
    client.force_login(counted.cec)
    official = client.get(url(counted)).json()
    preliminary = client.get(url(counted, basis="preliminary")).json()
    assert (official["basis"], official["figures"]["registered_voters"]) == ("official", 1000)
    assert (preliminary["basis"], preliminary["figures"]["registered_voters"]) == ("preliminary", 1800)


def test_behind_when_a_certification_follows_the_latest_run(client, counted):
    with clock.frozen(LATER):
        certify_protocol(verify_station2(counted), counted.tec)
    client.force_login(counted.cec)
    data = client.get(url(counted)).json()
    assert data["behind"] is True
    assert data["computed_at"] == "2021-07-25T21:00:00+00:00"
    assert data["latest_certified_at"] == "2021-07-25T21:20:00+00:00"
    assert data["behind_text"] == (
        "Protocols were certified after these figures were computed: the figures will change."
    )
    assert data["figures"]["certified"] == 2  # protocols are live, the result tables not yet
    assert data["figures"]["registered_voters"] == 1000
    with clock.frozen(LATER):
        recompute(counted.election)
    data = client.get(url(counted)).json()
    assert (data["behind"], data["behind_text"]) == (False, "")
    assert data["computed_text"] == "Results computed on July 26, 2021 at 03:20:00 (Asia/Almaty)."


def test_is_behind_on_both_sides_of_the_run():
    run = COUNTING
    assert is_behind(run, run) is False
    assert is_behind(run, run - datetime.timedelta(seconds=1)) is False
    assert is_behind(run, run + datetime.timedelta(seconds=1)) is True
    assert is_behind(None, run) is True  # certified, never aggregated
    assert is_behind(None, None) is False
    assert is_behind(run, None) is False


def test_texts_in_russian_and_kazakh(client, counted, settings):
    client.force_login(counted.cec)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    ru = client.get(url(counted)).json()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "kk"
    kk = client.get(url(counted)).json()
    assert ru["computed_text"] == "Итоги рассчитаны 26 июля 2021 г. в 03:00:00 (Asia/Almaty)."
    assert ru["texts"]["registered_voters"] == "1\xa0000"
    assert kk["computed_text"] == "Нәтижелер 2021 жылғы 26 шілде, сағат 03:00:00 (Asia/Almaty) есептелді."


def test_the_page_in_russian_and_kazakh(client, counted, settings):
    with clock.frozen(LATER):
        certify_protocol(verify_station2(counted), counted.tec)
    client.force_login(counted.cec)
    page = reverse("results_reports:election", args=[counted.election.pk])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    ru = client.get(page).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "kk"
    kk = client.get(page).content.decode()
    assert 'data-live-lost="Связь потеряна, повторная попытка…"' in ru
    assert '<h2 id="results-live-title">Текущие данные</h2>' in ru
    assert "После расчёта этих данных были утверждены протоколы: данные изменятся.</strong>" in ru
    assert 'data-live-lost="Байланыс үзілді, қайта қосылуда…"' in kk
    assert '<h2 id="results-live-title">Қазіргі сандар</h2>' in kk
    assert "Бұл сандар есептелгеннен кейін хаттамалар бекітілді: сандар өзгереді.</strong>" in kk


def test_the_endpoint_is_cheap(client, counted, django_assert_max_num_queries):
    client.force_login(counted.tec)
    with django_assert_max_num_queries(12):
        assert client.get(url(counted, unit=counted.district.pk)).status_code == 200


def test_the_page_marks_its_live_figures_and_polls_only_while_counting(client, counted):
    client.force_login(counted.cec)
    page = reverse("results_reports:election", args=[counted.election.pk])
    html = client.get(page).content.decode()
    assert 'data-live-poll="1"' in html
    assert f'data-live-url="{url(counted, basis="official")}"' in html
    assert '<dd data-live="certified">1</dd>' in html
    assert '<dd data-live="turnout_percent">75.00</dd>' in html
    assert 'data-live-lost="Connection lost, retrying…"' in html
    assert '<script src="/static/results/live.js" defer></script>' in html
    Election.objects.filter(pk=counted.election.pk).update(status=Election.Status.RESULTS_ESTABLISHED)
    html = client.get(page).content.decode()
    assert 'data-live-poll="0"' in html


def test_the_page_says_when_aggregation_is_behind(client, counted):
    with clock.frozen(LATER):
        certify_protocol(verify_station2(counted), counted.tec)
    client.force_login(counted.cec)
    html = client.get(reverse("results_reports:election", args=[counted.election.pk])).content.decode()
    assert (
        '<strong class="live-behind" data-live-behind>Protocols were certified after these figures were computed: '
        "the figures will change.</strong>"
    ) in html


def test_the_script_is_served_and_needs_nothing_from_outside():
    path = finders.find("results/live.js")
    assert path is not None
    with open(path, encoding="utf-8") as f:
        script = f.read()
    assert "http" not in script and "import " not in script
    assert "visibilityState" in script and "data-live-computed" in script
    assert "MAX_DELAY = 300000" in script
