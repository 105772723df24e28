"""Aggregation, the runs: one at a time per election, in one snapshot; from scratch (`recompute`), by differences
(`apply_deltas`), or whichever fits the database (`update`)."""

from dataclasses import asdict, dataclass

from django.db import OperationalError, connection, transaction

from core import clock
from core.checkpoints import checkpoint_after_commit
from core.models import AuditCheckpoint

from ..models import (
    Basis,
    CandidateResult,
    ContestResult,
    TurnoutRollup,
)
from ..outcomes import Rules
from . import deltas, flags, sets, store
from .locks import AggregationBusy, lock_election
from .read import BASIS_STATES, _candidate_votes, _contests, _protocol_totals
from .rollups import _rollups
from .rollups import _write_rollups as _write_rollup_rows
from .rows import CANDIDATE_FIELDS, CONTEST_FIELDS, ROLLUP_FIELDS, _contest_rows, _write_results

# work_mem of an aggregation transaction on PostgreSQL (see _prepare_transaction).
WORK_MEM = "256MB"
# Attempts of a run whose snapshot turned out older than the previous run's commit (see _run).
SERIALIZATION_RETRIES = 3


@dataclass(frozen=True)
class Summary:
    election_id: int
    contests: int
    candidates: int
    rollups: int
    full: bool
    # Applied as deltas (contests counts the touched ones; `rebuilt` of them recomputed from scratch).
    delta: bool = False
    rebuilt: int = 0

    def as_dict(self):
        return asdict(self)


def _prepare_transaction(*extra):
    """PostgreSQL, one round trip: for this transaction only, no JIT (compiling the grouping's
    expressions cost 0.6 s, more than it saved) and enough work_mem for the vote-to-protocol hash
    join to stay in memory (batched to disk at the 4 MB default); the staging tables of the
    writes (results.aggregation.store) and of the consumed deltas (results.aggregation.deltas);
    then the `extra` statements (consuming pending deltas).
    Returns the cursor's rows of the last statement (None when it returns none)."""
    if connection.vendor != "postgresql":
        return None
    statements = [f"SELECT set_config('jit', 'off', true), set_config('work_mem', '{WORK_MEM}', true)"]
    statements += [
        store.create_staging_sql(model, fields)
        for model, fields in (
            (CandidateResult, CANDIDATE_FIELDS),
            (ContestResult, CONTEST_FIELDS),
            (TurnoutRollup, ROLLUP_FIELDS),
        )
    ]
    # The delta run's table too, whatever the run: a connection's first delta run (the on-commit
    # task's, which must be quick) finds it made by any earlier run.
    statements.append(deltas.create_sql())
    statements += extra
    with connection.cursor() as cursor:
        cursor.execute("; ".join(statements))
        while cursor.cursor.nextset():
            pass
        return cursor.fetchall() if cursor.description else None


def _is_serialization_failure(error):
    return getattr(error.__cause__, "sqlstate", None) == "40001"


def _with_checkpoint(body):
    def run():
        result = body()
        checkpoint_after_commit(AuditCheckpoint.Occasion.AGGREGATION)
        return result

    return run


def _run(election_id, wait, body):
    """Run `body()` in the election's aggregation transaction, holding its lock; returns its result.

    PostgreSQL, called outside a transaction (the task, the command, the bench): REPEATABLE READ,
    so every read of the run, the pending deltas it consumes included, comes from one snapshot
    (an entry committing during the run is either wholly in it, its deltas consumed with it, or
    wholly after it, its deltas left for the next run). The snapshot is taken by the statement
    that tries the lock (PostgreSQL fixes it at the transaction's first query): should the
    previous run commit between the two, this run's writes (the election's roll-up rows, which
    every run rewrites) or the consumption of the deltas the previous run took fail with a
    serialization error, and the run starts again (SERIALIZATION_RETRIES). With `wait`, a busy
    lock is waited for outside the run's transaction, then the run starts, so its snapshot is
    taken after the previous run committed.

    Inside an outer transaction (load_demo, tests) and on SQLite: that transaction's isolation,
    lock taken as before (SQLite serialises writers anyway).

    Every run that commits is followed by a signed checkpoint of the audit trail (core.checkpoints).
    """
    body = _with_checkpoint(body)
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        with transaction.atomic():
            # Lock first, then read: a run never writes figures older than those of the run before it.
            if not lock_election(election_id, blocking=wait):
                raise AggregationBusy(election_id)
            return body()
    attempt = 0
    while True:
        try:
            with transaction.atomic():
                if lock_election(election_id, repeatable_read=True):
                    return body()
        except OperationalError as error:
            attempt += 1
            if not _is_serialization_failure(error) or attempt >= SERIALIZATION_RETRIES:
                raise
            continue
        if not wait:
            raise AggregationBusy(election_id)
        # Wait for the holder in a transaction of its own (released at once), then try again.
        with transaction.atomic():
            lock_election(election_id, blocking=True)


def _from_scratch(election, contest_ids, now):
    """The rows of `contest_ids` (all of the election's when None) from their protocols; writes the
    contest and candidate rows. Returns (contests, candidate rows written, ContestRow summaries:
    None on PostgreSQL, where the roll-ups are summed from the rows written).

    PostgreSQL: decided and written set-based, in one statement (results.aggregation.sets).
    Elsewhere: grouped reads, the rows built in Python (results.aggregation.rows)."""
    if sets.supported():
        contest_rows, candidate_rows = sets.write_results(election, contest_ids, Rules.from_election(election), now)
        return contest_rows // len(BASIS_STATES), candidate_rows, None
    contest_rows = _contests(election, contest_ids)
    known_ids = None if contest_ids is None else [c["pk"] for c in contest_rows]
    totals = _protocol_totals(election, known_ids)
    votes = _candidate_votes(election, known_ids)
    contest_results, candidate_results, summaries = _contest_rows(election, contest_rows, totals, votes, now)
    _write_results(election, contest_results, candidate_results, contest_ids)
    return len(contest_rows), len(candidate_results), summaries


def _write_rollups(election, contest_ids, summaries, now):
    """Replace the roll-ups the run touched (all of them when `contest_ids` is None); returns the
    rows written. PostgreSQL: one statement over the contest rows (results.aggregation.sets);
    elsewhere unit rows from the summaries and one grouped query (results.aggregation.rollups)."""
    if summaries is None:
        return sets.write_rollups(election, contest_ids, now)
    full = contest_ids is None
    rollups, units, districts, regions = _rollups(election, summaries, full, now)
    _write_rollup_rows(election, rollups, full, units, districts, regions)
    return len(rollups)


def recompute(election, contests=None, *, wait=False):
    """Rebuild the result tables of `contests` (all of the election's when None) from their
    protocols, and the roll-ups. The pending deltas of those contests are consumed in the same
    snapshot (PostgreSQL): they are counted by this run.

    Raises AggregationBusy when another run holds the election's lock (unless `wait`).
    """
    full = contests is None
    contest_ids = None if full else sorted({getattr(c, "pk", c) for c in contests})

    def run():
        _prepare_transaction(*([deltas.discard_sql(election.pk, contest_ids)] if deltas.supported() else []))
        now = clock.now()
        n_contests, n_candidates, summaries = _from_scratch(election, contest_ids, now)
        n_rollups = _write_rollups(election, contest_ids, summaries, now)
        flags.refresh(election, now, contest_ids)
        return Summary(
            election_id=election.pk,
            contests=n_contests,
            candidates=n_candidates // len(BASIS_STATES),
            rollups=n_rollups,
            full=full,
        )

    return _run(election.pk, wait, run)


def apply_deltas(election, *, wait=False):
    """Bring the election's result tables up to date with the pending deltas (PostgreSQL only).

    Consumes every pending delta of the election, adds them to the stored rows of the touched
    contests, re-decides those contests (outcome, turnout, shares, ranks, winner), recomputes from
    scratch the contests that cannot take a delta (results.aggregation.deltas, step 3), then
    rewrites the roll-ups the touched contests belong to. Cost: the number of touched contests
    and candidacies, not of protocols. Raises AggregationBusy as recompute does.
    """
    if not deltas.supported():
        raise NotImplementedError("pending deltas are queued by PostgreSQL triggers only; use recompute")

    def run():
        flagged = _prepare_transaction(deltas.consume_sql(election.pk)) or []
        if not flagged:
            return Summary(election_id=election.pk, contests=0, candidates=0, rollups=0, full=False, delta=True)
        now = clock.now()
        rebuild = {contest_id for contest_id, again in flagged if again}
        updated = sorted({contest_id for contest_id, _ in flagged} - rebuild)
        figures, votes, unfit = deltas.read(updated)
        rebuild |= unfit
        updated = sorted(set(updated) - unfit)
        contest_rows = deltas.decide_contests(figures, votes, Rules.from_election(election))
        # Without contests to rebuild, the roll-ups go by differences in the same round trip.
        rollups = deltas.write(updated, contest_rows, now, rollups_of=None if rebuild else election.pk)
        n_candidates = sum(len(votes.get(c, {}).get(Basis.OFFICIAL, ())) for c in updated)
        if rebuild:
            _, rebuilt_candidates, _ = _from_scratch(election, sorted(rebuild), now)
            n_candidates += rebuilt_candidates // len(BASIS_STATES)
            rollups = deltas.write_rollups(election.pk, sorted(set(updated) | rebuild), now)
        flags.refresh(election, now, sorted(set(updated) | rebuild))
        return Summary(
            election_id=election.pk,
            contests=len(updated) + len(rebuild),
            candidates=n_candidates,
            rollups=rollups,
            full=False,
            delta=True,
            rebuilt=len(rebuild),
        )

    return _run(election.pk, wait, run)


def update(election, contests=None, *, wait=False):
    """Bring the result tables up to date after protocols changed (the on-commit task's entry).

    PostgreSQL: apply the election's pending deltas (`contests` is not needed: the triggers
    queued every change). Elsewhere: recompute `contests` from scratch (the whole election when
    None)."""
    if deltas.supported():
        return apply_deltas(election, wait=wait)
    return recompute(election, contests, wait=wait)


def recompute_by_id(election_id, contest_ids=None, *, wait=False):
    """`recompute` for ids (the task's entry point). Returns None when the election is gone."""
    from registry.models import Election

    election = Election.objects.filter(pk=election_id).first()
    if election is None:
        return None
    return recompute(election, contest_ids, wait=wait)


def update_by_id(election_id, contest_ids=None, *, wait=False):
    """`update` for ids. Returns None when the election is gone."""
    from registry.models import Election

    election = Election.objects.filter(pk=election_id).first()
    if election is None:
        return None
    return update(election, contest_ids, wait=wait)
