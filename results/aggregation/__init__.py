"""Aggregation: protocols -> result tables, computed by the database in grouped queries.

`recompute(election, contests=None)` rebuilds the result rows of the given contests (ids or
Contest objects; the whole election when None) on both bases (official: certified protocols;
preliminary: verified and certified), then every turnout roll-up of the election.

Shape of a run (a constant number of queries whatever the election's size):
in one transaction, after taking the election's lock (results.aggregation.locks): contests
(1 query), protocol totals per contest with both bases as filtered aggregates (1 GROUP BY), votes
per candidacy with both bases (1 GROUP BY); delete the touched contests' rows and bulk insert the new
ones (contest and candidate tables); read the contest rows per unit (1 GROUP BY), sum them up to
district, region and election, and replace the roll-ups.
Python loops run over contests and candidacies (to apply the outcome rules), never over protocols.
A failure rolls the whole transaction back: the previous tables stay. Running twice gives the same
rows (only `computed_at` moves).
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
    """Per candidacy of the contests: its votes per basis. Registered candidacies appear with 0
    votes too; a candidacy no longer registered keeps the votes its protocols gave it."""
    from registry.models import Candidacy

    with_votes = ProtocolVote.objects.filter(protocol__election=election)
    qs = Candidacy.objects.filter(contest__election=election)
    if contest_ids is not None:
        with_votes = with_votes.filter(protocol__contest_id__in=contest_ids)
        qs = qs.filter(contest_id__in=contest_ids)
    qs = qs.filter(Q(status=Candidacy.Status.REGISTERED) | Q(pk__in=with_votes.values("candidacy_id")))
    annotations = {
        f"{_PREFIX[basis]}_votes": Coalesce(
            Sum("protocol_votes__votes", filter=Q(protocol_votes__protocol__state__in=states)), 0
        )
        for basis, states in BASIS_STATES.items()
    }
    return qs.order_by().values("pk", "contest_id").annotate(**annotations)


def _contest_rows(election, contests, totals, votes, now):
    rules = Rules.from_election(election)
    votes_by_contest = defaultdict(list)
    for row in votes:
        votes_by_contest[row["contest_id"]].append(row)
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
            cand_votes = {row["pk"]: row[f"{p}_votes"] for row in votes_by_contest[contest["pk"]]}
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


def _rollups(election, now):
    """All roll-ups of the election from its contest rows (one GROUP BY per unit, summed upwards)."""
    rows = (
        ContestResult.objects.filter(election=election)
        .order_by()
        .values("basis", "unit_id", "district_id", "region_id")
        .annotate(
            n=Count("pk"),
            complete=Count("pk", filter=Q(protocols_counted=F("protocols_expected"), protocols_expected__gt=0)),
            voters=Sum("registered_voters"),
            issued=Sum("ballots_issued"),
            counted=Sum("protocols_counted"),
            expected=Sum("protocols_expected"),
        )
    )
    sums = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    for row in rows:
        keys = [(TurnoutLevel.UNIT, row["unit_id"]), (TurnoutLevel.ELECTION, None)]
        if row["district_id"]:
            keys.append((TurnoutLevel.DISTRICT, row["district_id"]))
        if row["region_id"]:
            keys.append((TurnoutLevel.REGION, row["region_id"]))
        values = (row["n"], row["complete"], row["voters"], row["issued"], row["counted"], row["expected"])
        for level, unit_id in keys:
            acc = sums[(row["basis"], level, unit_id)]
            for i, v in enumerate(values):
                acc[i] += v or 0
    return [
        TurnoutRollup(
            election_id=election.pk,
            basis=basis,
            level=level,
            unit_id=unit_id,
            contests=n,
            contests_complete=complete,
            registered_voters=voters,
            ballots_issued=issued,
            turnout_percent=percent(issued, voters),
            protocols_counted=counted,
            protocols_expected=expected,
            computed_at=now,
        )
        for (basis, level, unit_id), (n, complete, voters, issued, counted, expected) in sums.items()
    ]


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
        ContestResult.objects.bulk_create(contest_results)
        CandidateResult.objects.bulk_create(candidate_results)
        rollups = _rollups(election, now)
        TurnoutRollup.objects.filter(election=election).delete()
        TurnoutRollup.objects.bulk_create(rollups)
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
