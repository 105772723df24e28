"""The office-terms API resource: filters, territory of the caller, and no personal data beyond the
name, the unit, the party at election and the dates."""

import datetime

import pytest

from core import clock
from registry.models import Candidacy, Election
from registry.offices import services as offices

from . import factories as f

pytestmark = pytest.mark.django_db
URL = "/api/v1/office-terms/"
d = datetime.date


@pytest.fixture
def terms(units):
    election = f.election(status=Election.Status.RESULTS_ESTABLISHED, results_established_on=d(2021, 7, 27))
    contest = f.contest(election, units["35-rd1"])
    party = f.party()
    winner = Candidacy.objects.create(
        person=f.person(d(1981, 1, 1), surname="Winner"),
        contest=contest,
        nomination_type="party",
        party=party,
        status="registered",
        nominated_on=d(2021, 7, 1),
    )
    with clock.frozen(f.at(d(2023, 5, 2), 10)):
        ours = offices.open_term_of_office(
            None,
            person=winner.person,
            unit=units["35-rd1"],
            office_type="rural_district",
            started_on=d(2021, 8, 2),
            election=election,
            candidacy=winner,
        )
        ended = offices.open_term_of_office(
            None,
            person=f.person(d(1982, 2, 2)),
            unit=units["35-rd2"],
            office_type="rural_district",
            started_on=d(2021, 8, 2),
        )
        offices.terminate_term(None, ended, reason="death", ended_on=d(2022, 2, 1))
        theirs = offices.open_term_of_office(
            None,
            person=f.person(d(1983, 3, 3)),
            unit=units["39-rd1"],
            office_type="rural_district",
            started_on=d(2021, 8, 2),
        )
    return {"ours": ours, "ended": ended, "theirs": theirs}


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"ours", "ended", "theirs"}),
        ("?in_office=true", {"ours", "theirs"}),
        ("?in_office=false", {"ended"}),
        ("?end_reason=death", {"ended"}),
        ("?region=39", {"theirs"}),
        ("?term_number=2", set()),
    ],
)
def test_filters(client, cec, terms, query, expected):
    client.force_login(cec)
    assert ids(client.get(URL + query)) == {terms[k].pk for k in expected}


def test_bad_filter_value_is_refused(client, cec, terms):
    client.force_login(cec)
    assert client.get(URL + "?in_office=perhaps").status_code == 400


def test_regional_staff_see_their_region_only(client, tec39, terms):
    client.force_login(tec39)
    assert ids(client.get(URL)) == {terms["theirs"].pk}


def test_row_has_name_unit_party_dates_and_nothing_personal(client, cec, terms):
    client.force_login(cec)
    row = client.get(f"{URL}{terms['ours'].pk}/").json()
    assert (row["surname"], row["unit"]["kato"], row["party"]["short_name"]) == ("Winner", "352010000", "Nur Otan")
    assert (row["started_on"], row["planned_end_on"], row["ended_on"], row["in_office"]) == (
        "2021-08-02",
        "2025-08-02",
        None,
        True,
    )
    text = client.get(URL).content.decode()
    person = terms["ours"].person
    assert person.iin not in text and "birth" not in text and "iin" not in text
    ended = client.get(f"{URL}{terms['ended'].pk}/").json()
    assert (ended["end_reason"], ended["party"], ended["by_election"] is not None) == ("death", None, True)
