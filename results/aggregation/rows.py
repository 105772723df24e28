"""Aggregation, result rows: the columns of the contest and candidate tables, the rows built per contest (with
the outcome decided), and their write (results.aggregation.store)."""

from dataclasses import dataclass

from django.db import connection

from core.numbers import percent

from ..models import (
    CandidateResult,
    ContestResult,
)
from ..outcomes import Figures, Rules, decide
from . import store
from .read import _PREFIX, BASIS_STATES

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
