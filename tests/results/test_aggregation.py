"""Aggregation (results.aggregation.recompute): totals, bases, outcomes, roll-ups, locking, queries."""

from decimal import Decimal

import pytest
from django.db import DatabaseError

from core import clock
from results import aggregation
from results.aggregation import AggregationBusy, recompute
from results.models import CandidateResult, ContestResult, ProtocolState, TurnoutRollup
from results.outcomes import Code, Flag

from . import aggregation_data as data

pytestmark = pytest.mark.django_db

S = ProtocolState


@pytest.fixture
def setup():
    """Two districts of one region; three contests; protocols certified, verified and empty."""
    region = data.region("Karaganda")
    d1, d2 = data.district(region, "D1"), data.district(region, "D2")
    election = data.election()
    c1, cands1, st1 = data.contest(election, data.rural_district(d1), candidates=3, stations=2)
    c2, cands2, st2 = data.contest(election, data.rural_district(d1), candidates=2, stations=1)
    c3, cands3, st3 = data.contest(election, data.rural_district(d2), candidates=1, stations=1)
    data.simple_protocol(c1, st1[0], cands1, [300, 200, 100], invalid=10, mobile=20)
    data.simple_protocol(c1, st1[1], cands1, [100, 150, 50], invalid=5, state=S.VERIFIED)
    data.simple_protocol(c2, st2[0], cands2, [400, 400], invalid=0)
    data.protocol(c3, st3[0], S.EMPTY)
    return {
        "election": election,
        "region": region,
        "districts": (d1, d2),
        "contests": (c1, c2, c3),
        "cands": (cands1, cands2, cands3),
    }


def row(contest, basis="official"):
    return ContestResult.objects.get(contest=contest, basis=basis)


def snapshot(election):
    """Every result row of the election without computed_at (what a rerun must not change)."""
    return (
        sorted(
            tuple(sorted((k, str(v)) for k, v in r.items() if k not in ("id", "computed_at")))
            for r in ContestResult.objects.filter(election=election).values()
        ),
        sorted(
            tuple(sorted((k, str(v)) for k, v in r.items() if k not in ("id", "computed_at")))
            for r in CandidateResult.objects.filter(election=election).values()
        ),
        sorted(
            tuple(sorted((k, str(v)) for k, v in r.items() if k not in ("id", "computed_at")))
            for r in TurnoutRollup.objects.filter(election=election).values()
        ),
    )


# --- unhappy paths first --------------------------------------------------------------------------


def test_a_busy_election_raises_and_changes_nothing(setup, monkeypatch):
    election = setup["election"]
    recompute(election)
    before = snapshot(election)
    monkeypatch.setattr(aggregation.run, "lock_election", lambda election_id, blocking=False: False)
    from results.models import Protocol

    Protocol.objects.filter(state=S.VERIFIED).update(
        state=S.CERTIFIED, certified_at=clock.now(), certified_by=data._certifier()
    )
    with pytest.raises(AggregationBusy):
        recompute(election)
    assert snapshot(election) == before


def test_a_failure_while_writing_leaves_the_previous_tables(setup, monkeypatch):
    election = setup["election"]
    recompute(election)
    before = snapshot(election)
    c1 = setup["contests"][0]
    from results.models import Protocol

    Protocol.objects.filter(contest=c1, state=S.VERIFIED).update(
        state=S.CERTIFIED, certified_at=clock.now(), certified_by=data._certifier()
    )

    def boom(*args, **kwargs):
        raise DatabaseError("disk full")

    # The last write of the run (the roll-ups) fails: the contest rows written before it roll back too.
    monkeypatch.setattr(aggregation.run, "_write_rollups", boom)
    with pytest.raises(DatabaseError):
        recompute(election)
    assert snapshot(election) == before


def test_missing_protocols_make_the_contest_incomplete(setup):
    recompute(setup["election"])
    c1, _, c3 = setup["contests"]
    official = row(c1)
    assert (official.protocols_counted, official.protocols_expected) == (1, 2)
    assert official.outcome == Code.INCOMPLETE
    assert official.winner_id is None
    assert Flag.INCOMPLETE in official.flags
    assert row(c3).outcome == Code.INCOMPLETE
    assert Flag.FEW_CANDIDATES in row(c3).flags


def test_an_election_without_protocols_gives_incomplete_rows():
    region = data.region()
    election = data.election()
    c, _, _ = data.contest(election, data.rural_district(data.district(region)))
    recompute(election)
    r = row(c)
    assert r.outcome == Code.INCOMPLETE
    assert r.turnout_percent is None
    assert (r.protocols_counted, r.protocols_expected) == (0, 0)


# --- totals and bases -----------------------------------------------------------------------------


def test_official_counts_certified_only_and_preliminary_adds_verified(setup):
    recompute(setup["election"])
    c1 = setup["contests"][0]
    official, prelim = row(c1), row(c1, "preliminary")
    assert official.ballots_issued == 610
    assert official.ballots_found == 610
    assert official.invalid == 10
    assert official.valid == 600
    assert official.registered_voters == 1000
    assert official.turnout_percent == Decimal("61.00")
    assert prelim.ballots_issued == 610 + 305
    assert prelim.registered_voters == 2000
    assert prelim.protocols_counted == 2
    assert prelim.outcome == Code.ELECTED
    cands = setup["cands"][0]
    assert prelim.winner_id == cands[0].pk
    votes = dict(CandidateResult.objects.filter(contest=c1, basis="preliminary").values_list("candidacy_id", "votes"))
    assert votes == {cands[0].pk: 400, cands[1].pk: 350, cands[2].pk: 150}
    shares = dict(
        CandidateResult.objects.filter(contest=c1, basis="official").values_list("candidacy_id", "share_percent")
    )
    assert shares[cands[0].pk] == Decimal("50.00")
    assert shares[cands[2].pk] == Decimal("16.67")


def test_an_exact_tie_is_flagged_with_no_winner(setup):
    recompute(setup["election"])
    c2 = setup["contests"][1]
    r = row(c2)
    assert r.outcome == Code.TIE
    assert r.winner_id is None
    assert sorted(r.tied) == sorted(c.pk for c in setup["cands"][1])
    assert Flag.TIE in r.flags
    ranks = set(CandidateResult.objects.filter(contest=c2, basis="official").values_list("rank", flat=True))
    assert ranks == {1}


def test_roll_ups_per_unit_district_region_and_election(setup):
    recompute(setup["election"])
    election = setup["election"]
    d1, d2 = setup["districts"]
    get = lambda **kw: TurnoutRollup.objects.get(election=election, basis="official", **kw)  # noqa: E731
    whole = get(level="election")
    assert whole.unit_id is None
    assert (whole.registered_voters, whole.ballots_issued) == (2000, 610 + 800)
    assert whole.turnout_percent == Decimal("70.50")
    assert (whole.protocols_counted, whole.protocols_expected) == (2, 4)
    assert (whole.contests, whole.contests_complete) == (3, 1)
    assert get(level="region", unit=setup["region"]).ballots_issued == 1410
    assert get(level="district", unit=d1).protocols_expected == 3
    assert get(level="district", unit=d2).turnout_percent is None
    assert TurnoutRollup.objects.filter(election=election, level="unit").count() == 6  # 3 units x 2 bases


def test_the_election_rules_decide_the_outcome():
    region = data.region()
    election = data.election(winner_rule="absolute_majority")
    c, cands, stations = data.contest(election, data.rural_district(data.district(region)), candidates=3)
    data.simple_protocol(c, stations[0], cands, [50, 30, 20])
    recompute(election)
    r = row(c)
    assert r.outcome == Code.RUNOFF
    assert r.runoff == [cands[0].pk, cands[1].pk]


def test_against_all_is_summed_and_can_invalidate():
    region = data.region()
    election = data.election(against_all=True, against_all_effect="invalidates_if_leads")
    c, cands, stations = data.contest(election, data.rural_district(data.district(region)), candidates=2)
    figs = data.figures(1000, 300, 0, 0, [100, 90], against_all=110)
    data.protocol(c, stations[0], S.CERTIFIED, figs, {cands[0]: 100, cands[1]: 90})
    recompute(election)
    r = row(c)
    assert r.against_all == 110
    assert r.valid == 300
    assert r.outcome == Code.INVALID_AGAINST_ALL


# --- idempotence, increments, reopening -----------------------------------------------------------


def test_running_twice_changes_nothing_but_the_time(setup):
    election = setup["election"]
    recompute(election)
    first = snapshot(election)
    recompute(election)
    recompute(election, [c.pk for c in setup["contests"]])
    assert snapshot(election) == first


def test_incremental_run_rewrites_only_the_given_contests(setup):
    election = setup["election"]
    import datetime

    early = datetime.datetime(2021, 7, 26, 0, 0, tzinfo=datetime.UTC)
    later = early + datetime.timedelta(hours=1)
    with clock.frozen(early):
        recompute(election)
    c1, c2, _ = setup["contests"]
    with clock.frozen(later):
        summary = recompute(election, [c1])
    assert summary.contests == 1 and summary.full is False
    assert row(c1).computed_at == later
    assert row(c2).computed_at == early
    # Roll-ups always cover the whole election.
    assert TurnoutRollup.objects.get(election=election, basis="official", level="election").computed_at == later


def test_reopening_removes_the_protocol_from_official_totals(setup):
    from results.models import Protocol, ProtocolVote

    election = setup["election"]
    c1 = setup["contests"][0]
    recompute(election)
    assert row(c1).ballots_issued == 610
    certified = Protocol.objects.get(contest=c1, state=S.CERTIFIED)
    ProtocolVote.objects.filter(protocol=certified).delete()
    Protocol.objects.filter(pk=certified.pk).update(
        state=S.FIRST_ENTRY_IN_PROGRESS,
        voters=None, ballots_received=None, issued_station=None, issued_mobile=None, spoiled=None, unused=None,
        found_stationary=None, found_mobile=None, invalid=None, against_all=None, certified_at=None, certified_by=None,
    )  # fmt: skip
    recompute(election, [c1.pk])
    official = row(c1)
    assert (official.ballots_issued, official.protocols_counted) == (0, 0)
    assert set(CandidateResult.objects.filter(contest=c1, basis="official").values_list("votes", flat=True)) == {0}


def test_other_elections_are_untouched(setup):
    other = data.election()
    c, cands, stations = data.contest(other, data.rural_district(setup["districts"][1]))
    data.simple_protocol(c, stations[0], cands, [5, 3])
    recompute(other)
    before = snapshot(other)
    recompute(setup["election"])
    assert snapshot(other) == before
    assert ContestResult.objects.filter(election=other).count() == 2


# --- constant number of queries --------------------------------------------------------------------


def _election_with(n_contests, stations_per_contest):
    region = data.region()
    d = data.district(region)
    election = data.election()
    for _ in range(n_contests):
        c, cands, stations = data.contest(election, data.rural_district(d), candidates=3, stations=stations_per_contest)
        for i, station in enumerate(stations):
            data.simple_protocol(c, station, cands, [10 + i, 5, 3], state=S.CERTIFIED if i % 2 == 0 else S.VERIFIED)
    return election


def _count_queries(election, contests=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        recompute(election, contests)
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_the_election(django_assert_max_num_queries):
    small = _election_with(1, 3)  # 3 protocols
    large = _election_with(10, 3)  # 30 protocols
    small_count = _count_queries(small)
    with django_assert_max_num_queries(small_count):
        recompute(large)
    assert _count_queries(large) == small_count
    large_ids = list(large.contests.values_list("pk", flat=True))
    assert _count_queries(large, large_ids[:1]) == _count_queries(large, large_ids)
    # 12 for the result tables and roll-ups, up to 6 more for the anomaly flags (leaders, their votes,
    # the protocols, the delete, the insert when any; results.aggregation.flags).
    assert small_count <= 18


def test_an_incremental_run_after_a_change_equals_a_full_run(setup):
    from results.models import Protocol

    election = setup["election"]
    recompute(election)
    c1 = setup["contests"][0]
    Protocol.objects.filter(contest=c1, state=S.VERIFIED).update(
        state=S.CERTIFIED, certified_at=clock.now(), certified_by=data._certifier()
    )
    recompute(election, [c1.pk])
    incremental = snapshot(election)
    recompute(election)
    assert snapshot(election) == incremental
    district = TurnoutRollup.objects.get(
        election=election, basis="official", level="district", unit=setup["districts"][0]
    )
    assert district.protocols_counted == 3
