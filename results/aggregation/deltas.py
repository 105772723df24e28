"""Delta application: add the queued changes of counted figures to the result rows (PostgreSQL).

Where the deltas come from: triggers (migration results 0004) write every change of counted
figures into `results_pendingdelta`, grouped per statement: one row per (election, contest,
candidacy or none, basis) with the signed difference of votes, or of the contest's figures
(voters, ballots issued and found, invalid, against all, protocols counted and expected). They
see every writer (services, admin, bulk loads, raw UPDATEs), so no code path has to remember.

What a delta run does (results.aggregation.apply_deltas, in the election's aggregation
transaction, one snapshot, under the election's lock):
1. consume (`consume_sql`): DELETE the election's queue RETURNING it, summed per (contest,
   candidacy, basis), into a temporary table (DELTAS); select the touched contests, flagging
   those to recompute from scratch: a `rebuild` marker (a candidacy registered, withdrawn or
   moved; results older than the triggers), or votes of a candidacy that is not a registered
   candidacy of the protocol's contest (a from-scratch run decides whether it gets a row);
2. `read`: the touched contests' stored rows plus their deltas (contest figures, every
   candidacy's votes); contests with no rows yet, or with a registered candidacy without rows,
   are recomputed from scratch instead;
3. `decide_contests`: per contest and basis the outcome rules (results.outcomes.decide), turnout,
   valid ballots and number of candidates, exactly as a from-scratch run computes them from the
   same totals; only the contest rows that change are kept;
4. `write`: those contest rows (one UPDATE from arrays), then every candidate row of the touched
   contests that changes: votes plus delta, share of the valid ballots, rank and winner, in one
   set-based UPDATE (`candidates_sql`);
5. roll-ups: unit rows copy their contest row; district, region and election rows add the
   contests' differences (`rollup_deltas_sql`, in `write`'s round trip), or are summed again over
   the touched districts and regions when some contest was recomputed from scratch
   (`write_rollups`).
   Only rows that change are written, the election's rows always (their computed_at dates the
   last run).

Why this equals a from-scratch run: the result rows hold sums over the counted protocols; a
pending row is the difference a committed statement made to those sums; the run consumes
exactly the pending rows of its snapshot and reads the result rows of the same snapshot, under
the election's lock (no other run writes them). A from-scratch run deletes the pending rows of
its contests in the same snapshot it reads the protocols from, so what it counted is never
applied again, and what committed after its snapshot stays queued for the next run.
tests/results/test_aggregation_deltas.py checks it change by change, at random and concurrently.

Not seen by the triggers (a from-scratch run picks them up: the nightly one, or
`manage.py aggregate`): an election's outcome rules changed (a delta run re-decides only the
contests it touches), a contest moved to another unit, territory re-parented.
"""

import json
from collections import defaultdict

from django.db import connection

from core.numbers import percent

from ..models import Basis, PendingDelta
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
        f"SELECT contest_id, bool_or(rebuild) FROM (SELECT contest_id, rebuild FROM {DELTAS} "
        # Votes of a candidacy that is not registered in the contest of the protocol: both contests.
        f"UNION ALL SELECT x.contest_id, true FROM {DELTAS} d LEFT JOIN registry_candidacy k ON k.id = d.candidacy_id "
        "CROSS JOIN LATERAL (VALUES (d.contest_id), (k.contest_id)) AS x(contest_id) "
        "WHERE d.candidacy_id IS NOT NULL AND x.contest_id IS NOT NULL "
        "AND (k.id IS NULL OR k.status <> 'registered' OR k.contest_id <> d.contest_id) "
        ") AS u GROUP BY contest_id"
    )


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


def read(contest_ids):
    """The new figures of the contests (stored + delta), one round trip: ({contest: {basis: dict}},
    {contest: {basis: {candidacy: votes}}}, contests to recompute from scratch instead: those
    without their two result rows, or with a registered candidacy without its rows)."""
    from registry.models import Candidacy

    contests = _int_array(contest_ids)
    stored = ", ".join(f"r.{name} + COALESCE(d.{name}, 0)" for name in FIGURES)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.contest_id, r.basis, r.unit_id, r.region_id, r.district_id, {stored}, "
            f"{', '.join(f'r.{name}' for name, _ in CONTEST_UPDATE[2:])} "
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
    width = len(FIGURES)
    for contest_id, basis, unit_id, region_id, district_id, *values in contest_rows:
        figures[contest_id][basis] = dict(zip(FIGURES, values[:width], strict=True))
        figures[contest_id][basis] |= {
            "unit_id": unit_id,
            "region_id": region_id,
            "district_id": district_id,
            # The stored row in CONTEST_UPDATE order: a row that would not change is not written.
            "stored": (contest_id, basis, *_plain(values[width:])),
        }
    votes = defaultdict(lambda: defaultdict(dict))
    for contest_id, basis, candidacy_id, n in candidate_rows:
        votes[contest_id][basis][candidacy_id] = n
    rebuild = {c for c in contest_ids if set(figures.get(c, ())) != set(BASES)}
    registered_of = defaultdict(set)
    for contest_id, candidacy_id in registered:
        registered_of[contest_id].add(candidacy_id)
    for contest_id, ids in registered_of.items():
        by_basis = votes.get(contest_id, {})
        if not all(ids <= by_basis.get(basis, {}).keys() for basis in BASES):
            rebuild.add(contest_id)
    for contest_id in rebuild:
        figures.pop(contest_id, None)
        votes.pop(contest_id, None)
    return figures, votes, rebuild


def _json(items):
    """A JSON list as text (most are empty)."""
    return json.dumps(list(items)) if items else "[]"


def _plain(values):
    """Stored contest values as decide_contests builds them (JSON columns as JSON text)."""
    return tuple(_json(v) if isinstance(v, list) else v for v in values)


def decide_contests(figures, votes, rules):
    """Per contest and basis, the contest rows that change (CONTEST_UPDATE order): figures plus
    delta, re-decided by the outcome rules."""
    contest_rows = []
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
            row = (
                contest_id,
                basis,
                *(f[name] for name in FIGURES),
                percent(issued, voters),
                f["ballots_found"] - f["invalid"],
                len(cand_votes),
                outcome.code,
                outcome.winner,
                _json(outcome.runoff),
                _json(outcome.tied),
                _json(outcome.flags),
            )
            if row != f["stored"]:
                contest_rows.append(row)
    return contest_rows


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
        f"AND t.contest_id = ANY({_int_array(contest_ids)}) "
        "AND (t.votes, t.share_percent, t.rank, t.is_winner) IS DISTINCT FROM "
        "(s.votes, s.share_percent, s.rank, s.is_winner)"
    )


def write(contest_ids, contest_rows, now, *, rollups_of=None):
    """The contest rows (UPDATE from arrays, one parameter per column), then the candidate rows
    (candidates_sql), in one round trip; with `rollups_of` (the election id, when no contest is
    recomputed from scratch) the roll-ups by differences too (rollup_deltas_sql). Returns the
    number of roll-up rows written."""
    if not contest_ids:
        return 0
    statements, params = [], []
    if contest_rows:
        names = [name for name, _ in CONTEST_UPDATE]
        arrays = ", ".join(f"%s::{kind}[]" for _, kind in CONTEST_UPDATE)
        sets = ", ".join(f"{name} = s.{name}" for name in names if name not in ("contest_id", "basis"))
        statements.append(
            f"UPDATE results_contestresult t SET {sets}, computed_at = %s "
            f"FROM unnest({arrays}) AS s({', '.join(names)}) WHERE t.contest_id = s.contest_id AND t.basis = s.basis"
        )
        params += [now, *(list(column) for column in zip(*contest_rows, strict=True))]
    statements.append(candidates_sql(contest_ids))
    params.append(now)
    if rollups_of is not None:
        rollups = rollup_deltas_sql(rollups_of, contest_ids)
        statements.append(rollups)
        params += [now] * rollups.count("%s")
    with connection.cursor() as cursor:
        cursor.execute("; ".join(statements), params)
        if rollups_of is None:
            return 0
        for _ in range(len(statements) - 1):  # to the first roll-up statement's result
            cursor.cursor.nextset()
        written = max(cursor.cursor.rowcount, 0)
        while cursor.cursor.nextset():
            written += max(cursor.cursor.rowcount, 0)
        return written


ROLLUP_COLUMNS = (
    "contests",
    "contests_complete",
    "registered_voters",
    "ballots_issued",
    "turnout_percent",
    "protocols_counted",
    "protocols_expected",
)


_COMPLETE = "CASE WHEN protocols_expected > 0 AND protocols_counted = protocols_expected THEN 1 ELSE 0 END"
_ROLLUP_INSERT = (
    f"INSERT INTO results_turnoutrollup AS t (election_id, basis, level, unit_id, {', '.join(ROLLUP_COLUMNS)}, "
    "computed_at) "
)
_ROLLUP_SET = ", ".join(f"{c} = EXCLUDED.{c}" for c in (*ROLLUP_COLUMNS, "computed_at"))
_ROLLUP_CHANGED = (
    f"({', '.join(f't.{c}' for c in ROLLUP_COLUMNS)}) IS DISTINCT FROM "
    f"({', '.join(f'EXCLUDED.{c}' for c in ROLLUP_COLUMNS)})"
)
_ON_UNIT = "ON CONFLICT (election_id, basis, level, unit_id) WHERE unit_id IS NOT NULL DO UPDATE SET "


def _unit_rows(election_id, contests):
    """SELECT of the unit roll-ups of the contests: a copy of each contest row (one contest per
    unit and election, as results.aggregation.rollups._rollups builds them)."""
    return (
        f"SELECT {int(election_id)}, basis, 'unit', unit_id, 1, {_COMPLETE}, registered_voters, ballots_issued, "
        f"turnout_percent, protocols_counted, protocols_expected, %s FROM results_contestresult "
        f"WHERE contest_id = ANY({contests})"
    )


def rollups_sql(election_id, contest_ids):
    """The roll-ups of the contests, in SQL, writing only the rows that change (the election's
    rows always: their computed_at is the time of the last run). District, region and election
    rows sum the contest rows of the touched districts and regions, as
    results.aggregation.rollups._rollups does, turnout rounded as `percent` rounds it
    (round(issued * 100 / voters, 2): see candidates_sql)."""
    e, contests = int(election_id), _int_array(contest_ids)
    sums = (
        f"COUNT(*), SUM({_COMPLETE}), SUM(registered_voters), SUM(ballots_issued), "
        "CASE WHEN SUM(registered_voters) > 0 THEN round(SUM(ballots_issued) * 100.0 / SUM(registered_voters), 2) END, "
        "SUM(protocols_counted), SUM(protocols_expected)"
    )

    def scope(column):
        return f"SELECT DISTINCT {column} FROM results_contestresult WHERE contest_id = ANY({contests})"

    upper = " UNION ALL ".join(
        f"SELECT {e}, basis, '{level}', {column}, {sums}, %s FROM results_contestresult "
        f"WHERE election_id = {e} AND {column} IN ({scope(column)}) GROUP BY basis, {column}"
        for level, column in (("district", "district_id"), ("region", "region_id"))
    )
    return (
        f"{_ROLLUP_INSERT}{_unit_rows(e, contests)} UNION ALL {upper} {_ON_UNIT}{_ROLLUP_SET} "
        f"WHERE {_ROLLUP_CHANGED}; "
        f"{_ROLLUP_INSERT}SELECT {e}, basis, 'election', NULL, {sums}, %s "
        f"FROM results_contestresult WHERE election_id = {e} GROUP BY basis "
        f"ON CONFLICT (election_id, basis) WHERE level = 'election' DO UPDATE SET {_ROLLUP_SET}"
    )


def rollup_deltas_sql(election_id, contest_ids):
    """The roll-ups of contests updated by deltas (none recomputed from scratch), in SQL, by
    differences: unit rows copy their contest row (those that change); district, region and
    election rows add the contests' differences (voters, ballots issued, protocols counted and
    expected, contests complete: new row minus the row before the deltas), so the cost follows
    the touched contests, not the election's. Their sums stay those of rollups_sql: each row was
    the sum of the contest rows it covers, and both sides change by the same differences."""
    e, contests = int(election_id), _int_array(contest_ids)

    def complete(counted, expected):
        return f"CASE WHEN {expected} > 0 AND {counted} = {expected} THEN 1 ELSE 0 END"

    units = f"{_ROLLUP_INSERT}{_unit_rows(e, contests)} {_ON_UNIT}{_ROLLUP_SET} WHERE {_ROLLUP_CHANGED}"
    old = complete(
        "c.protocols_counted - COALESCE(d.protocols_counted, 0)",
        "c.protocols_expected - COALESCE(d.protocols_expected, 0)",
    )
    diffs = ("registered_voters", "ballots_issued", "protocols_counted", "protocols_expected")
    change = (
        f"SELECT c.basis, c.district_id, c.region_id, "
        f"{', '.join(f'COALESCE(d.{n}, 0) AS {n}' for n in diffs)}, "
        f"{complete('c.protocols_counted', 'c.protocols_expected')} - {old} AS contests_complete "
        f"FROM results_contestresult c LEFT JOIN {DELTAS} d ON d.contest_id = c.contest_id AND d.basis = c.basis "
        f"AND d.candidacy_id IS NULL WHERE c.contest_id = ANY({contests})"
    )
    names = (*diffs, "contests_complete")
    sums = ", ".join(f"SUM({n}) AS {n}" for n in names)
    per = " UNION ALL ".join(
        f"SELECT basis, '{level}' AS level, {column} AS unit_id, {sums} FROM change "
        f"WHERE {column} IS NOT NULL GROUP BY basis, {column}"
        for level, column in (("district", "district_id"), ("region", "region_id"))
    )
    sets = ", ".join(f"{n} = t.{n} + s.{n}" for n in names)
    turnout = (
        "turnout_percent = CASE WHEN t.registered_voters + s.registered_voters > 0 THEN "
        "round((t.ballots_issued + s.ballots_issued) * 100.0 / (t.registered_voters + s.registered_voters), 2) END"
    )
    nonzero = f"({', '.join(f's.{n}' for n in names)}) <> ({', '.join(['0'] * len(names))})"
    return (
        f"{units}; "
        f"WITH change AS ({change}), per AS ({per}), "
        f"upper AS (UPDATE results_turnoutrollup t SET {sets}, {turnout}, computed_at = %s FROM per s "
        f"WHERE t.election_id = {e} AND t.level = s.level AND t.unit_id = s.unit_id AND t.basis = s.basis "
        f"AND {nonzero} RETURNING 1) "
        f"UPDATE results_turnoutrollup t SET {sets}, {turnout}, computed_at = %s "
        f"FROM (SELECT basis, {sums} FROM change GROUP BY basis) s "
        f"WHERE t.election_id = {e} AND t.level = 'election' AND t.basis = s.basis"
    )


def write_rollups(election_id, contest_ids, now):
    """The roll-ups summed again (rollups_sql) in one round trip; returns the rows written."""
    sql = rollups_sql(election_id, contest_ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, [now] * sql.count("%s"))
        written = max(cursor.cursor.rowcount, 0)
        while cursor.cursor.nextset():
            written += max(cursor.cursor.rowcount, 0)
        return written
