"""The anomaly flags a run writes (results.aggregation.flags.refresh): only the differences, with the
same flags as a run into an empty table; the stations read in one query as the rules need them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from results import anomalies
from results.aggregation import flags, recompute
from results.models import AnomalyFlag, CandidateResult, Protocol

from . import aggregation_data as data

pytestmark = pytest.mark.django_db


def flag_rows(election):
    return sorted(
        AnomalyFlag.objects.filter(election=election).values_list(
            "contest_id", "polling_station_id", "district_id", "code", "values"
        ),
        key=repr,
    )


def test_a_rerun_keeps_the_unchanged_flags_rows_and_writes_nothing(district_of_seven):
    election, _district, _made = district_of_seven
    recompute(election)
    before = list(AnomalyFlag.objects.filter(election=election).values_list("pk", "computed_at").order_by("pk"))
    assert before
    with CaptureQueriesContext(connection) as ctx:
        recompute(election)
    writes = [q["sql"] for q in ctx.captured_queries if "results_anomalyflag" in q["sql"]]
    assert all(sql.lstrip().startswith("SELECT") for sql in writes), writes
    assert list(AnomalyFlag.objects.filter(election=election).values_list("pk", "computed_at").order_by("pk")) == before


def test_after_a_change_the_flags_equal_those_written_into_an_empty_table(district_of_seven):
    election, _district, made = district_of_seven
    recompute(election)
    _, _, protocol = made[0]
    Protocol.objects.filter(pk=protocol.pk).update(
        issued_station=1000, found_stationary=1000, unused=0, ballots_received=1000
    )
    first = protocol.votes.order_by("candidacy_id").first()
    protocol.votes.filter(pk=first.pk).update(votes=first.votes + 510)
    recompute(election)
    written = flag_rows(election)
    AnomalyFlag.objects.filter(election=election).delete()
    recompute(election)
    assert flag_rows(election) == written
    assert len(written) > 3


def test_the_stations_carry_their_contest_leaders_votes(district_of_seven):
    """The leader as anomalies.leaders picks it from the preliminary candidate rows (most votes,
    lowest id among equals); its vote count in each protocol; None where the contest has no rows."""
    election, _district, made = district_of_seven
    recompute(election)
    contest, station, protocol = made[2]
    # A tie: the lower candidacy id leads.
    CandidateResult.objects.filter(contest=contest, basis="preliminary").update(votes=7)
    low = min(CandidateResult.objects.filter(contest=contest).values_list("candidacy_id", flat=True))
    other_contest, other_station, _ = made[3]
    CandidateResult.objects.filter(contest=other_contest).delete()
    found = {s.polling_station: s for s in flags.stations(election)}
    assert found[station.pk].leader_votes == protocol.votes.get(candidacy_id=low).votes
    assert found[other_station.pk].leader_votes is None
    votes = {}
    for c, k, n in CandidateResult.objects.filter(election=election, basis="preliminary").values_list(
        "contest_id", "candidacy_id", "votes"
    ):
        votes.setdefault(c, {})[k] = n
    assert anomalies.leaders(votes)[contest.pk] == low
    scoped = flags.stations(election, Protocol.objects.filter(contest=contest))
    assert [s.polling_station for s in scoped] == [station.pk]
    assert scoped[0] == found[station.pk]


@pytest.fixture
def two_districts_and_none():
    """Contest A: 3 stations in district A. Contest B: 4 stations, 2 in district B and 2 whose
    protocols lie in no district (a contest across them). One station of A at 100% turnout."""
    region = data.region()
    election = data.election()
    district_a, district_b = data.district(region, "A"), data.district(region, "B")
    made = {}
    for name, district, n in (("A", district_a, 3), ("B", district_b, 4)):
        contest, cands, stations = data.contest(election, data.rural_district(district), candidates=2, stations=n)
        made[name] = [
            data.simple_protocol(contest, s, cands, [1000 - 200, 200] if (name, i) == ("A", 0) else [300 + 10 * i, 200])
            for i, s in enumerate(stations)
        ]
    Protocol.objects.filter(pk__in=[p.pk for p in made["B"][2:]]).update(district=None)
    return election, district_a, district_b, made


def test_the_stations_come_one_whole_district_at_a_time_in_order(two_districts_and_none, monkeypatch):
    """Fetched two rows at a time, each district still comes whole and once: A, B, then no district."""
    election, district_a, district_b, made = two_districts_and_none
    recompute(election)
    monkeypatch.setattr(flags, "BATCH", 2)
    groups = list(flags.district_groups(election))
    assert [[s.district for s in g] for g in groups] == [[district_a.pk] * 3, [district_b.pk] * 2, [None] * 2]
    everything = sorted(flags.stations(election), key=lambda s: s.polling_station)
    assert sorted((s for g in groups for s in g), key=lambda s: s.polling_station) == everything
    scoped = list(flags.district_groups(election, Protocol.objects.filter(pk__in=[p.pk for p in made["B"]])))
    assert [[s.district for s in g] for g in scoped] == [[district_b.pk] * 2, [None] * 2]
    assert list(flags.district_groups(election, Protocol.objects.none())) == []
    assert flags.stations(election, Protocol.objects.none()) == []


def test_a_run_writes_the_flags_of_the_rules_over_all_stations_at_once(two_districts_and_none, monkeypatch):
    """The district-by-district run writes what the rules give over the whole election read at once."""
    election, *_ = two_districts_and_none
    monkeypatch.setattr(flags, "BATCH", 2)
    recompute(election)
    found = flags.stations(election)
    expected = anomalies.station_flags(found) + anomalies.contest_flags(found)
    rows = [(f.contest, f.polling_station, f.district, f.code, f.values) for f in expected]
    assert flag_rows(election) == sorted(rows, key=repr)
    assert anomalies.TURNOUT_NEAR_FULL in {code for *_, code, _ in rows}


def test_contest_totals_add_up_in_any_order_and_in_any_number_of_calls():
    def station(contest, n, district, voters, issued):
        return anomalies.Station(contest, n, district, voters, issued, issued, 0, 0)

    stations = [station(1, 1, 10, 100, 100), station(1, 2, None, 100, 98), station(2, 3, 10, 50, 40)]
    stations.append(station(2, 4, 10, 50, 10))
    for order in (stations, stations[::-1], [stations[1], stations[3], stations[0], stations[2]]):
        totals = anomalies.add_contest_totals({}, order[:1])
        assert anomalies.add_contest_totals(totals, order[1:]) is totals
        assert totals == {1: (200, 198, None), 2: (100, 50, 10)}
        flagged = anomalies.flags_of_contest_totals(totals)
        assert flagged == anomalies.contest_flags(stations)
        assert [(f.contest, f.district, f.values) for f in flagged] == [
            (1, None, {"percent": "99.00", "part": 198, "whole": 200})
        ]
