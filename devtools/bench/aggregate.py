"""Aggregation figures: the project's recompute vs a hand-written SQL baseline, incremental runs,
and the row-by-row comparison of their totals.

Incremental runs go through `results.aggregation.update`, the on-commit task's code: on
PostgreSQL it applies the deltas the triggers queued for the changes (one certified protocol; 1%
of the protocols with a vote moved); elsewhere it recomputes the touched contests. For comparison
one more 1% change is recomputed from scratch (`recompute(election, touched contests)`, the path
before deltas), printed and returned as `share_scratch`.

The baseline is the grouping a DBA would write by hand, into scratch tables (created and dropped
by each run, so its time includes writing every row): candidate totals per basis (one GROUP BY
over the vote counts joined to their protocols, with the registered candidacies that got none),
contest totals per basis (one GROUP BY over the protocols) and the district and region turnout
roll-ups (one GROUP BY each over the protocols). Portable SQL (PostgreSQL and SQLite).
"""

import random
import statistics
import time

from django.db import connection, transaction
from django.utils.translation import gettext

from core import clock
from core.commands import number
from results.aggregation import flags as anomaly_flags
from results.aggregation import recompute, update
from results.models import CandidateResult, ContestResult, Protocol, ProtocolState, ProtocolVote, TurnoutRollup

SCRATCH = ("bench_base_candidates", "bench_base_contests", "bench_base_rollups")
_STATE = "p.state"
_OFF = f"CASE WHEN {_STATE} = 'certified' THEN 1 ELSE 0 END"
_COUNTED = f"CASE WHEN {_STATE} IN ('verified', 'certified') THEN 1 ELSE 0 END"


def _basis_sums(prefix, flag):
    return ", ".join(
        [
            f"SUM({flag}) AS {prefix}_counted",
            f"COALESCE(SUM({flag} * p.voters), 0) AS {prefix}_voters",
            f"COALESCE(SUM({flag} * (p.issued_station + p.issued_mobile)), 0) AS {prefix}_issued",
            f"COALESCE(SUM({flag} * (p.found_stationary + p.found_mobile)), 0) AS {prefix}_found",
            f"COALESCE(SUM({flag} * p.invalid), 0) AS {prefix}_invalid",
        ]
    )


def baseline_statements(election_id):
    """(sql, params) statements of the baseline, in order."""
    e = int(election_id)
    drop = [(f"DROP TABLE IF EXISTS {t}", []) for t in SCRATCH]
    return [
        *drop,
        (
            "CREATE TABLE bench_base_candidates AS "
            "SELECT c.contest_id AS contest_id, c.id AS candidacy_id, "
            "COALESCE(g.official, 0) AS official, COALESCE(g.preliminary, 0) AS preliminary "
            "FROM registry_candidacy c LEFT JOIN ("
            f"  SELECT v.candidacy_id AS candidacy_id, SUM({_OFF} * v.votes) AS official, SUM(v.votes) AS preliminary"
            "  FROM results_protocolvote v JOIN results_protocol p ON p.id = v.protocol_id"
            "  WHERE p.election_id = %s AND p.state IN ('verified', 'certified')"
            "  GROUP BY v.candidacy_id"
            ") g ON g.candidacy_id = c.id "
            "WHERE c.election_id = %s AND c.status = 'registered'",
            [e, e],
        ),
        (
            "CREATE TABLE bench_base_contests AS "
            f"SELECT p.contest_id AS contest_id, COUNT(*) AS expected, {_basis_sums('o', _OFF)}, "
            f"{_basis_sums('p', _COUNTED)} FROM results_protocol p WHERE p.election_id = %s GROUP BY p.contest_id",
            [e],
        ),
        (
            "CREATE TABLE bench_base_rollups AS "
            f"SELECT 'district' AS level, p.district_id AS unit_id, COUNT(*) AS expected, {_basis_sums('o', _OFF)}, "
            f"{_basis_sums('p', _COUNTED)} FROM results_protocol p WHERE p.election_id = %s GROUP BY p.district_id "
            f"UNION ALL SELECT 'region', p.region_id, COUNT(*), {_basis_sums('o', _OFF)}, "
            f"{_basis_sums('p', _COUNTED)} FROM results_protocol p WHERE p.election_id = %s GROUP BY p.region_id",
            [e, e],
        ),
    ]


def run_baseline(election_id):
    """Run the baseline in one transaction; returns its seconds."""
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for sql, params in baseline_statements(election_id):
            cursor.execute(sql, params)
    return time.perf_counter() - start


def drop_baseline():
    with connection.cursor() as cursor:
        for table in SCRATCH:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median(values):
    return statistics.median(values) if values else None


def compare(election):
    """Compare the result tables with the baseline's scratch tables row by row.

    Returns None when equal, else a description of the first difference."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT contest_id, candidacy_id, official, preliminary FROM bench_base_candidates "
            "ORDER BY contest_id, candidacy_id"
        )
        base = [(c, k, "official", int(o)) for c, k, o, _ in cursor.fetchall()]
        cursor.execute(
            "SELECT contest_id, candidacy_id, preliminary FROM bench_base_candidates ORDER BY contest_id, candidacy_id"
        )
        base += [(c, k, "preliminary", int(p)) for c, k, p in cursor.fetchall()]
        cursor.execute("SELECT * FROM bench_base_contests ORDER BY contest_id")
        names = [d[0] for d in cursor.description]
        base_contests = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        cursor.execute("SELECT * FROM bench_base_rollups")
        names = [d[0] for d in cursor.description]
        base_rollups = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    mine = list(
        CandidateResult.objects.filter(election=election)
        .order_by()
        .values_list("contest_id", "candidacy_id", "basis", "votes")
    )
    diff = _first_difference("candidate votes (contest, candidacy, basis, votes)", sorted(base), sorted(mine))
    if diff:
        return diff
    expected = []
    for row in base_contests:
        for basis, p in (("official", "o"), ("preliminary", "p")):
            expected.append(
                (
                    row["contest_id"],
                    basis,
                    int(row[f"{p}_voters"]),
                    int(row[f"{p}_issued"]),
                    int(row[f"{p}_found"]),
                    int(row[f"{p}_invalid"]),
                    int(row[f"{p}_counted"] or 0),
                    int(row["expected"]),
                )
            )
    fields = (
        "contest_id",
        "basis",
        "registered_voters",
        "ballots_issued",
        "ballots_found",
        "invalid",
        "protocols_counted",
        "protocols_expected",
    )
    mine_contests = ContestResult.objects.filter(election=election, protocols_expected__gt=0).values_list(*fields)
    diff = _first_difference(f"contest totals {fields}", sorted(expected), sorted(mine_contests))
    if diff:
        return diff
    expected = []
    for row in base_rollups:
        for basis, p in (("official", "o"), ("preliminary", "p")):
            expected.append(
                (
                    row["level"],
                    row["unit_id"],
                    basis,
                    int(row[f"{p}_voters"]),
                    int(row[f"{p}_issued"]),
                    int(row[f"{p}_counted"] or 0),
                    int(row["expected"]),
                )
            )
    fields = (
        "level",
        "unit_id",
        "basis",
        "registered_voters",
        "ballots_issued",
        "protocols_counted",
        "protocols_expected",
    )
    mine_rollups = TurnoutRollup.objects.filter(election=election, level__in=["district", "region"]).values_list(
        *fields
    )
    return _first_difference(f"roll-ups {fields}", sorted(expected), sorted(mine_rollups))


def _first_difference(what, expected, actual):
    for i, (e, a) in enumerate(zip(expected, actual, strict=False)):
        if tuple(e) != tuple(a):
            return f"{what}: row {i}: baseline {tuple(e)} != project {tuple(a)}"
    if len(expected) != len(actual):
        return f"{what}: baseline has {len(expected)} rows, project {len(actual)}"
    return None


def certify_one(election, user):
    """Certify one verified protocol through the service; returns its contest id (None if none left)."""
    from results import aggregation_hook
    from results.services import certify_protocol

    protocol = Protocol.objects.filter(election=election, state=ProtocolState.VERIFIED).order_by("pk").first()
    if protocol is None:
        return None
    with aggregation_hook.suppressed():
        certify_protocol(protocol, user)
    return protocol.contest_id


def change_share(election, share, seed):
    """Change the figures of `share` of the protocols with figures: one vote moves from each chosen
    protocol's leading candidate to its last (totals stay consistent). Returns the touched contest ids."""
    rng = random.Random(seed)
    ids = list(
        Protocol.objects.filter(election=election, state__in=[ProtocolState.VERIFIED, ProtocolState.CERTIFIED])
        .order_by()
        .values_list("pk", "contest_id")
    )
    chosen = rng.sample(ids, max(1, int(len(ids) * share)))
    chosen_ids = sorted(pk for pk, _ in chosen)
    by_protocol = {}
    for start in range(0, len(chosen_ids), 5_000):
        for row in ProtocolVote.objects.filter(protocol_id__in=chosen_ids[start : start + 5_000]).values_list(
            "pk", "protocol_id", "votes"
        ):
            by_protocol.setdefault(row[1], []).append(row)
    changed = []
    for rows in by_protocol.values():
        if len(rows) < 2:
            continue
        rows.sort(key=lambda r: r[2])
        low, high = rows[0], rows[-1]
        if high[2] == 0:
            continue
        changed += [ProtocolVote(pk=high[0], votes=high[2] - 1), ProtocolVote(pk=low[0], votes=low[2] + 1)]
    ProtocolVote.objects.bulk_update(changed, ["votes"], batch_size=2_000)
    return sorted({contest for _, contest in chosen})


def vacuum(*tables):
    """VACUUM (ANALYZE) tables (PostgreSQL, outside a transaction): what autovacuum does on a
    production server. The CI server the figures are taken on runs with autovacuum off, where
    every rewritten result row and every consumed pending delta stays as a dead row (building
    `national` queues millions of deltas, consumed by the first full run), the statistics stay
    those of the first load, and the incremental runs would wade through both. Done before the
    incremental runs only (the full runs are measured as before), and said in docs/PERFORMANCE.md."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for table in tables or DERIVED:
            cursor.execute(f"VACUUM (ANALYZE) {table}")


DERIVED = ("results_pendingdelta", "results_candidateresult", "results_contestresult", "results_turnoutrollup")


def _flags_alone(election):
    """The anomaly flags' step of a full run, in a transaction of its own."""
    with transaction.atomic():
        anomaly_flags.refresh(election, clock.now())


def measure(election, user, *, runs=3, seed=1, say=print):
    """Every aggregation figure; returns a dict (seconds, medians, the comparison)."""
    out = {}
    recompute(election, wait=True)  # warm the caches once: every measured run starts alike
    full = [timed(lambda: recompute(election, wait=True)) for _ in range(runs)]
    base = [run_baseline(election.pk) for _ in range(runs)]
    out["full"], out["baseline"] = median(full), median(base)
    out["full_runs"], out["baseline_runs"] = full, base
    say(
        gettext("bench: full aggregation %(full)s s, SQL baseline %(baseline)s s")
        % {"full": number(out["full"], 3), "baseline": number(out["baseline"], 3)}
    )
    # The anomaly flags (issue 20) are part of every full run; the baseline computes none. Their
    # share is timed alone (the stations read, the rules, the differences written: none after a
    # full run) so that the document can name what the full run's ratio is made of.
    flag_runs = [timed(lambda: _flags_alone(election)) for _ in range(runs)]
    out["flags"], out["flags_runs"] = median(flag_runs), flag_runs
    say(gettext("bench: of which anomaly flags %(flags)s s") % {"flags": number(out["flags"], 3)})
    out["difference"] = compare(election)
    vacuum()  # the full runs' dead rows and the deltas queued by building (consumed by them)
    one = []
    for _ in range(runs):
        contest = certify_one(election, user)
        if contest is None:
            break
        vacuum("results_pendingdelta")
        one.append(timed(lambda contest=contest: update(election, [contest], wait=True)))
    out["one"] = median(one)
    share, touched = [], []
    for i in range(runs):
        contests = change_share(election, 0.01, seed + i)
        vacuum("results_pendingdelta")
        touched.append(len(contests))
        share.append(timed(lambda contests=contests: update(election, contests, wait=True)))
    out["share"], out["share_contests"] = median(share), median(touched)
    out["share_runs"] = share
    # The same kind of change recomputed from scratch (touched contests from their protocols), once.
    contests = change_share(election, 0.01, seed + runs)
    out["share_scratch"] = timed(lambda: recompute(election, contests, wait=True))
    say(
        gettext("bench: 1%% changed, touched contests recomputed from scratch instead: %(seconds)s s")
        % {"seconds": number(out["share_scratch"], 3)}
    )
    if out["difference"] is None:
        # The incremental runs must leave the same totals as a full baseline over the changed data.
        run_baseline(election.pk)
        out["difference"] = compare(election)
    drop_baseline()
    say(
        gettext("bench: one certified protocol %(one)s ms, 1%% changed %(share)s s")
        % {"one": "-" if out["one"] is None else number(out["one"] * 1000, 1), "share": number(out["share"], 3)}
    )
    return out
