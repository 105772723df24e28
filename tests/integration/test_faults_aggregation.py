"""Faults of the aggregation: a run killed after partial writes, and two workers on one election.

- Killed mid-run: the roll-ups' write raises after the contest and candidate tables were
  rewritten (on PostgreSQL in one set-based statement, elsewhere by the store's bulk writes; the
  new rows are seen inside the run's transaction first); the transaction rolls back, the previous
  result tables are exactly as they were, and a re-run writes the correct ones.
- Two workers: two threads (each with its own database connection) run the task body for the same
  election at the same time; one runs, the other finds the lock taken and asks to retry (no wait,
  no write), and the totals are correct afterwards.
"""

import threading
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.db import connection

from core import clock
from results import aggregation, aggregation_hook
from results.aggregation import run, store
from results.models import CandidateResult, ContestResult, Protocol, TurnoutRollup
from results.services import certify_protocol, create_protocols_for_contest
from results.tasks import aggregate_contests
from tests.results.factories import COUNTING, World
from tests.results.helpers import verified

pytestmark = [pytest.mark.django_db(transaction=True)]


def tables():
    """Every row of the three result tables, every column."""
    return [list(model.objects.order_by("pk").values()) for model in (ContestResult, CandidateResult, TurnoutRollup)]


def official(contest):
    return ContestResult.objects.get(contest=contest, basis="official")


@pytest.fixture
def world():
    with aggregation_hook.suppressed(), clock.frozen(COUNTING):
        w = World()
        create_protocols_for_contest(w.contest, w.cec)
        w.protocol = Protocol.objects.get(contest=w.contest, polling_station=w.station)
        yield w


def certify(w):
    with aggregation_hook.suppressed(), clock.frozen(COUNTING):
        certify_protocol(verified(w, w.protocol), w.tec)


def test_a_run_killed_after_partial_writes_leaves_the_previous_tables(world):
    with clock.frozen(COUNTING):
        aggregation.recompute(world.election)
    before = tables()
    assert official(world.contest).protocols_counted == 0
    certify(world)

    calls = []

    def dies_before_the_rollups(*args, **kwargs):
        # The contest and candidate rows of this run are written, not yet committed.
        calls.append(official(world.contest).protocols_counted)
        raise RuntimeError("worker killed")

    with mock.patch.object(run, "_write_rollups", dies_before_the_rollups), pytest.raises(RuntimeError, match="killed"):
        aggregate_contests(world.election.pk, None)
    assert calls == [1], "the run's first tables were written before the failure"
    assert tables() == before

    summary = aggregate_contests(world.election.pk, None)
    assert summary["full"] is True
    row = official(world.contest)
    assert (row.protocols_counted, row.protocols_expected, row.ballots_issued, row.invalid) == (1, 2, 750, 30)
    votes = dict(
        CandidateResult.objects.filter(contest=world.contest, basis="official").values_list("candidacy_id", "votes")
    )
    assert votes == {world.c1.pk: 400, world.c2.pk: 200, world.c3.pk: 120}
    election_row = TurnoutRollup.objects.get(election=world.election, basis="official", level="election")
    assert (election_row.protocols_counted, election_row.ballots_issued) == (1, 750)


def test_a_run_killed_between_two_tables_of_the_store_leaves_the_previous_tables(world):
    """Elsewhere than PostgreSQL the contest and candidate tables are two bulk writes of the store:
    a kill between them rolls the first back too."""
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL writes both tables in one statement (results.aggregation.sets)")
    with clock.frozen(COUNTING):
        aggregation.recompute(world.election)
    before = tables()
    certify(world)

    real_replace = store.replace
    calls = []

    def dies_on_second_table(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real_replace(*args, **kwargs)

    with mock.patch.object(store, "replace", dies_on_second_table), pytest.raises(RuntimeError, match="killed"):
        aggregate_contests(world.election.pk, None)
    assert calls == [CandidateResult, ContestResult], "the first table was written before the failure"
    assert tables() == before
    aggregate_contests(world.election.pk, None)
    assert official(world.contest).protocols_counted == 1


@pytest.mark.postgres
def test_two_workers_on_one_election_one_runs_one_retries(world):
    assert connection.vendor == "postgresql"
    certify(world)
    real_lock = aggregation.run.lock_election
    holding, release = threading.Event(), threading.Event()
    outcome = {}

    def lock_and_hold(election_id, *, blocking=False, **options):
        got = real_lock(election_id, blocking=blocking, **options)
        if got and threading.current_thread().name == "first":
            holding.set()
            release.wait(timeout=30)  # still inside the run's transaction, lock held
        return got

    def worker(name):
        try:
            outcome[name] = aggregate_contests(world.election.pk, None)
        except Exception as error:
            outcome[name] = error
        finally:
            connection.close()

    with mock.patch.object(aggregation.run, "lock_election", lock_and_hold):
        first = threading.Thread(target=worker, args=("first",), name="first")
        first.start()
        assert holding.wait(timeout=30), "the first run never took the lock"
        second = threading.Thread(target=worker, args=("second",), name="second")
        second.start()
        second.join(timeout=30)
        assert not second.is_alive(), "the second run waited for the lock instead of skipping"
        assert ContestResult.objects.count() == 0, "nothing is visible while the first run is uncommitted"
        release.set()
        first.join(timeout=30)
        assert not first.is_alive()

    assert isinstance(outcome["second"], Retry)
    assert isinstance(outcome["first"], dict) and outcome["first"]["full"] is True
    row = official(world.contest)
    assert (row.protocols_counted, row.ballots_issued) == (1, 750)
    assert ContestResult.objects.filter(election=world.election).count() == 4  # 2 contests x 2 bases
