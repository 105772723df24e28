"""The set-based aggregation (results.aggregation.sets, PostgreSQL): the outcome rules stated in SQL
give what results.outcomes.decide gives, on crafted cases (every branch, both sides of each
threshold) and generated ones; a run writes the rows the Python path writes, on the same data, in
a pinned number of statements. PostgreSQL only (SQLite runs the Python path, tested everywhere)."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from results import aggregation
from results.aggregation import recompute, sets
from results.models import CandidateResult, ContestResult, ProtocolState, TurnoutRollup
from results.outcomes import ABSOLUTE_MAJORITY, AGAINST_ALL_INVALIDATES, AGAINST_ALL_NONE, PLURALITY, Figures, Rules
from results.outcomes import decide as python_decide

from . import aggregation_data as data
from .aggregation_data import outcome_figures as case

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

S = ProtocolState

RULES = [
    Rules(),
    Rules(winner_rule=ABSOLUTE_MAJORITY),
    Rules(against_all=True, against_all_effect=AGAINST_ALL_INVALIDATES),
    Rules(against_all=True, against_all_effect=AGAINST_ALL_NONE),
    Rules(winner_rule=ABSOLUTE_MAJORITY, against_all=True, against_all_effect=AGAINST_ALL_INVALIDATES),
    Rules(min_turnout_percent=Decimal("50")),
    Rules(min_turnout_percent=Decimal("33.33"), winner_rule=ABSOLUTE_MAJORITY, min_candidates=3),
    Rules(min_candidates=1),
]


CASES = [
    # incomplete: a protocol missing, none expected
    case({1: 500, 2: 10}, counted=2, expected=3),
    case({1: 5, 2: 1}, counted=0, expected=0),
    case({}, counted=0, expected=0),
    # no candidates; a single candidate (with and without votes, with and without a majority)
    case({}),
    case({1: 10}),
    case({1: 0}),
    case({1: 40}, issued=100),
    case({1: 51}, issued=100),
    # no votes at all; no votes but against all
    case({1: 0, 2: 0}),
    case({1: 0, 2: 0}, against_all=5),
    # plurality winner, exact ties of two and three
    case({1: 300, 2: 200, 3: 100}),
    case({1: 300, 2: 300}),
    case({1: 3, 2: 3, 3: 3}),
    case({7: 3, 2: 3, 5: 1}),
    # the majority threshold: exactly half, one more, the base is ballots issued
    case({1: 50, 2: 40}, issued=100),
    case({1: 51, 2: 40}, issued=100),
    case({1: 50, 2: 49}, issued=99),
    case({1: 50, 2: 30}, issued=0),
    # runoff pairs: two leaders tied, a leader and a tie for second, three leaders
    case({1: 40, 2: 40, 3: 20}, issued=100),
    case({1: 40, 2: 30, 3: 30}, issued=100),
    case({1: 40, 2: 30, 3: 20}, issued=100),
    case({9: 30, 4: 30, 6: 30, 1: 10}, issued=100),
    case({3: 40, 8: 20, 2: 20, 5: 20}, issued=100),
    # turnout: below, exactly at, above the minimum; nobody registered
    case({1: 100, 2: 50}, registered=1000, issued=499),
    case({1: 100, 2: 50}, registered=1000, issued=500),
    case({1: 100, 2: 50}, registered=1000, issued=501),
    case({1: 100, 2: 50}, registered=3, issued=1),
    case({1: 100, 2: 50}, registered=0, issued=0),
    case({1: 3333, 2: 1}, registered=10000, issued=3333),
    case({1: 3333, 2: 1}, registered=10000, issued=3334),
    # against all: above, equal to, below the leader; equal to tied leaders
    case({1: 30, 2: 20}, against_all=31),
    case({1: 30, 2: 20}, against_all=30),
    case({1: 30, 2: 20}, against_all=29),
    case({1: 30, 2: 30}, against_all=30),
    case({1: 0}, against_all=1),
]


def as_tuple(outcome):
    return (outcome.code, outcome.winner, tuple(outcome.runoff), tuple(outcome.tied), tuple(outcome.flags))


@pytest.mark.parametrize("rules", RULES, ids=lambda r: repr(r))
def test_every_crafted_case_is_decided_as_the_python_rules_decide_it(rules):
    assert sets.decide_cases(rules, CASES) == [as_tuple(python_decide(f, rules)) for f in CASES]


def test_the_crafted_cases_reach_every_outcome_code():
    codes = {python_decide(f, r).code for f in CASES for r in RULES}
    from results.outcomes import Code

    assert codes == {value for value, _ in Code.CHOICES}


rules_strategy = st.builds(
    Rules,
    winner_rule=st.sampled_from([PLURALITY, ABSOLUTE_MAJORITY]),
    min_turnout_percent=st.sampled_from([Decimal(0), Decimal("25"), Decimal("50"), Decimal("33.33")]),
    against_all=st.booleans(),
    against_all_effect=st.sampled_from([AGAINST_ALL_NONE, AGAINST_ALL_INVALIDATES]),
    min_candidates=st.integers(1, 3),
)


@st.composite
def figures_strategy(draw):
    votes = draw(st.dictionaries(st.integers(1, 12), st.integers(0, 6), max_size=6))
    against = draw(st.integers(0, 6))
    valid = sum(votes.values()) + against
    issued = draw(st.integers(max(0, valid - 2), valid + 6))
    registered = draw(st.integers(0, 2 * issued + 2))
    expected = draw(st.integers(0, 3))
    counted = draw(st.integers(0, expected))
    return Figures(registered, issued, votes, against, counted, expected)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rules=rules_strategy, cases=st.lists(figures_strategy(), min_size=1, max_size=30))
def test_generated_cases_are_decided_as_the_python_rules_decide_them(rules, cases):
    assert sets.decide_cases(rules, cases) == [as_tuple(python_decide(f, rules)) for f in cases]


# --- the rows written ----------------------------------------------------------------------------


def snapshot(election):
    """Every result row of the election, computed_at aside."""
    return [
        sorted(
            tuple(sorted((k, str(v)) for k, v in r.items() if k not in ("id", "computed_at")))
            for r in model.objects.filter(election=election).values()
        )
        for model in (ContestResult, CandidateResult, TurnoutRollup)
    ]


def both_paths(election, monkeypatch, contests=None):
    """(rows of the Python path, rows of the set-based path), each run after clearing the tables."""
    out = []
    for set_based in (False, True):
        for model in (ContestResult, CandidateResult, TurnoutRollup):
            model.objects.filter(election=election).delete()
        if contests is not None:
            recompute(election)
        with monkeypatch.context() as m:
            m.setattr(sets, "supported", lambda set_based=set_based: set_based)
            recompute(election, contests)
        out.append(snapshot(election))
    return out


@pytest.fixture
def world():
    """Contests with every kind of outcome: incomplete, tie, elected, runoff, single candidate,
    no protocols, no candidates, a withdrawn candidacy with votes, verified and certified protocols."""
    region = data.region("R")
    d1, d2 = data.district(region, "D1"), data.district(region, "D2")
    election = data.election(winner_rule=ABSOLUTE_MAJORITY, min_turnout_percent=Decimal("10"))
    c1, k1, st1 = data.contest(election, data.rural_district(d1), candidates=3, stations=2)
    data.simple_protocol(c1, st1[0], k1, [300, 200, 100], invalid=10, mobile=20)
    data.simple_protocol(c1, st1[1], k1, [100, 150, 50], invalid=5, state=S.VERIFIED)
    c2, k2, st2 = data.contest(election, data.rural_district(d1), candidates=2, stations=1)
    data.simple_protocol(c2, st2[0], k2, [400, 400])
    c3, k3, st3 = data.contest(election, data.rural_district(d2), candidates=1, stations=1)
    data.protocol(c3, st3[0], S.EMPTY)
    c4, k4, st4 = data.contest(election, data.rural_district(d2), candidates=3, stations=1)
    data.simple_protocol(c4, st4[0], k4, [40, 30, 30], invalid=3)
    c5, k5, st5 = data.contest(election, data.rural_district(d2), candidates=1, stations=1)
    data.simple_protocol(c5, st5[0], k5, [600])
    c6, _, _ = data.contest(election, data.rural_district(d2), candidates=0, stations=0)
    c7, k7, st7 = data.contest(election, data.rural_district(d1), candidates=3, stations=1)
    data.simple_protocol(c7, st7[0], k7, [0, 0, 0], invalid=7)
    c8, k8, st8 = data.contest(election, data.rural_district(d1), candidates=2, stations=1)
    data.simple_protocol(c8, st8[0], k8, [70, 20])
    k8[1].status = "withdrawn"
    k8[1].save(update_fields=["status"])
    return {"election": election, "contests": (c1, c2, c3, c4, c5, c6, c7, c8)}


def test_a_full_run_writes_the_rows_of_the_python_path(world, monkeypatch):
    python_rows, set_rows = both_paths(world["election"], monkeypatch)
    assert set_rows == python_rows
    assert len(python_rows[0]) == 16 and len(python_rows[1]) > 20


def test_a_run_of_some_contests_writes_the_rows_of_the_python_path(world, monkeypatch):
    c1, _, c3, c4, *_ = world["contests"]
    python_rows, set_rows = both_paths(world["election"], monkeypatch, [c1.pk, c3.pk, c4.pk])
    assert set_rows == python_rows


def test_a_rerun_changes_nothing_but_the_time_and_returns_the_same_summary(world):
    election = world["election"]
    first = recompute(election)
    before = snapshot(election)
    assert recompute(election) == first
    assert snapshot(election) == before
    assert (first.contests, first.candidates) == (8, 15)


def test_rows_of_contests_and_candidacies_gone_from_the_run_are_deleted(world):
    election = world["election"]
    recompute(election)
    c8 = world["contests"][7]
    withdrawn = c8.candidacies.get(status="withdrawn")
    from results.models import ProtocolVote

    ProtocolVote.objects.filter(candidacy=withdrawn).delete()
    recompute(election)
    assert not CandidateResult.objects.filter(candidacy=withdrawn).exists()


def test_votes_of_a_candidacy_of_another_election_are_refused_and_nothing_is_written(world):
    from results.models import Protocol, ProtocolVote

    election = world["election"]
    recompute(election)
    before = snapshot(election)
    other = data.election()
    stranger, k, _ = data.contest(other, data.rural_district(data.district(data.region("X"), "DX")), candidates=1)
    protocol = Protocol.objects.filter(contest=world["contests"][0], state=S.CERTIFIED).first()
    ProtocolVote.objects.create(protocol=protocol, candidacy=k[0], votes=1)
    with pytest.raises(ValueError, match=f"candidacy {k[0].pk} outside election"):
        recompute(election)
    assert snapshot(election) == before


def test_a_full_run_is_a_pinned_number_of_statements(world):
    """Savepoint, lock, prepare (staging and delta tables, the queue discarded), results (both
    tables, one statement), roll-ups (one), the anomaly flags (the stations in one query, the
    existing flags; nothing written when nothing changed) and the checkpoint's read; the same
    whatever the size."""
    election = world["election"]
    recompute(election)
    with CaptureQueriesContext(connection) as full:
        recompute(election)
    with CaptureQueriesContext(connection) as some:
        recompute(election, [world["contests"][0].pk])
    results = [
        q["sql"] for q in full.captured_queries if "results_candidateresult" in q["sql"] and "INSERT" in q["sql"]
    ]
    rollups = [q["sql"] for q in full.captured_queries if q["sql"].startswith("WITH at AS")]
    assert len(results) == 1 and "INSERT INTO results_contestresult" in results[0]
    assert len(rollups) == 1
    assert (len(full.captured_queries), len(some.captured_queries)) == PINNED_STATEMENTS


# (full run, run of some contests): the latter reads the districts of its contests for the flags.
PINNED_STATEMENTS = (8, 9)


def test_a_failure_of_the_roll_ups_rolls_the_result_rows_back(world, monkeypatch):
    from django.db import DatabaseError

    election = world["election"]
    recompute(election)
    before = snapshot(election)
    from core import clock
    from results.models import Protocol

    Protocol.objects.filter(state=S.VERIFIED).update(
        state=S.CERTIFIED, certified_at=clock.now(), certified_by=data._certifier()
    )

    def boom(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(aggregation.sets, "write_rollups", boom)
    with pytest.raises(DatabaseError):
        recompute(election)
    assert snapshot(election) == before


def test_the_demo_elections_get_the_rows_of_the_python_path(monkeypatch):
    """load_demo's elections (the national rural district election and the district election with
    its runoffs), every row of both paths compared."""
    from registry.models import Election

    call_command("load_demo", stdout=io.StringIO())
    elections = list(Election.objects.all())
    assert len(elections) >= 2
    for election in elections:
        python_rows, set_rows = both_paths(election, monkeypatch)
        assert set_rows == python_rows, election
