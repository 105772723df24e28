"""Aggregation: protocols -> result tables, computed by the database in grouped queries.

`recompute(election, contests=None)` rebuilds the result rows of the given contests (ids or
Contest objects; the whole election when None) on both bases (official: certified protocols;
preliminary: verified and certified), then the turnout roll-ups those contests touch.

Shape of a run (a constant number of queries whatever the election's size), in one transaction,
after taking the election's lock (results.aggregation.locks):
- read: contests (1 query); protocol totals per contest, both bases as filtered aggregates
  (1 GROUP BY); registered candidacies (1) and votes per candidacy, both bases (1 GROUP BY);
- write: delete the touched contests' rows, bulk insert the new contest and candidate rows;
- roll-ups: unit rows from the contest rows just built; district, region and election rows one
  GROUP BY each over the contest table (only the touched districts and regions in an incremental
  run); delete the replaced roll-ups and bulk insert.
Inserts go in statements of at most BATCH rows (bounded statement size; one statement each below).
Python loops run over contests and candidacies (to apply the outcome rules), never over protocols.
A failure rolls the whole transaction back: the previous tables stay. Running twice gives the same
rows (only `computed_at` moves). Measured on PostgreSQL with 100,000 protocols and 500,000 vote
rows (10,000 contests): full run 17 s, one contest 0.12 s, 100 contests 0.36 s.
"""

from collections import defaultdict
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce

from core import clock

from ..models import Protocol, ProtocolState, ProtocolVote
from ..models_aggregates import Basis, CandidateResult, ContestResult, TurnoutLevel, TurnoutRollup
from ..outcomes import Figures, Rules, decide
from .locks import AggregationBusy, lock_election

__all__ = ["AggregationBusy", "Summary", "percent", "recompute", "recompute_by_id"]

BASIS_STATES = {
    Basis.OFFICIAL: [ProtocolState.CERTIFIED],
    Basis.PRELIMINARY: [ProtocolState.VERIFIED, ProtocolState.CERTIFIED],
}
_PREFIX = {Basis.OFFICIAL: "o", Basis.PRELIMINARY: "p"}
# Rows per INSERT statement: bounds the statement's size; one statement up to this many rows.
BATCH = 10_000


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
    (0 votes when none counted) and any other candidacy its protocols gave votes to.

    Two queries: registered candidacies (an index read) and votes of verified or certified
    protocols per candidacy, both bases as filtered sums (one GROUP BY over the vote rows)."""
    from registry.models import Candidacy

    registered = Candidacy.objects.filter(contest__election=election, status=Candidacy.Status.REGISTERED)
    votes = ProtocolVote.objects.filter(
        protocol__election=election, protocol__state__in=BASIS_STATES[Basis.PRELIMINARY]
    )
    if contest_ids is not None:
        registered = registered.filter(contest_id__in=contest_ids)
        votes = votes.filter(protocol__contest_id__in=contest_ids)
    zero = dict.fromkeys(_PREFIX.values(), 0)
    by_contest = defaultdict(dict)
    for candidacy_id, contest_id in registered.order_by().values_list("pk", "contest_id"):
        by_contest[contest_id][candidacy_id] = dict(zero)
    sums = {
        _PREFIX[basis]: Coalesce(Sum("votes", filter=Q(protocol__state__in=states)), 0)
        for basis, states in BASIS_STATES.items()
    }
    rows = votes.order_by().values("candidacy_id", "protocol__contest_id").annotate(**sums)
    for row in rows:
        by_contest[row["protocol__contest_id"]][row["candidacy_id"]] = {p: row[p] for p in _PREFIX.values()}
    return by_contest


def _contest_rows(election, contests, totals, votes, now):
    rules = Rules.from_election(election)
    contest_results, candidate_results = [], []
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
            contest_results.append(
                ContestResult(
                    election_id=election.pk,
                    contest_id=contest["pk"],
                    basis=basis,
                    unit_id=contest["unit_id"],
                    region_id=contest["unit__region_id"],
                    district_id=contest["unit__district_id"],
                    registered_voters=voters,
                    ballots_issued=issued,
                    turnout_percent=percent(issued, voters),
                    ballots_found=found,
                    invalid=invalid,
                    valid=valid,
                    against_all=against,
                    protocols_counted=counted,
                    protocols_expected=expected,
                    candidates=len(cand_votes),
                    outcome=outcome.code,
                    winner_id=outcome.winner,
                    runoff=list(outcome.runoff),
                    tied=list(outcome.tied),
                    flags=list(outcome.flags),
                    computed_at=now,
                )
            )
            ordered = sorted(cand_votes.values(), reverse=True)
            for candidacy_id, n in cand_votes.items():
                candidate_results.append(
                    CandidateResult(
                        election_id=election.pk,
                        contest_id=contest["pk"],
                        candidacy_id=candidacy_id,
                        basis=basis,
                        votes=n,
                        share_percent=percent(n, valid),
                        rank=ordered.index(n) + 1,
                        is_winner=candidacy_id == outcome.winner,
                        computed_at=now,
                    )
                )
    return contest_results, candidate_results


_ROLLUP_SUMS = {
    "n": Count("pk"),
    "complete": Count("pk", filter=Q(protocols_counted=F("protocols_expected"), protocols_expected__gt=0)),
    "voters": Sum("registered_voters"),
    "issued": Sum("ballots_issued"),
    "counted": Sum("protocols_counted"),
    "expected": Sum("protocols_expected"),
}


def _rollup(election, basis, level, unit_id, n, complete, voters, issued, counted, expected, now):
    return TurnoutRollup(
        election_id=election.pk,
        basis=basis,
        level=level,
        unit_id=unit_id,
        contests=n,
        contests_complete=complete,
        registered_voters=voters or 0,
        ballots_issued=issued or 0,
        turnout_percent=percent(issued or 0, voters or 0),
        protocols_counted=counted or 0,
        protocols_expected=expected or 0,
        computed_at=now,
    )


def _rollups(election, contest_results, full, now):
    """The roll-ups touched by this run, and a Q selecting the rows they replace.

    Unit rows come straight from the contest rows just built; district, region and election rows
    are one GROUP BY each over the contest table (only the touched districts and regions in an
    incremental run; the election row always)."""
    units = {r.unit_id for r in contest_results}
    districts = {r.district_id for r in contest_results if r.district_id}
    regions = {r.region_id for r in contest_results if r.region_id}
    rollups = [
        _rollup(
            election,
            r.basis,
            TurnoutLevel.UNIT,
            r.unit_id,
            1,
            int(r.protocols_expected > 0 and r.protocols_counted == r.protocols_expected),
            r.registered_voters,
            r.ballots_issued,
            r.protocols_counted,
            r.protocols_expected,
            now,
        )
        for r in contest_results
    ]
    base = ContestResult.objects.filter(election=election).order_by()
    for level, field, ids in (
        (TurnoutLevel.DISTRICT, "district_id", districts),
        (TurnoutLevel.REGION, "region_id", regions),
    ):
        qs = base.exclude(**{f"{field}__isnull": True})
        if not full:
            qs = qs.filter(**{f"{field}__in": ids})
        for row in qs.values("basis", field).annotate(**_ROLLUP_SUMS):
            rollups.append(_rollup(election, row["basis"], level, row[field], *_sums(row), now))
    for row in base.values("basis").annotate(**_ROLLUP_SUMS):
        rollups.append(_rollup(election, row["basis"], TurnoutLevel.ELECTION, None, *_sums(row), now))
    if full:
        replaced = Q()
    else:
        replaced = (
            Q(level=TurnoutLevel.UNIT, unit_id__in=units)
            | Q(level=TurnoutLevel.DISTRICT, unit_id__in=districts)
            | Q(level=TurnoutLevel.REGION, unit_id__in=regions)
            | Q(level=TurnoutLevel.ELECTION)
        )
    return rollups, replaced


def _sums(row):
    return (row["n"], row["complete"], row["voters"], row["issued"], row["counted"], row["expected"])


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
        contest_rows = list(contest_qs.order_by("pk").values("pk", "unit_id", "unit__region_id", "unit__district_id"))
        known_ids = [c["pk"] for c in contest_rows]
        totals = _protocol_totals(election, None if full else known_ids)
        votes = _candidate_votes(election, None if full else known_ids)
        now = clock.now()
        contest_results, candidate_results = _contest_rows(election, contest_rows, totals, votes, now)

        old_contests = ContestResult.objects.filter(election=election)
        old_candidates = CandidateResult.objects.filter(election=election)
        if not full:
            old_contests = old_contests.filter(contest_id__in=contest_ids)
            old_candidates = old_candidates.filter(contest_id__in=contest_ids)
        old_candidates.delete()
        old_contests.delete()
        ContestResult.objects.bulk_create(contest_results, batch_size=BATCH)
        CandidateResult.objects.bulk_create(candidate_results, batch_size=BATCH)
        rollups, replaced = _rollups(election, contest_results, full, now)
        TurnoutRollup.objects.filter(election=election).filter(replaced).delete()
        TurnoutRollup.objects.bulk_create(rollups, batch_size=BATCH)
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
