"""Aggregation, reading: the bases' protocol states, the contests of a run, protocol totals and votes per candidacy
(grouped queries, both bases at once)."""

from collections import defaultdict

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce

from ..models import (
    Basis,
    Protocol,
    ProtocolState,
    ProtocolVote,
)

BASIS_STATES = {
    Basis.OFFICIAL: [ProtocolState.CERTIFIED],
    Basis.PRELIMINARY: [ProtocolState.VERIFIED, ProtocolState.CERTIFIED],
}
_PREFIX = {Basis.OFFICIAL: "o", Basis.PRELIMINARY: "p"}


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


def _contests(election, contest_ids):
    from registry.models import Contest

    qs = Contest.objects.filter(election=election)
    if contest_ids is not None:
        qs = qs.filter(pk__in=contest_ids)
    return list(qs.order_by("pk").values("pk", "unit_id", "unit__region_id", "unit__district_id"))
