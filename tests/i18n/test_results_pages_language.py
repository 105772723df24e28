"""The other results pages in kk, ru and en (issue 19): the clerks' list and entry form, the
supervision list and a discrepancy, the dashboard and a contest's rounds show no text of another
language (names of people, places and commissions aside)."""

import pytest
from django.urls import reverse

from core import clock
from results.aggregation import recompute
from results.models import Protocol
from results.services import save_entry
from tests.results.factories import COUNTING, member, user

from .test_exports_language import assert_one_language, rename_after_the_election
from .test_tec_names import visible

pytestmark = pytest.mark.django_db

LANGUAGES = ("kk", "ru", "en")
COMMISSIONS = ("ЦИК", "ТИК района", "ТИК 35", "УИК 1", "УИК 2")  # registered names, one text each


@pytest.fixture
def disputed(world):
    rename_after_the_election(world)
    region = world.other_region  # Akmola: named in the three languages too
    region.name_kk, region.name_ru, region.name_en = "Ақмола облысы", "Акмолинская область", "Akmola Region"
    region.save()
    world.protocol2 = Protocol.objects.get(contest=world.contest, polling_station=world.station2)
    world.clerk_of_station2 = member(user("clerk-2"), world.precinct2, "clerk")
    with clock.frozen(COUNTING):
        save_entry(world.protocol, world.clerk1, world.values(), finish=True)
        save_entry(world.protocol, world.clerk2, world.values(spoiled="11", unused="239"), finish=True)
        recompute(world.election)
    return world


def content(html, start, end):
    text = visible(html[html.index(start) : html.index(end)])
    for name in COMMISSIONS:
        text = text.replace(name, " ")
    return text


MAIN = ('<main id="main">', "</main>")  # the results pages' own content
ADMIN = ('id="content-main"', "<!-- END Content -->")  # the content of an admin page
PAGES = {
    "my stations": ("clerk1", lambda w: reverse("results:my_stations"), MAIN),
    "entry form": ("clerk_of_station2", lambda w: reverse("results:entry", args=[w.protocol2.pk]), MAIN),
    "discrepancies": ("chair", lambda w: reverse("results:discrepancies"), MAIN),
    "discrepancy": ("chair", lambda w: reverse("results:discrepancy", args=[w.protocol.pk]), MAIN),
    "dashboard": ("cec", lambda w: reverse("results_reports:election", args=[w.election.pk]), ADMIN),
    "rounds": ("cec", lambda w: reverse("results_reports:rounds", args=[w.contest.pk]), ADMIN),
}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_results_page_speaks_one_language(disputed, in_language, language, page):
    username, url, (start, end) = PAGES[page]
    client = in_language(language)
    client.force_login(getattr(disputed, username))
    response = client.get(url(disputed))
    assert response.status_code == 200, page
    assert_one_language(content(response.content.decode(), start, end), language)
