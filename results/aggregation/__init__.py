"""Aggregation: protocols -> result tables, computed by the database in grouped queries.

Two ways to bring the result tables up to date, both on both bases (official: certified
protocols; preliminary: verified and certified), both ending with the turnout roll-ups the
contests touch:

- `recompute(election, contests=None)`: from scratch. Rebuilds the result rows of the given
  contests (ids or Contest objects; the whole election when None) from their protocols. The
  nightly task and `manage.py aggregate` use it.
- `apply_deltas(election)` (PostgreSQL): by differences. Triggers (migration results 0004) queue
  every change of counted figures (protocols, vote counts, candidacies; every writer, bulk loads
  and raw UPDATEs included) as grouped, signed rows in `results_pendingdelta`; a delta run
  consumes the election's queue, adds it to the stored rows of the touched contests, re-decides
  those contests and writes only the rows that change (results.aggregation.deltas). Its cost
  follows the contests and candidacies touched, not the protocols: after 1% of the protocols
  changed it is a fraction of a full run, though they touch nearly every contest. Contests that
  cannot take a delta (never aggregated, a candidacy registered or withdrawn since) are
  recomputed from scratch in the same run.
- `update(election, contests)`: the on-commit task's entry: `apply_deltas` on PostgreSQL,
  `recompute(election, contests)` elsewhere (SQLite has no triggers).

Consistency (`_run`): one run at a time per election (results.aggregation.locks); on PostgreSQL a
run started outside a transaction is REPEATABLE READ, so the protocols it reads and the pending
deltas it consumes (a from-scratch run deletes those of its contests: it counts them) come from
one snapshot. An entry committing during a run is counted exactly once: by this run if in its
snapshot, else by the next one, its deltas still queued.

Shape of a from-scratch run (a constant number of queries whatever the election's size), in one
transaction, after taking the election's lock:
- PostgreSQL only: JIT off and a larger work_mem for this transaction, the staging tables of
  the writes, and the consumption of the pending deltas, in one round trip (_prepare_transaction);
- read: contests (1 query); protocol totals per contest, both bases as filtered aggregates
  (1 GROUP BY); the election's candidacies (1) and votes per candidacy, both bases (1 GROUP BY
  over the vote rows joined to their protocols);
- build the rows as tuples (Python runs once per contest and candidacy, for the outcome rules,
  never per protocol);
- write (results.aggregation.store): per result table, COPY into a staging table and one
  upsert-and-delete statement (PostgreSQL), or delete and multi-row INSERTs (SQLite);
- roll-ups: unit rows from the contest rows just built; district, region and election rows in one
  query (UNION ALL of three GROUP BYs over the contest table; only the touched districts and
  regions in an incremental run).
A delta run is five round trips and a commit: begin, lock, consume the queue, read the touched
contests, write their contest and candidate rows and the roll-ups.
A failure rolls the whole transaction back: the previous tables stay (and the consumed deltas
stay queued). Running twice gives the same rows (only `computed_at` moves). Figures
(docs/PERFORMANCE.md, `manage.py bench`): 10 million vote rows (1,000,000 protocols, 2,500
contests) within 1.2x of a hand-written SQL baseline; at 100,000 protocols / 500,000 vote rows the
first version took 17 s.
"""

from collections import defaultdict
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import OperationalError, connection, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce

from core import clock
from core.checkpoints import checkpoint_after_commit
from core.models import AuditCheckpoint

from ..models import Protocol, ProtocolState, ProtocolVote
from ..models_aggregates import Basis, CandidateResult, ContestResult, TurnoutLevel, TurnoutRollup
from ..outcomes import Figures, Rules, decide
from . import deltas, store
from .locks import AggregationBusy, lock_election

__all__ = [
    "AggregationBusy",
    "Summary",
    "apply_deltas",
    "percent",
    "recompute",
    "recompute_by_id",
    "update",
    "update_by_id",
]

BASIS_STATES = {
    Basis.OFFICIAL: [ProtocolState.CERTIFIED],
    Basis.PRELIMINARY: [ProtocolState.VERIFIED, ProtocolState.CERTIFIED],
}
_PREFIX = {Basis.OFFICIAL: "o", Basis.PRELIMINARY: "p"}
# Rows per INSERT statement: bounds the statement's size; one statement up to this many rows.
BATCH = 10_000
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


def percent(part, whole):
    """part / whole in percent, rounded half up to 2 places; None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _protocol_totals(election, contest_ids):
    """Per contest: expected protocols, and per basis the counted protocols and summed figures."""
    qs = Protocol.objects.filter(election=election)
    if contest_ids is not None:
        qs = qs.filter(contest_id__in=contest_ids)
    annotations = {"expected": Count("pk")}
    for basis, states in BASIS_STATES.items():
        p, counted = _PREFIX[basis], Q(state__in=states)
        annotations |= {
            f"{p}_counted": Count("pk", filter=counted),
            f"{p}_voters": Coalesce(Sum("voters", filter=counted), 0),
            f"{p}_issued": Coalesce(Sum(F("issued_station") + F("issued_mobile"), filter=counted), 0),
            f"{p}_found": Coalesce(Sum(F("found_stationary") + F("found_mobile"), filter=counted), 0),
            f"{p}_invalid": Coalesce(Sum("invalid", filter=counted), 0),
            f"{p}_against": Coalesce(Sum("against_all", filter=counted), 0),
        }
    rows = qs.order_by().values("contest_id").annotate(**annotations)
    return {row["contest_id"]: row for row in rows}


def _candidate_votes(election, contest_ids):
    """{contest id: {candidacy id: {prefix: votes}}}: every registered candidacy of the contests
    (0 votes when none counted) and any other candidacy of the election its protocols gave votes to.

    Two queries: the election's candidacies with their contest and status (an index read), and
    the votes of verified or certified protocols per candidacy, both bases as filtered sums (one
    GROUP BY over the vote rows joined to their protocols). The vote rows are grouped by
    candidacy alone: grouping by (candidacy, protocol's contest) made PostgreSQL estimate millions
    of groups and give up the parallel plan (15.7 s instead of 5.8 s for 10 million rows); the
    contest comes from the candidacy instead."""
    from registry.models import Candidacy

    candidacies = Candidacy.objects.filter(election=election)
    votes = ProtocolVote.objects.filter(
        protocol__election=election, protocol__state__in=BASIS_STATES[Basis.PRELIMINARY]
    )
    if contest_ids is not None:
        candidacies = candidacies.filter(contest_id__in=contest_ids)
        votes = votes.filter(protocol__contest_id__in=contest_ids)
    zero = dict.fromkeys(_PREFIX.values(), 0)
    by_contest = defaultdict(dict)
    contest_of = {}
    for candidacy_id, contest_id, status in candidacies.order_by().values_list("pk", "contest_id", "status"):
        contest_of[candidacy_id] = contest_id
        if status == Candidacy.Status.REGISTERED:
            by_contest[contest_id][candidacy_id] = dict(zero)
    sums = {
        _PREFIX[basis]: Coalesce(Sum("votes", filter=Q(protocol__state__in=states)), 0)
        for basis, states in BASIS_STATES.items()
    }
    for row in votes.order_by().values("candidacy_id").annotate(**sums):
        contest_id = contest_of.get(row["candidacy_id"])
        if contest_id is None:
            # Votes for a candidacy of another election: entry's controls never write such a row.
            raise ValueError(f"vote counts for candidacy {row['candidacy_id']} outside election {election.pk}")
        by_contest[contest_id][row["candidacy_id"]] = {p: row[p] for p in _PREFIX.values()}
    return by_contest


CONTEST_FIELDS = (
    "election",
    "contest",
    "basis",
    "unit",
    "region",
    "district",
    "registered_voters",
    "ballots_issued",
    "turnout_percent",
    "ballots_found",
    "invalid",
    "valid",
    "against_all",
    "protocols_counted",
    "protocols_expected",
    "candidates",
    "outcome",
    "winner",
    "runoff",
    "tied",
    "flags",
    "computed_at",
)
CANDIDATE_FIELDS = (
    "election",
    "contest",
    "candidacy",
    "basis",
    "votes",
    "share_percent",
    "rank",
    "is_winner",
    "computed_at",
)
ROLLUP_FIELDS = (
    "election",
    "basis",
    "level",
    "unit",
    "contests",
    "contests_complete",
    "registered_voters",
    "ballots_issued",
    "turnout_percent",
    "protocols_counted",
    "protocols_expected",
    "computed_at",
)


@dataclass(frozen=True)
class ContestRow:
    """The figures of one contest result row that the roll-ups need."""

    basis: str
    unit_id: int
    district_id: int | None
    region_id: int | None
    voters: int
    issued: int
    counted: int
    expected: int


def _contest_rows(election, contests, totals, votes, now):
    """Contest and candidate result rows as tuples (CONTEST_FIELDS / CANDIDATE_FIELDS order), and
    the ContestRow of each contest row. Python runs once per contest and candidacy (the outcome
    rules), never per protocol; no model instances (their construction cost more than the query)."""
    rules = Rules.from_election(election)
    contest_results, candidate_results, summaries = [], [], []
    for contest in contests:
        t = totals.get(contest["pk"], {})
        expected = t.get("expected", 0)
        for basis in BASIS_STATES:
            p = _PREFIX[basis]
            counted = t.get(f"{p}_counted", 0)
            found, invalid = t.get(f"{p}_found", 0), t.get(f"{p}_invalid", 0)
            voters, issued = t.get(f"{p}_voters", 0), t.get(f"{p}_issued", 0)
            against = t.get(f"{p}_against", 0)
            valid = found - invalid
            cand_votes = {cid: by_basis[p] for cid, by_basis in votes.get(contest["pk"], {}).items()}
            outcome = decide(
                Figures(
                    registered_voters=voters,
                    ballots_issued=issued,
                    votes=cand_votes,
                    against_all=against,
                    protocols_counted=counted,
                    protocols_expected=expected,
                ),
                rules,
            )
            unit_id, region_id, district_id = (
                contest["unit_id"],
                contest["unit__region_id"],
                contest["unit__district_id"],
            )
            contest_results.append(
                (
                    election.pk,
                    contest["pk"],
                    basis,
                    unit_id,
                    region_id,
                    district_id,
                    voters,
                    issued,
                    percent(issued, voters),
                    found,
                    invalid,
                    valid,
                    against,
                    counted,
                    expected,
                    len(cand_votes),
                    outcome.code,
                    outcome.winner,
                    list(outcome.runoff),
                    list(outcome.tied),
                    list(outcome.flags),
                    now,
                )
            )
            summaries.append(ContestRow(basis, unit_id, district_id, region_id, voters, issued, counted, expected))
            # Rank: 1 + the number of candidacies with more votes (ties share a rank).
            ordered = sorted(cand_votes.values(), reverse=True)
            rank_of = {}
            for i, n in enumerate(ordered):
                rank_of.setdefault(n, i + 1)
            for candidacy_id, n in cand_votes.items():
                candidate_results.append(
                    (
                        election.pk,
                        contest["pk"],
                        candidacy_id,
                        basis,
                        n,
                        percent(n, valid),
                        rank_of[n],
                        candidacy_id == outcome.winner,
                        now,
                    )
                )
    return contest_results, candidate_results, summaries


def _rollup(election, basis, level, unit_id, n, complete, voters, issued, counted, expected, now):
    voters, issued = voters or 0, issued or 0
    return (
        election.pk,
        basis,
        level,
        unit_id,
        n,
        complete,
        voters,
        issued,
        percent(issued, voters),
        counted or 0,
        expected or 0,
        now,
    )


def _rollups(election, summaries, full, now):
    """The roll-ups touched by this run: (rows, units, districts, regions).

    Unit rows come straight from the contest rows just built; district, region and election rows
    are one GROUP BY each over the contest table (only the touched districts and regions in an
    incremental run; the election row always)."""
    units = {r.unit_id for r in summaries}
    districts = {r.district_id for r in summaries if r.district_id}
    regions = {r.region_id for r in summaries if r.region_id}
    rollups = [
        _rollup(
            election,
            r.basis,
            TurnoutLevel.UNIT,
            r.unit_id,
            1,
            int(r.expected > 0 and r.counted == r.expected),
            r.voters,
            r.issued,
            r.counted,
            r.expected,
            now,
        )
        for r in summaries
    ]
    # District, region and election rows in one round trip (UNION ALL of three GROUP BYs).
    table = connection.ops.quote_name(ContestResult._meta.db_table)
    sums = (
        "COUNT(*), SUM(CASE WHEN protocols_counted = protocols_expected AND protocols_expected > 0 THEN 1 ELSE 0 END), "
        "SUM(registered_voters), SUM(ballots_issued), SUM(protocols_counted), SUM(protocols_expected)"
    )
    parts, params = [], []
    for level, column, ids in (
        (TurnoutLevel.DISTRICT, "district_id", districts),
        (TurnoutLevel.REGION, "region_id", regions),
    ):
        where = f"election_id = %s AND {column} IS NOT NULL"
        params += [level, election.pk]
        if not full:
            cond, ids_params = _in(column, ids)
            where, params = f"{where} AND {cond}", [*params, *ids_params]
        parts.append(f"SELECT %s, basis, {column}, {sums} FROM {table} WHERE {where} GROUP BY basis, {column}")
    parts.append(f"SELECT %s, basis, NULL, {sums} FROM {table} WHERE election_id = %s GROUP BY basis")
    params += [TurnoutLevel.ELECTION, election.pk]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for level, basis, unit_id, *figures in cursor.fetchall():
            rollups.append(_rollup(election, basis, level, unit_id, *figures, now))
    return rollups, units, districts, regions


def _in(column, ids):
    """SQL `column IN (ids)` for a scope condition (ints only), and its parameters."""
    ids = sorted(ids)
    if not ids:
        return "FALSE" if connection.vendor == "postgresql" else "0", []
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [ids]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", ids


def _write_results(election, contest_results, candidate_results, contest_ids):
    """Replace the contest and candidate rows of the run's contests (all the election's in a full run)."""
    scope, params = "election_id = %s", [election.pk]
    if contest_ids is not None:
        cond, ids = _in("contest_id", contest_ids)
        scope, params = f"{scope} AND {cond}", [election.pk, *ids]
    store.replace(
        CandidateResult,
        CANDIDATE_FIELDS,
        candidate_results,
        scope=scope,
        scope_params=params,
        conflicts=[(("candidacy", "basis"), "", "TRUE")],
    )
    store.replace(
        ContestResult,
        CONTEST_FIELDS,
        contest_results,
        scope=scope,
        scope_params=params,
        conflicts=[(("contest", "basis"), "", "TRUE")],
    )


def _write_rollups(election, rollups, full, units, districts, regions):
    """Replace the roll-ups this run recomputed: unit, district and region rows (all of them in a
    full run, the touched ones otherwise) and the election's rows."""
    scope, params = "election_id = %s AND level <> %s", [election.pk, TurnoutLevel.ELECTION]
    if not full:
        parts, ids = [], []
        for level, touched in (
            (TurnoutLevel.UNIT, units),
            (TurnoutLevel.DISTRICT, districts),
            (TurnoutLevel.REGION, regions),
        ):
            cond, p = _in("unit_id", touched)
            parts.append(f"(level = %s AND {cond})")
            ids += [level, *p]
        scope, params = f"{scope} AND ({' OR '.join(parts)})", [*params, *ids]
    # Unit, district and region rows match on their unit; the election's rows on (election, basis).
    store.replace(
        TurnoutRollup,
        ROLLUP_FIELDS,
        rollups,
        scope=f"({scope}) OR (election_id = %s AND level = %s)",
        scope_params=[*params, election.pk, TurnoutLevel.ELECTION],
        conflicts=[
            (("election", "basis", "level", "unit"), "unit_id IS NOT NULL", "unit_id IS NOT NULL"),
            (("election", "basis"), "level = 'election'", "level = 'election'"),
        ],
    )


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


def _contests(election, contest_ids):
    from registry.models import Contest

    qs = Contest.objects.filter(election=election)
    if contest_ids is not None:
        qs = qs.filter(pk__in=contest_ids)
    return list(qs.order_by("pk").values("pk", "unit_id", "unit__region_id", "unit__district_id"))


def _from_scratch(election, contest_ids, now):
    """The rows of `contest_ids` (all of the election's when None) from their protocols; writes the
    contest and candidate rows. Returns (contests, candidate rows written, ContestRow summaries)."""
    contest_rows = _contests(election, contest_ids)
    known_ids = None if contest_ids is None else [c["pk"] for c in contest_rows]
    totals = _protocol_totals(election, known_ids)
    votes = _candidate_votes(election, known_ids)
    contest_results, candidate_results, summaries = _contest_rows(election, contest_rows, totals, votes, now)
    _write_results(election, contest_results, candidate_results, contest_ids)
    return len(contest_rows), len(candidate_results), summaries


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
        rollups, units, districts, regions = _rollups(election, summaries, full, now)
        _write_rollups(election, rollups, full, units, districts, regions)
        return Summary(
            election_id=election.pk,
            contests=n_contests,
            candidates=n_candidates // len(BASIS_STATES),
            rollups=len(rollups),
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
