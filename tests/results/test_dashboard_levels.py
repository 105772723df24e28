"""The dashboard's levels (issue 23): election -> region -> district -> contest -> polling station,
each scoped to the viewer's territory, with breadcrumbs, sorted and paged lists in one unit order,
the blind-entry rule on the station page, and a search."""

import re

import pytest
from django.urls import reverse

from results.aggregation import recompute
from results.level_lists import PAGE_SIZE, sorted_rows
from results.services import certify_protocol, save_entry

from .helpers import verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted(world):
    """Station 1 of the Karaganda contest certified, then aggregated."""
    certify_protocol(verified(world), world.tec)
    recompute(world.election)
    return world


def u(name, *args):
    return reverse(f"results_reports:{name}", args=args)


def test_the_levels_link_down_from_the_country_to_a_polling_station(client, counted):
    w = counted
    client.force_login(w.cec)
    e = w.election.pk
    country = client.get(u("election", e)).content.decode()
    assert u("unit", e, w.region.pk) in country
    region = client.get(u("unit", e, w.region.pk)).content.decode()
    assert u("unit", e, w.district.pk) in region
    district = client.get(u("unit", e, w.district.pk)).content.decode()
    assert u("contest", e, w.contest.pk) in district
    contest = client.get(u("contest", e, w.contest.pk))
    assert u("station", e, w.protocol.pk) in contest.content.decode()
    assert [c["name"] for c in contest.context["candidates"]] == ["Ахметов Test", "Бекова Test", "Садыков Test"]
    station = client.get(u("station", e, w.protocol.pk))
    assert station.status_code == 200
    # The breadcrumbs: the election, the region, the district, the contest, each a link.
    assert [label for label, _url in station.context["level"].crumbs] == [
        str(w.election),
        "Карагандинская область",
        "Абайский район",
        "Сельский округ А",
    ]


def test_a_districts_staff_cannot_open_pages_above_or_beside_their_district(client, counted):
    w = counted
    client.force_login(w.tec)
    e = w.election.pk
    assert client.get(u("unit", e, w.region.pk)).status_code == 404
    assert client.get(u("unit", e, w.other_region.pk)).status_code == 404
    assert client.get(u("unit", e, w.other_district.pk)).status_code == 404
    assert client.get(u("contest", e, w.other_contest.pk)).status_code == 404
    response = client.get(u("unit", e, w.district.pk))
    assert response.status_code == 200
    links = {href.split("?")[0] for href in re.findall(r'href="([^"]+)"', response.content.decode())}
    assert u("unit", e, w.region.pk) not in links and u("election", e) not in links
    assert [label for label, _url in response.context["level"].crumbs] == ["Абайский район"]


def test_a_regions_staff_start_at_their_region(client, counted):
    client.force_login(counted.regional)
    response = client.get(u("election", counted.election.pk))
    assert response["Location"] == u("unit", counted.election.pk, counted.region.pk)
    assert client.get(u("unit", counted.election.pk, counted.district.pk)).status_code == 200


def test_a_village_is_not_a_level(client, counted):
    client.force_login(counted.cec)
    assert client.get(u("unit", counted.election.pk, counted.rural.pk)).status_code == 404


def test_the_station_page_hides_an_unfinished_entry_from_everyone_but_its_clerk(client, world):
    save_entry(world.protocol, world.clerk1, world.values(voters="1000"), finish=True)
    page = u("station", world.election.pk, world.protocol.pk)
    client.force_login(world.cec)
    response = client.get(page)
    voters = response.context["figures"][0]
    assert (voters["code"], voters["official"], voters["a"]) == ("V", None, None)  # hidden
    assert "hidden" in response.content.decode()
    save_entry(world.protocol, world.clerk2, world.values(voters="1000"), finish=True)
    response = client.get(page)
    voters = response.context["figures"][0]
    assert (voters["official"], voters["a"], voters["b"]) == (1000, 1000, 1000)
    actions = [row["action"] for row in response.context["history"]]
    assert actions[-2:] == ["second entry started", "second entry finished: both entries agree"]


def test_units_are_in_one_order_by_kato_or_by_name_kept_in_the_session(client, counted):
    client.force_login(counted.cec)
    e = counted.election.pk
    by_kato = client.get(u("election", e)).context["children"]
    assert [r["kato"] for r in by_kato] == ["110000000", "350000000"]
    by_name = client.get(u("election", e) + "?order=name").context["children"]
    assert [r["name"] for r in by_name] == ["Акмолинская область", "Карагандинская область"]
    # Remembered: the next page without ?order= keeps the order by name.
    assert client.get(u("unit", e, counted.region.pk)).context["order"] == "name"
    client.get(u("election", e) + "?order=kato")
    assert client.get(u("unit", e, counted.region.pk)).context["order"] == "kato"


def test_lists_sort_by_turnout_and_progress_either_way(client, counted):
    client.force_login(counted.cec)
    e = counted.election.pk
    rows = client.get(u("election", e) + "?sort=-progress").context["children"]
    assert [r["kato"] for r in rows] == ["350000000", "110000000"]  # Karaganda has one of two certified
    rows = client.get(u("election", e) + "?sort=progress").context["children"]
    assert [r["kato"] for r in rows] == ["110000000", "350000000"]
    response = client.get(u("election", e) + "?sort=-unit")
    assert [r["kato"] for r in response.context["children"]] == ["350000000", "110000000"]
    assert response.context["sort"] == "-unit"
    assert client.get(u("election", e) + "?sort=bogus").context["sort"] == "unit"


def test_rows_without_a_figure_come_last_either_way():
    rows = [{"name": "b", "kato": "2", "turnout": None}, {"name": "a", "kato": "1", "turnout": 5}]
    rows.append({"name": "c", "kato": "3", "turnout": 7})
    assert [r["kato"] for r in sorted_rows(rows, "kato", "turnout", True)] == ["3", "1", "2"]
    assert [r["kato"] for r in sorted_rows(rows, "kato", "turnout", False)] == ["1", "3", "2"]
    assert [r["kato"] for r in sorted_rows(rows, "name", "unit", False)] == ["1", "2", "3"]


def test_polling_stations_are_in_number_order_by_name_too():
    rows = [{"name": f"No. {n}", "kato": f"{n:06d}", "sort_name": f"{n:06d}"} for n in (10, 2)]
    assert [r["name"] for r in sorted_rows(rows, "name", "unit", False)] == ["No. 2", "No. 10"]


def test_lists_are_paged(client, counted, monkeypatch):
    from results import level_lists

    monkeypatch.setattr(level_lists, "PAGE_SIZE", 1)
    client.force_login(counted.cec)
    e = counted.election.pk
    first = client.get(u("election", e) + "?sort=-unit")
    assert [r["kato"] for r in first.context["children"]] == ["350000000"]
    assert "?sort=-unit&amp;page=2" in first.content.decode()
    second = client.get(u("election", e) + "?sort=-unit&page=2")
    assert [r["kato"] for r in second.context["children"]] == ["110000000"]
    assert PAGE_SIZE == 20


def test_search_finds_units_contests_and_candidates_in_the_viewers_territory(client, counted):
    client.force_login(counted.cec)
    e = counted.election.pk
    response = client.get(u("search", e) + "?q=Ахмет")
    groups = {key: [str(r.pk) for r in page] for key, _label, page, _urls in response.context["groups"]}
    assert groups == {"units": [], "contests": [], "candidates": [str(counted.c1.pk)]}
    assert u("contest", e, counted.contest.pk) in response.content.decode()
    response = client.get(u("search", e) + "?q=3520")
    groups = {key: [r.pk for r in page] for key, _label, page, _urls in response.context["groups"]}
    assert groups == {"units": [counted.district.pk], "contests": [counted.contest.pk], "candidates": []}
    client.force_login(counted.tec)
    response = client.get(u("search", e) + "?q=Чужой")  # the Akmola candidate: outside the district
    assert [list(page) for _key, _label, page, _urls in response.context["groups"]] == [[], [], []]
    response = client.get(u("search", e) + "?q=1")
    assert response.context["too_short"] and response.context["groups"] == []


def test_every_level_page_has_a_search_box_and_the_live_hook(client, counted):
    client.force_login(counted.cec)
    e = counted.election.pk
    for page in (u("election", e), u("unit", e, counted.region.pk), u("contest", e, counted.contest.pk)):
        response = client.get(page)
        assert f'action="{u("search", e)}"' in response.content.decode()
        assert response.context["level"].election == counted.election


def test_level_pages_cost_a_bounded_number_of_queries(client, counted, django_assert_max_num_queries):
    client.force_login(counted.cec)
    e = counted.election.pk
    pages = [
        u("election", e),
        u("unit", e, counted.region.pk),
        u("unit", e, counted.district.pk),
        u("contest", e, counted.contest.pk),
        u("station", e, counted.protocol.pk),
    ]
    for page in pages:
        client.get(page)
        with django_assert_max_num_queries(30):
            assert client.get(page).status_code == 200
