"""Aggregation, set-based (PostgreSQL): the contest and candidate rows of a from-scratch run decided and
written by the database, one statement for both tables, and the roll-ups in one more.

Why: at the scale of kz (2,350 contests, 10,000 protocols) a run spent most of its time in
Python after the grouping: building a Figures and an Outcome per contest and basis, formatting
~20,000 rows for COPY, and reading the grouped totals back through the ORM. Here nothing comes
back to Python but the counts: the grouping (the same two GROUP BYs as results.aggregation.read),
the ranking (rank() per contest and basis), the outcome (`outcome_sql`), the shares and the
upsert-and-delete of each table (as results.aggregation.store does) are one statement.

The outcome rules are results.outcomes.decide, stated a second time in SQL over each contest's
aggregates (number of candidacies, top votes, the leaders and the candidacies ranked second as id
arrays). `decide` stays the rule's reference: SQLite and the delta runs use it, and
tests/results/test_aggregation_sets.py checks that both give the same outcome on every branch of
the rules (crafted cases and generated ones) and the same rows on the same data.
"""

import json

from django.db import connection

from ..outcomes import (
    ABSOLUTE_MAJORITY,
    AGAINST_ALL_INVALIDATES,
    Code,
    Flag,
)
from .read import _PREFIX, BASIS_STATES


def supported():
    return connection.vendor == "postgresql"


def _ids(ids):
    return "'{" + ",".join(str(int(i)) for i in ids) + "}'::bigint[]"


def _states(basis):
    return ", ".join(f"'{s}'" for s in BASIS_STATES[basis])


def _text(value):
    return "'" + str(value).replace("'", "''") + "'"


def outcome_sql(rules):
    """SQL over a row with n (candidacies), top (most votes), nl (number of leaders), leaders and
    r2 (ids ranked first and second, ascending), voters, issued, against, counted, expected:
    the branch of results.outcomes.decide it takes, as '<code>' or '<code>:<which>' (tie:leaders,
    tie:second, runoff:leaders, runoff:pair). Same order of tests as `decide`."""
    against = "against" if rules.against_all else "0"
    if rules.min_turnout_percent <= 0:
        turnout_fails = "FALSE"
    else:
        turnout_fails = f"(voters <= 0 OR issued * 100 < {rules.min_turnout_percent}::numeric * voters)"
    branches = [
        f"WHEN expected <= 0 OR counted < expected THEN '{Code.INCOMPLETE}'",
        f"WHEN n = 0 THEN '{Code.NO_CANDIDATES}'",
        f"WHEN {turnout_fails} THEN '{Code.INVALID_TURNOUT}'",
        f"WHEN top = 0 AND {against} = 0 THEN '{Code.NO_VOTES}'",
    ]
    if rules.against_all and rules.against_all_effect == AGAINST_ALL_INVALIDATES:
        branches += [
            f"WHEN {against} > top THEN '{Code.INVALID_AGAINST_ALL}'",
            f"WHEN {against} = top THEN '{Code.TIE}:leaders'",
        ]
    if rules.winner_rule == ABSOLUTE_MAJORITY:
        # decide._second_round: no majority (more than half of the ballots issued).
        branches.append(
            "WHEN NOT (issued > 0 AND 2 * top > issued) THEN CASE "
            f"WHEN n < 2 THEN '{Code.NOT_ELECTED}' "
            f"WHEN nl = 2 THEN '{Code.RUNOFF}:leaders' "
            f"WHEN nl > 2 THEN '{Code.TIE}:leaders' "
            f"WHEN cardinality(r2) > 1 THEN '{Code.TIE}:second' "
            f"ELSE '{Code.RUNOFF}:pair' END"
        )
    branches += [f"WHEN nl > 1 THEN '{Code.TIE}:leaders'", f"ELSE '{Code.ELECTED}'"]
    return "CASE " + " ".join(branches) + " END"


def flags_sql(rules):
    """SQL of the flags (a jsonb array, in results.outcomes._flags's order) over `code` and `n`."""
    parts = [
        (f"code = '{Code.INCOMPLETE}'", Flag.INCOMPLETE),
        (f"n < {int(rules.min_candidates)}", Flag.FEW_CANDIDATES),
        (f"code = '{Code.TIE}'", Flag.TIE),
        (f"code = '{Code.RUNOFF}'", Flag.RUNOFF),
        (f"code IN ('{Code.INVALID_TURNOUT}', '{Code.INVALID_AGAINST_ALL}')", Flag.INVALID),
        (f"code IN ('{Code.NOT_ELECTED}', '{Code.NO_VOTES}', '{Code.NO_CANDIDATES}')", Flag.NOT_ELECTED),
    ]
    return " || ".join(f"(CASE WHEN {cond} THEN '[\"{flag}\"]' ELSE '[]' END)::jsonb" for cond, flag in parts)


def decision_ctes(rules):
    """The CTEs `ranked` (cands with rnk: 1 + the number of candidacies with more votes, per
    contest and basis), `stats` and `decided` (figures with the outcome), over two relations:
    cands (contest_id, candidacy_id, basis, votes) and figures (contest_id, basis, expected,
    counted, voters, issued, against, ...)."""
    return (
        "ranked AS (SELECT k.*, rank() OVER (PARTITION BY contest_id, basis ORDER BY votes DESC) AS rnk FROM cands k), "
        "stats AS (SELECT contest_id, basis, count(*) AS n, max(votes) AS top, count(*) FILTER (WHERE rnk = 1) AS nl, "
        "array_agg(candidacy_id ORDER BY candidacy_id) FILTER (WHERE rnk = 1) AS leaders, "
        "array_agg(candidacy_id ORDER BY candidacy_id) FILTER (WHERE rnk = 2) AS r2 "
        "FROM ranked GROUP BY contest_id, basis), "
        "decided AS ("
        + decided_sql(
            rules,
            "SELECT f.*, COALESCE(s.n, 0) AS n, s.top, s.nl, s.leaders, s.r2 FROM figures f "
            "LEFT JOIN stats s ON s.contest_id = f.contest_id AND s.basis = f.basis",
        )
        + ")"
    )


def decide_cases(rules, cases):
    """The outcome `decided` gives each of `cases` (results.outcomes.Figures), one query: a list of
    (code, winner, runoff, tied, flags) in their order. For tests: the same rules as `decide`."""
    cands, figures = [], []
    for i, f in enumerate(cases):
        cands += [f"({i}, {int(k)}, 'x', {int(v)})" for k, v in f.votes.items()]
        figures.append(
            f"({i}, 'x', {int(f.protocols_expected)}, {int(f.protocols_counted)}, {int(f.registered_voters)}, "
            f"{int(f.ballots_issued)}, {int(f.against_all)})"
        )
    cands = cands or ["(NULL::bigint, NULL::bigint, 'x', 0)"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH cands (contest_id, candidacy_id, basis, votes) AS (VALUES {', '.join(cands)}), "
            "figures (contest_id, basis, expected, counted, voters, issued, against) AS "
            f"(VALUES {', '.join(figures)}), {decision_ctes(rules)} "
            "SELECT code, winner_id, runoff, tied, flags FROM decided ORDER BY contest_id"
        )
        return [
            (code, winner, tuple(json_list(runoff)), tuple(json_list(tied)), tuple(json_list(flags)))
            for code, winner, runoff, tied, flags in cursor.fetchall()
        ]


def json_list(value):
    return json.loads(value) if isinstance(value, str) else value


def decided_sql(rules, source):
    """SELECT over `source` (a relation with the columns outcome_sql reads) adding code, winner_id,
    runoff, tied and flags."""
    return (
        "SELECT b.*, CASE WHEN branch = 'elected' THEN leaders[1] END AS winner_id, "
        "CASE branch WHEN 'runoff:leaders' THEN to_jsonb(leaders) "
        "WHEN 'runoff:pair' THEN jsonb_build_array(leaders[1], r2[1]) ELSE '[]'::jsonb END AS runoff, "
        "CASE branch WHEN 'tie:leaders' THEN to_jsonb(leaders) WHEN 'tie:second' THEN to_jsonb(r2) "
        "ELSE '[]'::jsonb END AS tied, "
        f"{flags_sql(rules)} AS flags "
        f"FROM (SELECT a.*, split_part(a.branch, ':', 1) AS code FROM (SELECT s.*, {outcome_sql(rules)} AS branch "
        f"FROM ({source}) AS s) AS a) AS b"
    )


_FIGURES = ("counted", "voters", "issued", "found", "invalid", "against")


def results_sql(election_id, contest_ids, rules):
    """The statement replacing the contest and candidate rows of the contests (all the election's
    when None) with those computed from their protocols. Parameters: now (twice). Returns one row:
    contest rows written, candidate rows of the run, candidate rows written, the first candidacy
    with votes outside the run's candidacies (None when none; the caller raises).

    Anti-joins are NOT IN over a subquery (a hashed subplan), never NOT EXISTS: the planner's
    estimates of the CTEs are often off by orders of magnitude (a bench election's candidacies
    estimated at 82 rows for 25,000), and a NOT EXISTS planned as a nested loop over them
    turned a run of 100,000 protocols from seconds into minutes."""
    e = int(election_id)
    scope_p = scope_k = scope_c = scope_r = ""
    if contest_ids is not None:
        ids = _ids(contest_ids)
        scope_p = f" AND contest_id = ANY({ids})"
        scope_k = f" AND k.contest_id = ANY({ids})"
        scope_c = f" AND c.id = ANY({ids})"
        scope_r = f" AND t.contest_id = ANY({ids})"
    with_figures = ", ".join(f"'{s}'" for s in BASIS_STATES["preliminary"])
    sums = []
    for basis, p in _PREFIX.items():
        f = f"FILTER (WHERE state IN ({_states(basis)}))"
        sums += [
            f"count(*) {f} AS {p}_counted",
            f"COALESCE(sum(voters) {f}, 0) AS {p}_voters",
            f"COALESCE(sum(issued_station + issued_mobile) {f}, 0) AS {p}_issued",
            f"COALESCE(sum(found_stationary + found_mobile) {f}, 0) AS {p}_found",
            f"COALESCE(sum(invalid) {f}, 0) AS {p}_invalid",
            f"COALESCE(sum(against_all) {f}, 0) AS {p}_against",
        ]
    vote_sums = ", ".join(
        f"COALESCE(sum(v.votes) FILTER (WHERE p.state IN ({_states(basis)})), 0) AS {p}" for basis, p in _PREFIX.items()
    )
    per_basis = ", ".join(
        "(" + ", ".join([f"'{basis}'", *(f"COALESCE(t.{p}_{n}, 0)" for n in _FIGURES)]) + ")"
        for basis, p in _PREFIX.items()
    )
    cand_bases = ", ".join(f"('{basis}', COALESCE(g.{p}, 0))" for basis, p in _PREFIX.items())
    contest_columns = (
        "election_id, contest_id, basis, unit_id, region_id, district_id, registered_voters, ballots_issued, "
        "turnout_percent, ballots_found, invalid, valid, against_all, protocols_counted, protocols_expected, "
        "candidates, outcome, winner_id, runoff, tied, flags, computed_at"
    )
    contest_updates = ", ".join(
        f"{c} = EXCLUDED.{c}" for c in contest_columns.split(", ") if c not in ("contest_id", "basis")
    )
    candidate_columns = (
        "election_id, contest_id, candidacy_id, basis, votes, share_percent, rank, is_winner, computed_at"
    )
    candidate_updates = ", ".join(
        f"{c} = EXCLUDED.{c}" for c in candidate_columns.split(", ") if c not in ("candidacy_id", "basis")
    )
    figures = (
        "SELECT c.id AS contest_id, c.unit_id, u.region_id, u.district_id, x.basis, "
        "COALESCE(t.expected, 0) AS expected, "
        "x.counted, x.voters, x.issued, x.found, x.invalid, x.against "
        "FROM registry_contest c JOIN territory_adminunit u ON u.id = c.unit_id "
        "LEFT JOIN totals t ON t.contest_id = c.id "
        f"CROSS JOIN LATERAL (VALUES {per_basis}) AS x(basis, {', '.join(_FIGURES)}) "
        f"WHERE c.election_id = {e}{scope_c}"
    )
    return (
        f"WITH totals AS (SELECT contest_id, count(*) AS expected, {', '.join(sums)} FROM results_protocol "
        f"WHERE election_id = {e}{scope_p} GROUP BY contest_id), "
        f"votes AS (SELECT v.candidacy_id, {vote_sums} FROM results_protocolvote v "
        "JOIN results_protocol p ON p.id = v.protocol_id "
        f"WHERE p.election_id = {e} AND p.state IN ({with_figures}){scope_p.replace('contest_id', 'p.contest_id')} "
        "GROUP BY v.candidacy_id), "
        # Every registered candidacy of the contests (0 votes when none counted), and any other
        # candidacy their protocols gave votes to (results.aggregation.read._candidate_votes).
        "cands AS (SELECT k.id AS candidacy_id, k.contest_id, x.basis, x.votes FROM registry_candidacy k "
        "LEFT JOIN votes g ON g.candidacy_id = k.id "
        f"CROSS JOIN LATERAL (VALUES {cand_bases}) AS x(basis, votes) "
        f"WHERE k.election_id = {e}{scope_k} AND (k.status = 'registered' OR g.candidacy_id IS NOT NULL)), "
        "stray AS (SELECT min(g.candidacy_id) AS candidacy_id FROM votes g "
        "WHERE g.candidacy_id NOT IN (SELECT candidacy_id FROM cands)), "
        f"figures AS ({figures}), {decision_ctes(rules)}, "
        f"contest_written AS (INSERT INTO results_contestresult ({contest_columns}) "
        f"SELECT {e}, contest_id, basis, unit_id, region_id, district_id, voters, issued, "
        "CASE WHEN voters <> 0 THEN round(issued * 100.0 / voters, 2) END, found, invalid, found - invalid, against, "
        "counted, expected, n, code, winner_id, runoff, tied, flags, %s FROM decided "
        f"ON CONFLICT (contest_id, basis) DO UPDATE SET {contest_updates} RETURNING id), "
        f"contest_gone AS (DELETE FROM results_contestresult t WHERE t.election_id = {e}{scope_r} "
        "AND t.id NOT IN (SELECT id FROM contest_written)), "
        # Candidate rows: only those that change are written (as a delta run writes them: their
        # computed_at is the run that last changed them); the contest rows always (their
        # computed_at dates the run: results.cycle and results.live read it).
        f"new_candidates AS (SELECT {e} AS election_id, r.contest_id, r.candidacy_id, r.basis, r.votes, "
        "CASE WHEN d.found - d.invalid <> 0 THEN round(r.votes * 100.0 / (d.found - d.invalid), 2) END "
        "AS share_percent, r.rnk AS rank, COALESCE(r.candidacy_id = d.winner_id, false) AS is_winner "
        "FROM ranked r JOIN decided d ON d.contest_id = r.contest_id AND d.basis = r.basis), "
        f"candidate_written AS (INSERT INTO results_candidateresult ({candidate_columns}) SELECT n.*, %s "
        "FROM new_candidates n LEFT JOIN results_candidateresult t ON t.candidacy_id = n.candidacy_id "
        "AND t.basis = n.basis WHERE t.id IS NULL OR (t.election_id, t.contest_id, t.votes, t.share_percent, "
        "t.rank, t.is_winner) IS DISTINCT FROM (n.election_id, n.contest_id, n.votes, n.share_percent, n.rank, "
        f"n.is_winner) ON CONFLICT (candidacy_id, basis) DO UPDATE SET {candidate_updates} RETURNING id), "
        f"candidate_gone AS (DELETE FROM results_candidateresult t WHERE t.election_id = {e}{scope_r} "
        "AND (t.candidacy_id, t.basis) NOT IN (SELECT candidacy_id, basis FROM new_candidates)) "
        "SELECT (SELECT count(*) FROM contest_written), (SELECT count(*) FROM new_candidates), "
        "(SELECT count(*) FROM candidate_written), "
        "(SELECT candidacy_id FROM stray)"
    )


def write_results(election, contest_ids, rules, now):
    """Decide and write the contest and candidate rows (results_sql); returns (contest rows,
    candidate rows). Raises ValueError, as the Python path does, for vote counts of a candidacy
    outside the run's candidacies (the caller's transaction rolls the write back)."""
    with connection.cursor() as cursor:
        cursor.execute(results_sql(election.pk, contest_ids, rules), [now, now])
        contests, candidates, _written, stray = cursor.fetchone()
    if stray is not None:
        raise ValueError(f"vote counts for candidacy {stray} outside election {election.pk}")
    return contests, candidates


_COMPLETE = "CASE WHEN protocols_expected > 0 AND protocols_counted = protocols_expected THEN 1 ELSE 0 END"
_ROLLUP_COLUMNS = (
    "contests",
    "contests_complete",
    "registered_voters",
    "ballots_issued",
    "turnout_percent",
    "protocols_counted",
    "protocols_expected",
)


def rollups_sql(election_id, contest_ids):
    """The statement replacing the roll-ups of a run (results.aggregation.rollups, the same rows):
    unit rows copy the contest rows, district, region and election rows sum them; in a run of
    some contests only their units, districts and regions, and the election's rows. Rows of the
    scope that the run does not give are deleted; unit, district and region rows are written only
    when they change. Parameter: now. Returns the number of roll-up rows of the run."""
    e = int(election_id)
    sums = (
        f"count(*), sum({_COMPLETE}), sum(registered_voters), sum(ballots_issued), "
        "CASE WHEN sum(registered_voters) <> 0 "
        "THEN round(sum(ballots_issued) * 100.0 / sum(registered_voters), 2) END, "
        "sum(protocols_counted), sum(protocols_expected)"
    )
    unit_scope = district_scope = region_scope = ""
    gone_scope = "TRUE"
    if contest_ids is not None:
        ids = _ids(contest_ids)

        def touched(column):
            return f"SELECT {column} FROM results_contestresult WHERE election_id = {e} AND contest_id = ANY({ids})"

        contests = f"SELECT unit_id FROM registry_contest WHERE id = ANY({ids})"
        unit_scope = f" AND contest_id = ANY({ids})"
        district_scope = f" AND district_id IN ({touched('district_id')})"
        region_scope = f" AND region_id IN ({touched('region_id')})"
        gone_scope = (
            f"(t.level = 'unit' AND t.unit_id IN ({contests})) "
            f"OR (t.level = 'district' AND t.unit_id IN ({touched('district_id')})) "
            f"OR (t.level = 'region' AND t.unit_id IN ({touched('region_id')})) "
            "OR t.level = 'election'"
        )
    columns = f"election_id, basis, level, unit_id, {', '.join(_ROLLUP_COLUMNS)}, computed_at"
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in (*_ROLLUP_COLUMNS, "computed_at"))
    rows = (
        f"SELECT basis, 'unit' AS level, unit_id, 1 AS contests, {_COMPLETE} AS contests_complete, registered_voters, "
        "ballots_issued, turnout_percent, "
        f"protocols_counted, protocols_expected FROM results_contestresult WHERE election_id = {e}{unit_scope} "
        f"UNION ALL SELECT basis, 'district', district_id, {sums} FROM results_contestresult "
        f"WHERE election_id = {e} AND district_id IS NOT NULL{district_scope} GROUP BY basis, district_id "
        f"UNION ALL SELECT basis, 'region', region_id, {sums} FROM results_contestresult "
        f"WHERE election_id = {e} AND region_id IS NOT NULL{region_scope} GROUP BY basis, region_id "
        f"UNION ALL SELECT basis, 'election', NULL, {sums} FROM results_contestresult WHERE election_id = {e} "
        "GROUP BY basis"
    )
    return (
        f"WITH at AS (SELECT %s::timestamptz AS at), new AS ({rows}), "
        # Unit, district and region rows only when they change (as a delta run writes them); the
        # election's rows always: their computed_at dates the last run.
        f"units AS (INSERT INTO results_turnoutrollup AS t ({columns}) SELECT {e}, new.*, at.at FROM new, at "
        "WHERE unit_id IS NOT NULL ON CONFLICT (election_id, basis, level, unit_id) WHERE unit_id IS NOT NULL "
        f"DO UPDATE SET {updates} WHERE ({', '.join(f't.{c}' for c in _ROLLUP_COLUMNS)}) "
        f"IS DISTINCT FROM ({', '.join(f'EXCLUDED.{c}' for c in _ROLLUP_COLUMNS)})), "
        f"top AS (INSERT INTO results_turnoutrollup ({columns}) SELECT {e}, new.*, at.at FROM new, at "
        f"WHERE level = 'election' ON CONFLICT (election_id, basis) WHERE level = 'election' DO UPDATE SET {updates}), "
        f"gone AS (DELETE FROM results_turnoutrollup t WHERE t.election_id = {e} AND ({gone_scope}) "
        "AND (t.basis, t.level, COALESCE(t.unit_id, 0)) NOT IN (SELECT basis, level, COALESCE(unit_id, 0) FROM new)) "
        "SELECT count(*) FROM new"
    )


def write_rollups(election, contest_ids, now):
    """Replace the run's roll-ups (rollups_sql); returns the number of roll-up rows of the run."""
    with connection.cursor() as cursor:
        cursor.execute(rollups_sql(election.pk, contest_ids), [now])
        return cursor.fetchone()[0]
