"""Aggregation: protocols -> result tables, computed by the database in grouped queries.

`recompute(election, contests=None)` rebuilds the result rows of the given contests (ids or
Contest objects; the whole election when None) on both bases (official: certified protocols;
preliminary: verified and certified), then the turnout roll-ups those contests touch.

Shape of a run (a constant number of queries whatever the election's size), in one transaction,
after taking the election's lock (results.aggregation.locks):
- PostgreSQL only: JIT off and a larger work_mem for this transaction, and the staging tables of
  the writes, in one round trip (_prepare_transaction);
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
A failure rolls the whole transaction back: the previous tables stay. Running twice gives the same
rows (only `computed_at` moves). Figures (docs/PERFORMANCE.md, `manage.py bench`): 10 million vote
rows (1,000,000 protocols, 2,500 contests) within 1.2x of a hand-written SQL baseline; at
100,000 protocols / 500,000 vote rows the first version took 17 s.
"""

from collections import defaultdict
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce

from core import clock

from ..models import Protocol, ProtocolState, ProtocolVote
from ..models_aggregates import Basis, CandidateResult, ContestResult, TurnoutLevel, TurnoutRollup
from ..outcomes import Figures, Rules, decide
from . import store
from .locks import AggregationBusy, lock_election

__all__ = ["AggregationBusy", "Summary", "percent", "recompute", "recompute_by_id"]

BASIS_STATES = {
    Basis.OFFICIAL: [ProtocolState.CERTIFIED],
    Basis.PRELIMINARY: [ProtocolState.VERIFIED, ProtocolState.CERTIFIED],
}
_PREFIX = {Basis.OFFICIAL: "o", Basis.PRELIMINARY: "p"}
# Rows per INSERT statement: bounds the statement's size; one statement up to this many rows.
BATCH = 10_000
# work_mem of an aggregation transaction on PostgreSQL (see _prepare_transaction).
WORK_MEM = "256MB"


@dataclass(frozen=True)
class Summary:
    election_id: int
    contests: int
    candidates: int
    rollups: int
    full: bool

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


def _prepare_transaction():
    """PostgreSQL, one round trip: for this transaction only, no JIT (compiling the grouping's
    expressions cost 0.6 s, more than it saved) and enough work_mem for the vote-to-protocol hash
    join to stay in memory (batched to disk at the 4 MB default); and the staging tables of the
    writes (results.aggregation.store)."""
    if connection.vendor != "postgresql":
        return
    statements = [f"SELECT set_config('jit', 'off', true), set_config('work_mem', '{WORK_MEM}', true)"]
    statements += [
        store.create_staging_sql(model, fields)
        for model, fields in (
            (CandidateResult, CANDIDATE_FIELDS),
            (ContestResult, CONTEST_FIELDS),
            (TurnoutRollup, ROLLUP_FIELDS),
        )
    ]
    with connection.cursor() as cursor:
        cursor.execute("; ".join(statements))


def recompute(election, contests=None, *, wait=False):
    """Rebuild the result tables of `contests` (all of the election's when None) and the roll-ups.

    Raises AggregationBusy when another run holds the election's lock (unless `wait`).
    """
    from registry.models import Contest

    full = contests is None
    contest_ids = None if full else sorted({getattr(c, "pk", c) for c in contests})
    contest_qs = Contest.objects.filter(election=election)
    if not full:
        contest_qs = contest_qs.filter(pk__in=contest_ids)
    with transaction.atomic():
        # Lock first, then read: a run never writes figures older than those of the run before it.
        if not lock_election(election.pk, blocking=wait):
            raise AggregationBusy(election.pk)
        _prepare_transaction()
        contest_rows = list(contest_qs.order_by("pk").values("pk", "unit_id", "unit__region_id", "unit__district_id"))
        known_ids = [c["pk"] for c in contest_rows]
        totals = _protocol_totals(election, None if full else known_ids)
        votes = _candidate_votes(election, None if full else known_ids)
        now = clock.now()
        contest_results, candidate_results, summaries = _contest_rows(election, contest_rows, totals, votes, now)
        _write_results(election, contest_results, candidate_results, contest_ids)
        rollups, units, districts, regions = _rollups(election, summaries, full, now)
        _write_rollups(election, rollups, full, units, districts, regions)
    return Summary(
        election_id=election.pk,
        contests=len(contest_rows),
        candidates=len(candidate_results) // len(BASIS_STATES),
        rollups=len(rollups),
        full=full,
    )


def recompute_by_id(election_id, contest_ids=None, *, wait=False):
    """`recompute` for ids (the task's entry point). Returns None when the election is gone."""
    from registry.models import Election

    election = Election.objects.filter(pk=election_id).first()
    if election is None:
        return None
    return recompute(election, contest_ids, wait=wait)
