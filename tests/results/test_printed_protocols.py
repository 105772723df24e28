"""Printed protocols carry what the paper ones do: the commission's name and number, the place, the
date and time of signing, a signature line per chair, deputy, secretary and member (from the
commission's memberships), on A4, in the active language."""

import datetime
import pathlib

import pytest
from django.urls import reverse
from django.utils import translation

from results import printing
from results.aggregation import recompute
from results.services import certify_protocol
from territory.models import Commission, Membership

from .factories import user
from .helpers import first_done, verified

pytestmark = pytest.mark.django_db

PRINT_CSS = pathlib.Path(__file__).resolve().parents[2] / "static" / "results" / "print.css"


def seat(commission, username, role, first, last, **kw):
    u = user(username, first_name=first, last_name=last)
    Membership.objects.create(user=u, commission=commission, role=role, **kw)
    return u


@pytest.fixture
def counted(world):
    certify_protocol(verified(world), world.tec)
    recompute(world.election)
    return world


def contest_print(client, w, **params):
    return client.get(reverse("results_reports:protocol", args=[w.contest.pk]), params)


def test_the_establishing_commission_is_the_nearest_territorial_one(world):
    assert printing.establishing_commission(world.contest) == world.district_tec
    world.district_tec.memberships.all().delete()
    world.district_tec.delete()
    assert printing.establishing_commission(world.contest) == world.regional_tec
    world.regional_tec.memberships.all().delete()
    world.regional_tec.delete()
    assert printing.establishing_commission(world.contest) == world.cec_commission


def test_the_results_protocol_names_commission_place_time_and_signatories(client, counted):
    w = counted
    seat(w.district_tec, "sec", "secretary", "Айгуль", "Секретарева")
    seat(w.district_tec, "m1", "member", "Бауыржан", "Членов")
    seat(w.district_tec, "dep", "deputy", "Данияр", "Заместителев")
    seat(w.district_tec, "gone", "member", "Ушедший", "Бывший", active_to=datetime.date(2021, 7, 1))
    client.force_login(w.tec)
    html = contest_print(client, w).content.decode()
    assert '<p class="issuer">ТИК района</p>' in html
    assert "Place: Сельский округ А, Абайский район, Карагандинская область" in html
    # Counting night 21:00 UTC on 25 July 2021 is 03:00 on the 26th in Almaty (UTC+6 then).
    assert "Protocol signed on July 26, 2021 at 03:00 (Asia/Almaty)." in html
    rows = [
        ("Chair of the commission", "tec-district"),
        ("Deputy chair of the commission", "Данияр Заместителев"),
        ("Secretary of the commission", "Айгуль Секретарева"),
        ("Member of the commission", "Бауыржан Членов"),
    ]
    positions = [html.index(f'<th scope="row">{role}</th><td class="name">{name}</td>') for role, name in rows]
    assert positions == sorted(positions)
    assert "Бывший" not in html  # no longer on the commission on the day of signing
    assert "Seal of the commission" in html


def test_a_commission_without_a_secretary_still_gets_the_line(client, counted):
    client.force_login(counted.tec)
    html = contest_print(client, counted).content.decode()
    assert '<th scope="row">Secretary of the commission</th><td class="name">____________________</td>' in html


def test_the_precinct_protocol_bears_the_commission_number_and_the_station_address(client, world):
    from territory.models import PollingStation

    PollingStation.objects.filter(pk=world.station.pk).update(address="село А, школа, ул. Абая, 1")
    seat(world.precinct, "p-sec", "secretary", "Сара", "Секретарь")
    p = verified(world)
    client.force_login(world.chair)
    response = client.get(reverse("results:protocol_print", args=[p.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<p class="issuer">УИК 1, No. 1</p>' in html
    assert "Protocol of precinct election commission No. 1 on the results of the vote" in html
    assert "Place: село А, школа, ул. Абая, 1, Сельский округ А, Абайский район" in html
    assert "Protocol signed on July 26, 2021 at 03:00 (Asia/Almaty)." in html
    assert '<th scope="row">1. Voters on the list (V)</th><td>1000</td>' in html
    assert "<td>1</td><td>Ахметов Test</td><td>400</td>" in html
    for role, name in [("Chair of the commission", "chair1"), ("Secretary of the commission", "Сара Секретарь")]:
        assert f'<th scope="row">{role}</th><td class="name">{name}</td>' in html
    assert html.count('<th scope="row">Member of the commission</th>') == 3  # clerk1, clerk2, clerk3
    assert 'href="/static/results/print.css" media="print"' in html


def test_before_verification_the_lines_are_blank_never_an_entrys_figures(client, world):
    p = first_done(world)
    client.force_login(world.chair)
    html = client.get(reverse("results:protocol_print", args=[p.pk])).content.decode()
    assert "no official figures yet: the lines are left blank" in html
    assert '<th scope="row">1. Voters on the list (V)</th><td></td>' in html
    assert "<td>400</td>" not in html


@pytest.mark.parametrize("who", ["outsider", "nobody", "outsider_tec"])
def test_a_protocol_outside_the_territory_is_404(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse("results:protocol_print", args=[world.protocol.pk])).status_code == 404


def test_anonymous_users_go_to_the_login_page(client, world):
    response = client.get(reverse("results:protocol_print", args=[world.protocol.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("results:login"))


def test_a_precinct_commission_without_members_gets_blank_chair_and_secretary_lines(world):
    lines = printing.signature_lines(None, datetime.date(2021, 7, 26))
    assert [(str(role), name) for role, name in lines] == [
        ("Chair of the commission", ""),
        ("Secretary of the commission", ""),
    ]
    bare = Commission.objects.create(kind="district", name="ТИК без членов", unit=world.other_district)
    assert [name for _role, name in printing.signature_lines(bare, datetime.date(2021, 7, 26))] == ["", ""]


def test_print_css_is_a4_and_hides_the_screen_chrome():
    css = PRINT_CSS.read_text()
    assert "@page { size: A4;" in css
    assert ".top, .messages, .language-switcher" in css


@pytest.mark.parametrize(
    ("language", "chair", "date"),
    [("ru", "Председатель комиссии", "26 июля 2021"), ("kk", "Комиссия төрағасы", "2021")],
)
def test_printed_in_the_active_language(client, counted, language, chair, date):
    client.force_login(counted.tec)
    with translation.override(language):
        html = client.get(
            reverse("results_reports:protocol", args=[counted.contest.pk]), HTTP_ACCEPT_LANGUAGE=language
        ).content.decode()
    assert f'lang="{language}"' in html
    assert f'<th scope="row">{chair}</th>' in html
    assert date in html
