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

Consistency (`run._run`): one run at a time per election (results.aggregation.locks); on PostgreSQL a
run started outside a transaction is REPEATABLE READ, so the protocols it reads and the pending
deltas it consumes (a from-scratch run deletes those of its contests: it counts them) come from
one snapshot. An entry committing during a run is counted exactly once: by this run if in its
snapshot, else by the next one, its deltas still queued.

Shape of a from-scratch run (a constant number of statements whatever the election's size), in one
transaction, after taking the election's lock:
- PostgreSQL only: JIT off and a larger work_mem for this transaction, the staging tables of
  the writes, and the consumption of the pending deltas, in one round trip (run._prepare_transaction);
- PostgreSQL (results.aggregation.sets): one statement groups the protocols and the votes, ranks
  the candidacies, decides every contest's outcome in SQL (the rules of results.outcomes.decide,
  tested against it), and writes the contest rows (every one: their computed_at dates the run)
  and the candidate rows that change, deleting the rows of the run's contests it no longer gives;
  one more writes the roll-ups (unit rows from the contest rows, district, region and election
  sums; only rows that change, the election's always). Nothing comes back to Python but counts;
- other databases (SQLite): read contests, protocol totals (1 GROUP BY), candidacies and votes
  per candidacy (1 GROUP BY); build the rows as tuples in Python (once per contest and
  candidacy, for the outcome rules, never per protocol); write (results.aggregation.store):
  delete and multi-row INSERTs; roll-ups: unit rows from the contest rows just built, district,
  region and election rows in one query;
- the anomaly flags (results.aggregation.flags): the stations read in one query, the rules of
  results.anomalies in Python, only the flags that change written.
A delta run is five round trips and a commit: begin, lock, consume the queue, read the touched
contests, write their contest and candidate rows and the roll-ups.
A failure rolls the whole transaction back: the previous tables stay (and the consumed deltas
stay queued). Running twice gives the same rows (only `computed_at` moves). Figures
(docs/PERFORMANCE.md, `manage.py bench`): 10 million vote rows (1,000,000 protocols, 2,500
contests) within 1.2x of a hand-written SQL baseline; at 100,000 protocols / 500,000 vote rows the
first version took 17 s. At kz (10,000 protocols) the run is bounded by the outcome, ranking and
writes the baseline does not do, and by the anomaly rules in Python.
"""

from . import deltas, flags, locks, read, rollups, rows, run, store
from .locks import AggregationBusy
from .read import BASIS_STATES
from .run import Summary, apply_deltas, recompute, recompute_by_id, update, update_by_id

__all__ = [
    "BASIS_STATES",
    "AggregationBusy",
    "Summary",
    "apply_deltas",
    "deltas",
    "flags",
    "locks",
    "read",
    "recompute",
    "recompute_by_id",
    "rollups",
    "rows",
    "run",
    "store",
    "update",
    "update_by_id",
]
