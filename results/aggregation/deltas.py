"""Delta application: add the queued changes of counted figures to the result rows (PostgreSQL).

Where the deltas come from: triggers (migration results 0004) write every change of counted
figures into `results_pendingdelta`, grouped per statement: one row per (election, contest,
candidacy or none, basis) with the signed difference of votes, or of the contest's figures
(voters, ballots issued and found, invalid, against all, protocols counted and expected). They
see every writer (services, admin, bulk loads, raw UPDATEs), so no code path has to remember.

What a delta run does (results.aggregation.apply_deltas, in the election's aggregation
transaction, one snapshot):
1. consume: DELETE the election's pending rows RETURNING them, summed per (contest, candidacy,
   basis) (`consume_sql`);
2. read the current result rows of the touched contests and their candidacies (`read`);
3. `apply`: new figures = stored + delta (Python ints), then per touched contest and basis the
   outcome rules (results.outcomes.decide), turnout, shares and ranks, exactly as a from-scratch
   run computes them from the same totals. Contests that cannot be updated this way are returned
   for a from-scratch recompute: a `rebuild` marker (candidacy registered, withdrawn or moved;
   results older than the triggers), no result rows yet, or votes of a candidacy that is not a
   registered candidacy of the contest the protocol belongs to (a from-scratch run decides
   whether such a candidacy has a row);
4. `write`: the contest rows of the touched contests and the candidate rows whose figures changed,
   each table in one UPDATE ... FROM unnest(arrays) (one round trip for both).
The roll-ups of the touched contests follow (results.aggregation._rollups).

Why this equals a from-scratch run: the result rows hold sums over the counted protocols; a
pending row is the difference a committed statement made to those sums; the run consumes
exactly the pending rows of its snapshot and reads the result rows of the same snapshot, under
the election's lock (no other run writes them). A from-scratch run deletes the pending rows of
its contests in the same snapshot it reads the protocols from, so what it counted is never
applied again, and what committed after its snapshot stays queued for the next run.
"""

import json
from collections import defaultdict

from django.db import connection

from ..models_aggregates import Basis, PendingDelta
from ..outcomes import Figures, decide

TABLE = PendingDelta._meta.db_table
# The contest figures a pending row carries, in the order of consume_sql's columns after votes.
FIGURES = (
    "registered_voters",
    "ballots_issued",
    "ballots_found",
    "invalid",
    "against_all",
    "protocols_counted",
    "protocols_expected",
)
BASES = (Basis.OFFICIAL, Basis.PRELIMINARY)


def supported():
    """Deltas are queued by PostgreSQL triggers; other databases recompute from protocols."""
    return connection.vendor == "postgresql"


def _int_array(ids):
    return "'{" + ",".join(str(int(i)) for i in ids) + "}'::bigint[]"


def discard_sql(election_id, contest_ids=None):
    """DELETE of the pending rows a from-scratch run of these contests (all when None) counts."""
    sql = f"DELETE FROM {TABLE} WHERE election_id = {int(election_id)}"
    if contest_ids is not None:
        sql += f" AND contest_id = ANY({_int_array(contest_ids)})"
    return sql


DELTAS = "aggregation_deltas"  # this run's consumed deltas: a temporary table per session


def create_sql():
    """The session's table of consumed deltas (emptied at commit), created once per connection."""
    figures = ", ".join(f"{name} bigint" for name in ("votes", *FIGURES))
    return (
        f"CREATE TEMP TABLE IF NOT EXISTS {DELTAS} (contest_id bigint, candidacy_id bigint, basis varchar(12), "
        f"rebuild boolean, {figures}) ON COMMIT DELETE ROWS"
    )


def consume_sql(election_id):
    """Take (delete) the election's pending rows into DELTAS, summed per (contest, candidacy, basis);
    then select the touched contests, each with whether it must be recomputed from scratch (see
    the module docstring, step 3)."""
    names = ("votes", *FIGURES)
    return (
        f"DELETE FROM {DELTAS}; "
        f"WITH taken AS (DELETE FROM {TABLE} WHERE election_id = {int(election_id)} RETURNING *) "
        f"INSERT INTO {DELTAS} SELECT contest_id, candidacy_id, basis, bool_or(rebuild), "
        f"{', '.join(f'SUM({n})' for n in names)} FROM taken GROUP BY contest_id, candidacy_id, basis; "
        f"ANALYZE {DELTAS}; "
        f"SELECT contest_id, bool_or(rebuild) FROM (SELECT contest_id, rebuild FROM {DELTAS} "
        # Votes of a candidacy that is not registered in the contest of the protocol: both contests.
        f"UNION ALL SELECT x.contest_id, true FROM {DELTAS} d LEFT JOIN registry_candidacy k ON k.id = d.candidacy_id "
        "CROSS JOIN LATERAL (VALUES (d.contest_id), (k.contest_id)) AS x(contest_id) "
        "WHERE d.candidacy_id IS NOT NULL AND x.contest_id IS NOT NULL "
        "AND (k.id IS NULL OR k.status <> 'registered' OR k.contest_id <> d.contest_id) "
        ") AS u GROUP BY contest_id"
    )


def read(contest_ids):
    """The new figures of the contests (stored + delta), one round trip: ({contest: {basis: dict}},
    {contest: {basis: {candidacy: votes}}}, contests to recompute from scratch instead: those
    without their two result rows, or with a registered candidacy without its rows)."""
    from registry.models import Candidacy

    contests = _int_array(contest_ids)
    stored = ", ".join(f"r.{name} + COALESCE(d.{name}, 0)" for name in FIGURES)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.contest_id, r.basis, r.unit_id, r.region_id, r.district_id, {stored} "
            f"FROM results_contestresult r LEFT JOIN {DELTAS} d ON d.contest_id = r.contest_id "
            "AND d.basis = r.basis AND d.candidacy_id IS NULL "
            f"WHERE r.contest_id = ANY({contests}); "
            f"SELECT r.contest_id, r.basis, r.candidacy_id, r.votes + COALESCE(d.votes, 0) "
            f"FROM results_candidateresult r LEFT JOIN {DELTAS} d ON d.candidacy_id = r.candidacy_id "
            f"AND d.basis = r.basis WHERE r.contest_id = ANY({contests}); "
            f"SELECT contest_id, id FROM registry_candidacy WHERE contest_id = ANY({contests}) AND status = %s",
            [Candidacy.Status.REGISTERED],
        )
        contest_rows = cursor.fetchall()
        cursor.cursor.nextset()
        candidate_rows = cursor.fetchall()
        cursor.cursor.nextset()
        registered = cursor.fetchall()
    figures = defaultdict(dict)
    for contest_id, basis, unit_id, region_id, district_id, *values in contest_rows:
        figures[contest_id][basis] = dict(zip(FIGURES, values, strict=True))
        figures[contest_id][basis] |= {"unit_id": unit_id, "region_id": region_id, "district_id": district_id}
    votes = defaultdict(lambda: defaultdict(dict))
    for contest_id, basis, candidacy_id, n in candidate_rows:
        votes[contest_id][basis][candidacy_id] = n
    rebuild = {c for c in contest_ids if set(figures.get(c, ())) != set(BASES)}
    for contest_id, candidacy_id in registered:
        by_basis = votes.get(contest_id, {})
        if any(candidacy_id not in by_basis.get(basis, ()) for basis in BASES):
            rebuild.add(contest_id)
    for contest_id in rebuild:
        figures.pop(contest_id, None)
        votes.pop(contest_id, None)
    return figures, votes, rebuild


def decide_contests(figures, votes, rules):
    """Per contest and basis: the contest row's new values (CONTEST_UPDATE order) and its ContestRow."""
    from . import ContestRow, percent

    contest_rows, summaries = [], []
    for contest_id in sorted(figures):
        for basis in BASES:
            f = figures[contest_id][basis]
            cand_votes = votes.get(contest_id, {}).get(basis, {})
            voters, issued = f["registered_voters"], f["ballots_issued"]
            counted, expected = f["protocols_counted"], f["protocols_expected"]
            outcome = decide(
                Figures(
                    registered_voters=voters,
                    ballots_issued=issued,
                    votes=cand_votes,
                    against_all=f["against_all"],
                    protocols_counted=counted,
                    protocols_expected=expected,
                ),
                rules,
            )
            contest_rows.append(
                (
                    contest_id,
                    basis,
                    *(f[name] for name in FIGURES),
                    percent(issued, voters),
                    f["ballots_found"] - f["invalid"],
                    len(cand_votes),
                    outcome.code,
                    outcome.winner,
                    json.dumps(list(outcome.runoff)),
                    json.dumps(list(outcome.tied)),
                    json.dumps(list(outcome.flags)),
                )
            )
            summaries.append(
                ContestRow(basis, f["unit_id"], f["district_id"], f["region_id"], voters, issued, counted, expected)
            )
    return contest_rows, summaries


CONTEST_UPDATE = (
    ("contest_id", "bigint"),
    ("basis", "text"),
    *((name, "bigint") for name in FIGURES),
    ("turnout_percent", "numeric"),
    ("valid", "bigint"),
    ("candidates", "int"),
    ("outcome", "text"),
    ("winner_id", "bigint"),
    ("runoff", "jsonb"),
    ("tied", "jsonb"),
    ("flags", "jsonb"),
)


def candidates_sql(contest_ids):
    """One UPDATE of the candidate rows of the contests: votes + delta, then share of the valid
    ballots, rank and winner from the contest rows just written; only rows that change.

    Share and rank as results.aggregation computes them: round(votes * 100 / valid, 2), half away
    from zero (= half up, the figures being non-negative; numeric division keeps at least 16
    significant digits, far more than a quotient of vote counts needs to round exactly), NULL
    when there are no valid ballots; rank = 1 + the number of candidacies with more votes."""
    return (
        "WITH n AS (SELECT r.id, r.contest_id, r.basis, r.candidacy_id, r.votes + COALESCE(d.votes, 0) AS votes "
        f"FROM results_candidateresult r LEFT JOIN {DELTAS} d ON d.candidacy_id = r.candidacy_id AND d.basis = r.basis "
        f"WHERE r.contest_id = ANY({_int_array(contest_ids)})), "
        "s AS (SELECT n.id, n.votes, "
        "CASE WHEN c.valid > 0 THEN round(n.votes * 100.0 / c.valid, 2) END AS share_percent, "
        "rank() OVER (PARTITION BY n.contest_id, n.basis ORDER BY n.votes DESC) AS rank, "
        "COALESCE(n.candidacy_id = c.winner_id, false) AS is_winner "
        "FROM n JOIN results_contestresult c ON c.contest_id = n.contest_id AND c.basis = n.basis) "
        "UPDATE results_candidateresult t SET votes = s.votes, share_percent = s.share_percent, rank = s.rank, "
        "is_winner = s.is_winner, computed_at = %s FROM s WHERE t.id = s.id "
        "AND (t.votes, t.share_percent, t.rank, t.is_winner) IS DISTINCT FROM "
        "(s.votes, s.share_percent, s.rank, s.is_winner)"
    )


def write(contest_ids, contest_rows, now):
    """The contest rows (UPDATE from arrays, one parameter per column), then the candidate rows
    (candidates_sql), in one round trip."""
    if not contest_rows:
        return
    names = [name for name, _ in CONTEST_UPDATE]
    arrays = ", ".join(f"%s::{kind}[]" for _, kind in CONTEST_UPDATE)
    sets = ", ".join(f"{name} = s.{name}" for name in names if name not in ("contest_id", "basis"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE results_contestresult t SET {sets}, computed_at = %s "
            f"FROM unnest({arrays}) AS s({', '.join(names)}) WHERE t.contest_id = s.contest_id AND t.basis = s.basis; "
            + candidates_sql(contest_ids),
            [now, *(list(column) for column in zip(*contest_rows, strict=True)), now],
        )
