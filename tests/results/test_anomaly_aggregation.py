"""Aggregation writes the anomaly flags (results.aggregation.flags): every run replaces the
election's flags with those of its protocols with figures (verified and certified)."""

import pytest

from results.aggregation import recompute, update
from results.models import AnomalyFlag, Protocol, ProtocolState

from . import aggregation_data as data

pytestmark = pytest.mark.django_db

S = ProtocolState


def test_a_full_run_writes_the_flags_with_their_figures(district_of_seven):
    election, district, made = district_of_seven
    contest, station, _ = made[6]
    recompute(election)
    rows = AnomalyFlag.objects.filter(election=election).values_list("contest_id", "polling_station_id", "code")
    rows = sorted(rows, key=lambda r: (r[1] is not None, r[2]))
    assert sorted(rows, key=lambda r: (r[1] is not None, r[2])) == [
        (contest.pk, None, "turnout.near_full"),
        (contest.pk, station.pk, "turnout.near_full"),
        (contest.pk, station.pk, "turnout.outlier"),
    ]
    outlier = AnomalyFlag.objects.get(code="turnout.outlier")
    assert outlier.district_id == district.pk
    assert outlier.values == {
        "percent": "100.00",
        "district_median": "50.00",
        "z": "33.72",
        "stations": 7,
        "part": 1000,
        "whole": 1000,
    }
    assert outlier.explanation().startswith("Turnout 100.00% is far from the median of the district's 7 stations")


def test_a_run_replaces_the_flags_and_an_incremental_one_recomputes_them(district_of_seven):
    election, _district, made = district_of_seven
    recompute(election)
    recompute(election)
    assert AnomalyFlag.objects.filter(election=election).count() == 3
    # The 100% station is reopened (no figures): its flags go at the next run, incremental too.
    contest, _station, protocol = made[6]
    Protocol.objects.filter(pk=protocol.pk).update(state=S.EMPTY)
    update(election, [contest.pk])
    assert not AnomalyFlag.objects.filter(election=election).exists()


def test_stations_without_figures_and_other_elections_are_left_alone(district_of_seven):
    election, _district, _made = district_of_seven
    other = data.election()
    recompute(other)
    assert not AnomalyFlag.objects.filter(election=other).exists()
    recompute(election)
    recompute(other)
    assert AnomalyFlag.objects.filter(election=election).count() == 3


def _flags(election):
    return sorted(
        AnomalyFlag.objects.filter(election=election).values_list("contest_id", "polling_station_id", "code", "values"),
        key=repr,
    )


def test_an_incremental_run_replaces_the_touched_districts_flags_as_a_full_run_would(district_of_seven):
    election, district, made = district_of_seven
    # A second district, at 100% in one of its seven stations too: its flags must stay as they are.
    second = data.district(district.parent, "D2")
    for issued in [490, 490, 500, 500, 510, 510, 995]:
        contest, cands, (station,) = data.contest(election, data.rural_district(second), candidates=2)
        data.simple_protocol(contest, station, cands, [issued - 100, 100])
    recompute(election)
    assert AnomalyFlag.objects.filter(election=election, district=second).count() == 4
    # In the first district a station goes from 51% to 100%: its flags appear, the others move.
    contest, station, protocol = made[5]
    Protocol.objects.filter(pk=protocol.pk).update(
        issued_station=1000, found_stationary=1000, unused=0, ballots_received=1000
    )
    first = protocol.votes.order_by("candidacy_id").first()
    protocol.votes.filter(pk=first.pk).update(votes=first.votes + 490)
    untouched = AnomalyFlag.objects.filter(district=second).values_list("pk", "computed_at")
    before = list(untouched)
    recompute(election, [contest.pk])
    incremental = _flags(election)
    assert list(untouched) == before  # the other district's rows not even rewritten
    assert (contest.pk, station.pk, "turnout.near_full") in [row[:3] for row in incremental]
    recompute(election)
    assert _flags(election) == incremental


@pytest.mark.postgres
def test_a_delta_run_replaces_the_touched_districts_flags_as_a_full_run_would(district_of_seven):
    from results.aggregation import apply_deltas

    election, _district, made = district_of_seven
    recompute(election)
    before = _flags(election)
    # A station goes from 51% to 100% (raw UPDATEs: the triggers queue them as for any writer).
    contest, station, protocol = made[5]
    Protocol.objects.filter(pk=protocol.pk).update(
        issued_station=1000, found_stationary=1000, unused=0, ballots_received=1000
    )
    first = protocol.votes.order_by("candidacy_id").first()
    protocol.votes.filter(pk=first.pk).update(votes=first.votes + 490)
    summary = apply_deltas(election)
    assert summary.delta and summary.contests == 1
    after_delta = _flags(election)
    assert after_delta != before
    assert (contest.pk, station.pk, "turnout.near_full") in [row[:3] for row in after_delta]
    recompute(election)
    assert _flags(election) == after_delta
