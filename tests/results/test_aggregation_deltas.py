"""Delta aggregation (results.aggregation.apply_deltas and the triggers of migration results 0004).

The rule every test checks: after any mix of changes, the tables a delta run leaves equal, row by
row, those a from-scratch run gives over the same protocols (computed_at aside). PostgreSQL only
(the triggers), except the last tests: elsewhere `update` recomputes the contests.
"""

import random
import threading
import time

import psycopg
import pytest
from django.db import OperationalError, connection

from core import clock
from core.numbers import percent
from results import aggregation
from results.aggregation import apply_deltas, deltas, recompute, update
from results.aggregation.locks import NAMESPACE
from results.bulk import copy_rows
from results.controls import FIGURE_NAMES
from results.models import CandidateResult, ContestResult, PendingDelta, Protocol, ProtocolVote, TurnoutRollup
from results.models import ProtocolState as S
from results.outcomes import Code

from . import aggregation_data as data
from .test_aggregation import snapshot


def more_stations(unit, n):
    from territory.models import PollingStation

    start = PollingStation.objects.order_by("-number").values_list("number", flat=True).first() + 1
    return [PollingStation.objects.create(number=start + i, unit=unit, registered_voters=1000) for i in range(n)]


@pytest.fixture
def setup():
    """Two districts; three contests with protocols certified, verified and empty; aggregated."""
    region = data.region("Karaganda")
    d1, d2 = data.district(region, "D1"), data.district(region, "D2")
    election = data.election()
    c1, cands1, st1 = data.contest(election, data.rural_district(d1), candidates=3, stations=3)
    c2, cands2, st2 = data.contest(election, data.rural_district(d1), candidates=2, stations=2)
    c3, cands3, st3 = data.contest(election, data.rural_district(d2), candidates=2, stations=1)
    p = {
        "c1_cert": data.simple_protocol(c1, st1[0], cands1, [300, 200, 100], invalid=10, mobile=20),
        "c1_ver": data.simple_protocol(c1, st1[1], cands1, [100, 150, 50], invalid=5, state=S.VERIFIED),
        "c1_empty": data.protocol(c1, st1[2], S.EMPTY),
        "c2_cert": data.simple_protocol(c2, st2[0], cands2, [400, 390]),
        "c2_ver": data.simple_protocol(c2, st2[1], cands2, [10, 30], state=S.VERIFIED),
        "c3_ver": data.simple_protocol(c3, st3[0], cands3, [5, 0], state=S.VERIFIED),
    }
    recompute(election)
    return {"election": election, "contests": (c1, c2, c3), "cands": (cands1, cands2, cands3), "p": p, "st": st1}


def pending(election):
    return PendingDelta.objects.filter(election=election)


def assert_delta_equals_full(election):
    """Apply the deltas, then check a full recompute changes no row; returns the delta summary."""
    summary = apply_deltas(election)
    assert not pending(election).exists()
    delta = snapshot(election)
    recompute(election)
    assert snapshot(election) == delta
    return summary


def certify(protocol):
    Protocol.objects.filter(pk=protocol.pk).update(
        state=S.CERTIFIED, certified_at=clock.now(), certified_by=data._certifier()
    )


def reopen(protocol):
    """As results.services.reopen_protocol writes it: votes deleted, figures cleared, back to entry."""
    ProtocolVote.objects.filter(protocol=protocol).delete()
    Protocol.objects.filter(pk=protocol.pk).update(
        state=S.FIRST_ENTRY_IN_PROGRESS,
        certified_at=None,
        certified_by=None,
        **dict.fromkeys((*FIGURE_NAMES, "against_all")),
    )


def enter(protocol, cands, votes, *, invalid=0, state=S.VERIFIED, voters=1000):
    """New official figures and votes (a clerk's entry verified, or a supervisor's correction)."""
    total = sum(votes) + invalid
    Protocol.objects.filter(pk=protocol.pk).update(state=state, **data.figures(voters, total, 0, invalid, votes))
    ProtocolVote.objects.filter(protocol=protocol).delete()
    ProtocolVote.objects.bulk_create(
        ProtocolVote(protocol=protocol, candidacy=c, votes=n) for c, n in zip(cands, votes, strict=True)
    )


# --- the triggers --------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_change_that_counts_nothing_queues_nothing(setup):
    p = setup["p"]
    Protocol.objects.filter(pk=p["c1_empty"].pk).update(version=7, state=S.FIRST_ENTRY_IN_PROGRESS)
    Protocol.objects.filter(pk=p["c1_cert"].pk).update(version=9)  # figures and state unchanged
    assert not pending(setup["election"]).exists()


@pytest.mark.postgres
@pytest.mark.django_db
def test_one_statement_queues_one_grouped_row_per_candidacy_and_basis(setup):
    """A bulk load (COPY) of many vote counts adds grouped rows, not one per vote count."""
    election, (c1, *_), (cands1, *_) = setup["election"], setup["contests"], setup["cands"]
    stations = more_stations(c1.unit, 30)
    protocols = [data.simple_protocol(c1, s, cands1, [1, 1, 1], state=S.EMPTY) for s in stations]
    ProtocolVote.objects.filter(protocol__in=protocols).delete()
    Protocol.objects.filter(pk__in=[p.pk for p in protocols]).update(
        state=S.CERTIFIED, certified_at=clock.now(), certified_by=data._certifier()
    )
    PendingDelta.objects.all().delete()
    copy_rows(ProtocolVote, ("protocol", "candidacy", "votes"), [(p.pk, c.pk, 2) for p in protocols for c in cands1])
    rows = list(pending(election).values_list("candidacy_id", "basis", "votes"))
    assert sorted(rows) == sorted((c.pk, basis, 60) for c in cands1 for basis in ("official", "preliminary"))


# --- delta equals full, change by change -------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db
def test_certifying_a_verified_protocol(setup):
    certify(setup["p"]["c1_ver"])
    summary = assert_delta_equals_full(setup["election"])
    assert (summary.delta, summary.contests, summary.rebuilt) == (True, 1, 0)
    c1 = setup["contests"][0]
    assert ContestResult.objects.get(contest=c1, basis="official").protocols_counted == 2


@pytest.mark.postgres
@pytest.mark.django_db
def test_reopening_certified_and_verified_protocols(setup):
    reopen(setup["p"]["c1_cert"])
    reopen(setup["p"]["c3_ver"])
    assert_delta_equals_full(setup["election"])
    c3 = setup["contests"][2]
    assert ContestResult.objects.get(contest=c3, basis="preliminary").outcome == Code.INCOMPLETE


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_correction_of_figures_and_votes_and_a_new_winner(setup):
    c2, cands2 = setup["contests"][1], setup["cands"][1]
    before = ContestResult.objects.get(contest=c2, basis="preliminary").winner_id
    enter(setup["p"]["c2_ver"], cands2, [200, 5], invalid=7)  # preliminary 410:420 -> 600:395
    assert_delta_equals_full(setup["election"])
    after = ContestResult.objects.get(contest=c2, basis="preliminary")
    assert before == cands2[1].pk and after.winner_id == cands2[0].pk
    assert CandidateResult.objects.get(candidacy=cands2[0], basis="preliminary").is_winner


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_vote_moved_between_candidates(setup):
    p, (cands1, *_) = setup["p"]["c1_cert"], setup["cands"]
    ProtocolVote.objects.filter(protocol=p, candidacy=cands1[0]).update(votes=299)
    ProtocolVote.objects.filter(protocol=p, candidacy=cands1[2]).update(votes=101)
    assert_delta_equals_full(setup["election"])


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_protocol_deleted_and_one_added(setup):
    election, (c1, *_), (cands1, *_) = setup["election"], setup["contests"], setup["cands"]
    ProtocolVote.objects.filter(protocol=setup["p"]["c2_cert"]).delete()
    Protocol.objects.filter(pk=setup["p"]["c2_cert"].pk).delete()
    station = more_stations(c1.unit, 1)[0]
    data.simple_protocol(c1, station, cands1, [1, 2, 3])
    assert_delta_equals_full(election)
    assert ContestResult.objects.get(contest=c1, basis="official").protocols_expected == 4


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "state"),
    [
        ("c1_cert", S.VERIFIED),  # out of official, stays preliminary
        ("c1_ver", S.IN_DISCREPANCY),  # out of preliminary
        ("c1_empty", S.VERIFIED),  # state alone (figures null: the constraint refuses it) -> entered below
    ],
)
def test_a_state_moving_between_bases(setup, name, state):
    protocol = setup["p"][name]
    if name == "c1_empty":
        enter(protocol, setup["cands"][0], [3, 2, 1])
    else:
        Protocol.objects.filter(pk=protocol.pk).update(state=state, certified_at=None, certified_by=None)
    assert_delta_equals_full(setup["election"])


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_registered_candidacy_gaining_its_first_votes(setup):
    c3, cands3 = setup["contests"][2], setup["cands"][2]
    assert CandidateResult.objects.get(candidacy=cands3[1], basis="preliminary").votes == 0
    ProtocolVote.objects.filter(protocol=setup["p"]["c3_ver"], candidacy=cands3[1]).update(votes=4)
    ProtocolVote.objects.filter(protocol=setup["p"]["c3_ver"], candidacy=cands3[0]).update(votes=1)
    assert_delta_equals_full(setup["election"])
    assert ContestResult.objects.get(contest=c3, basis="preliminary").winner_id == cands3[1].pk


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_candidacy_registered_or_withdrawn_after_the_count_rebuilds_its_contest(setup):
    from registry.models import Candidacy

    election, (_, c2, _), (cands1, *_) = setup["election"], setup["contests"], setup["cands"]
    late = data.candidacy(c2)  # registered, no votes: a from-scratch run gives it two rows
    Candidacy.objects.filter(pk=cands1[2].pk).update(status=Candidacy.Status.WITHDRAWN)  # has votes: keeps rows
    summary = assert_delta_equals_full(election)
    assert summary.rebuilt == 2
    assert CandidateResult.objects.filter(candidacy=late).count() == 2
    assert ContestResult.objects.get(contest=c2, basis="official").candidates == 3


@pytest.mark.postgres
@pytest.mark.django_db
def test_votes_for_a_candidacy_that_is_not_registered_rebuild_the_contest(setup):
    """Entry's controls never write such a row; should anything else, the contest is recomputed."""
    from registry.models import Candidacy

    c1 = setup["contests"][0]
    withdrawn = data.candidacy(c1, status=Candidacy.Status.WITHDRAWN)
    apply_deltas(setup["election"])
    ProtocolVote.objects.create(protocol=setup["p"]["c1_ver"], candidacy=withdrawn, votes=0)
    summary = assert_delta_equals_full(setup["election"])
    assert summary.rebuilt == 1
    assert CandidateResult.objects.filter(candidacy=withdrawn).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_contest_never_aggregated_is_recomputed_from_scratch(setup):
    election = setup["election"]
    region = data.region()
    c4, cands4, st4 = data.contest(election, data.rural_district(data.district(region)), candidates=2)
    data.simple_protocol(c4, st4[0], cands4, [3, 9])
    summary = assert_delta_equals_full(election)
    assert summary.rebuilt == 1
    assert ContestResult.objects.get(contest=c4, basis="official").winner_id == cands4[1].pk


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_rebuild_marker_repairs_a_contest_whose_rows_are_stale(setup):
    """Results older than the triggers are marked by the migration: the next delta run recomputes them."""
    election, c1 = setup["election"], setup["contests"][0]
    expected = snapshot(election)
    ContestResult.objects.filter(contest=c1).update(registered_voters=1, invalid=999)
    PendingDelta.objects.create(election=election, contest=c1, basis="official", rebuild=True)
    assert apply_deltas(election).rebuilt == 1
    assert snapshot(election) == expected


@pytest.mark.postgres
@pytest.mark.django_db
def test_roll_ups_follow_the_deltas(setup):
    election = setup["election"]
    certify(setup["p"]["c1_ver"])
    certify(setup["p"]["c3_ver"])
    assert_delta_equals_full(election)
    top = TurnoutRollup.objects.get(election=election, basis="official", level="election")
    assert top.protocols_counted == 4


@pytest.mark.postgres
@pytest.mark.django_db
def test_nothing_pending_is_a_no_op(setup):
    before = snapshot(setup["election"])
    summary = apply_deltas(setup["election"])
    assert (summary.contests, summary.rollups) == (0, 0)
    assert snapshot(setup["election"]) == before


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_full_run_consumes_the_deltas_it_counts_and_a_contest_run_only_its_own(setup):
    election, (c1, c2, _) = setup["election"], setup["contests"]
    certify(setup["p"]["c1_ver"])
    certify(setup["p"]["c2_ver"])
    recompute(election, [c1.pk])
    assert set(pending(election).values_list("contest_id", flat=True)) == {c2.pk}
    assert_delta_equals_full(election)
    certify(setup["p"]["c3_ver"])
    recompute(election)
    assert not pending(election).exists()
    assert apply_deltas(election).contests == 0


@pytest.mark.postgres
@pytest.mark.django_db
def test_random_changes_applied_as_deltas_equal_a_full_run(setup):
    """Certify, reopen, re-enter, correct and move votes at random, applying now and then."""
    rng = random.Random(9)
    election = setup["election"]
    contests = dict(zip(setup["contests"], setup["cands"], strict=True))
    protocols = list(Protocol.objects.filter(election=election).select_related("contest"))
    for step in range(40):
        protocol = rng.choice(protocols)
        protocol.refresh_from_db()
        cands = contests[protocol.contest]
        if protocol.state == S.VERIFIED and rng.random() < 0.5:
            certify(protocol)
        elif protocol.state in (S.VERIFIED, S.CERTIFIED) and rng.random() < 0.3:
            reopen(protocol)
        elif protocol.state in (S.VERIFIED, S.CERTIFIED):
            votes = list(ProtocolVote.objects.filter(protocol=protocol).order_by("?").values_list("pk", "votes"))
            if len(votes) >= 2 and votes[0][1] > 0:
                ProtocolVote.objects.filter(pk=votes[0][0]).update(votes=votes[0][1] - 1)
                ProtocolVote.objects.filter(pk=votes[1][0]).update(votes=votes[1][1] + 1)
        else:
            enter(protocol, cands, [rng.randint(0, 50) for _ in cands], invalid=rng.randint(0, 5))
        if step % 7 == 6:
            assert_delta_equals_full(election)
    assert_delta_equals_full(election)


@pytest.mark.postgres
@pytest.mark.django_db
def test_sql_rounding_of_shares_and_turnout_is_percent():
    """Shares and turnouts computed in SQL round as core.numbers.percent does (half up)."""
    rng = random.Random(4)
    pairs = [(1, 8), (1, 16), (5, 400), (7, 2000), (1, 3), (2, 3), (123457, 1000000), (0, 5), (999, 1000)]
    pairs += [(rng.randint(0, 10**6), rng.randint(1, 10**6)) for _ in range(2000)]
    pairs += [(k, 2000) for k in range(0, 2000, 7)]  # exact thousandths ending in 5: the half-up cases
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT round(p * 100.0 / q, 2) FROM unnest(%s::bigint[], %s::bigint[]) AS t(p, q)",
            [[p for p, _ in pairs], [q for _, q in pairs]],
        )
        got = [row[0] for row in cursor.fetchall()]
    assert got == [percent(p, q) for p, q in pairs]


# --- concurrency: an entry committing during a run is counted exactly once -------------------------


def other_connection():
    params = connection.get_connection_params()
    for key in ("cursor_factory", "context", "prepare_threshold", "server_side_binding"):
        params.pop(key, None)
    return psycopg.connect(**params, autocommit=True)


def certify_elsewhere(protocol_id):
    """Certify a protocol in another connection (another worker), committed at once."""
    with other_connection() as other:
        user_id = other.execute("SELECT id FROM auth_user ORDER BY id LIMIT 1").fetchone()[0]
        other.execute(
            "UPDATE results_protocol SET state = 'certified', certified_at = now(), certified_by_id = %s WHERE id = %s",
            [user_id, protocol_id],
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("run", ["delta", "full", "contest"])
def test_an_entry_committing_during_a_run_is_counted_once(setup, monkeypatch, run):
    """The run's snapshot predates the other commit: the run neither counts it nor consumes its
    deltas; the next delta run does."""
    election, (c1, c2, _) = setup["election"], setup["contests"]
    certify(setup["p"]["c2_ver"])  # something for the delta run to apply
    # A hook late in the run (its writes): another worker commits a certification meanwhile.
    module, name = (deltas, "write") if run == "delta" else (aggregation.run, "_write_rollups")
    original = getattr(module, name)

    def commit_meanwhile(*args, **kwargs):
        if not commit_meanwhile.done:
            commit_meanwhile.done = True
            certify_elsewhere(setup["p"]["c1_ver"].pk)
        return original(*args, **kwargs)

    commit_meanwhile.done = False
    monkeypatch.setattr(module, name, commit_meanwhile)
    if run == "delta":
        apply_deltas(election)
    elif run == "full":
        recompute(election)
    else:
        recompute(election, [c1.pk])
    monkeypatch.setattr(module, name, original)
    assert commit_meanwhile.done
    assert ContestResult.objects.get(contest=c1, basis="official").protocols_counted == 1
    left = {c1.pk, c2.pk} if run == "contest" else {c1.pk}
    assert set(pending(election).values_list("contest_id", flat=True)) == left
    assert_delta_equals_full(election)
    assert ContestResult.objects.get(contest=c1, basis="official").protocols_counted == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_open_entry_transaction_is_left_for_the_next_run(setup):
    election, p = setup["election"], setup["p"]
    with other_connection() as other:
        user_id = other.execute("SELECT id FROM auth_user ORDER BY id LIMIT 1").fetchone()[0]
        other.autocommit = False
        other.execute(
            "UPDATE results_protocol SET state = 'certified', certified_at = now(), certified_by_id = %s WHERE id = %s",
            [user_id, p["c1_ver"].pk],
        )
        assert apply_deltas(election).contests == 0
        other.commit()
    assert_delta_equals_full(election)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_writers_and_delta_runs_in_parallel_end_equal_to_a_full_run(setup):
    """Two connections: one moves votes and certifies in many small transactions, the other applies
    deltas in a loop; at the end the tables equal a from-scratch run."""
    election = setup["election"]
    vote_ids = list(ProtocolVote.objects.filter(protocol__election=election).values_list("pk", flat=True))
    stop = threading.Event()
    errors = []

    def writer():
        rng = random.Random(3)
        try:
            with other_connection() as other:
                for _ in range(60):
                    a, b = rng.sample(vote_ids, 2)
                    with other.transaction():
                        other.execute("UPDATE results_protocolvote SET votes = votes + 1 WHERE id = %s", [a])
                        other.execute(
                            "UPDATE results_protocolvote SET votes = GREATEST(votes - 1, 0) WHERE id = %s", [b]
                        )
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            stop.set()

    thread = threading.Thread(target=writer)
    thread.start()
    runs = 0
    while not stop.is_set() or runs == 0:
        apply_deltas(election, wait=True)
        runs += 1
    thread.join()
    assert not errors
    assert_delta_equals_full(election)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_run_waits_for_the_lock_then_sees_what_the_holder_committed(setup):
    election = setup["election"]
    certify(setup["p"]["c1_ver"])
    holder = other_connection()
    holder.execute("SELECT pg_advisory_lock(%s, %s)", [NAMESPACE, election.pk])
    threading.Timer(0.5, holder.close).start()
    start = time.monotonic()
    apply_deltas(election, wait=True)
    assert time.monotonic() - start >= 0.4
    assert not pending(election).exists()
    assert_delta_equals_full(election)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_run_whose_snapshot_is_stale_starts_again(setup, monkeypatch):
    """A serialization failure (the previous run committed between the snapshot and the lock)
    restarts the run; anything else is raised."""
    certify(setup["p"]["c1_ver"])
    calls = []
    original = deltas.read

    def stale_once(*args):
        calls.append(1)
        if len(calls) == 1:
            with connection.cursor() as cursor:
                # What PostgreSQL raises when a REPEATABLE READ run updates a row committed after its snapshot.
                cursor.execute("DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = 'serialization_failure'; END $$")
        return original(*args)

    monkeypatch.setattr(deltas, "read", stale_once)
    apply_deltas(setup["election"])
    assert len(calls) == 2
    monkeypatch.setattr(deltas, "read", lambda *args: (_ for _ in ()).throw(OperationalError("other")))
    certify(setup["p"]["c3_ver"])
    with pytest.raises(OperationalError):
        apply_deltas(setup["election"])
    assert pending(setup["election"]).exists()  # rolled back: still queued


# --- other databases -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_without_postgresql_update_recomputes_the_contests(setup):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite and others only")
    election, (c1, *_) = setup["election"], setup["contests"]
    certify(setup["p"]["c1_ver"])
    summary = update(election, [c1.pk])
    assert (summary.delta, summary.contests) == (False, 1)
    assert ContestResult.objects.get(contest=c1, basis="official").protocols_counted == 2
    with pytest.raises(NotImplementedError):
        apply_deltas(election)
    assert not PendingDelta.objects.exists()
