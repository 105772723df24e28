"""Aggregation, the anomaly flags: the stations' figures read in three queries, the rules of
results.anomalies applied, the election's flags replaced (results.models.AnomalyFlag).

Flags are computed from the protocols with figures (verified and certified: the preliminary
basis), so that auditors see signals as soon as figures exist. The contest's leader is read from
the preliminary candidate rows the same run has just written.

A full run replaces the whole election's flags. An incremental run or a delta run (contests
touched) replaces those of the districts the touched contests' protocols lie in: a station's flags
depend only on its district's stations (the scores and the integer-peak test are per district),
so recomputing those districts gives the rows a full run would; a contest's own flag (its totals)
is replaced when all its protocols lie in those districts (always, for akims' contests, which lie
within one district). Cost: one row per protocol of those districts, not of the election.
"""

from collections import defaultdict

from django.db.models import Count, Exists, Q

from .. import anomalies
from ..models import WITH_FIGURES, AnomalyFlag, Basis, CandidateResult, Protocol, ProtocolVote

BATCH = 2000


def contest_leaders(election, contest_ids=None):
    """{contest id: the leading candidacy's id} on the preliminary basis (of `contest_ids` if given)."""
    votes = defaultdict(dict)
    rows = CandidateResult.objects.filter(election=election, basis=Basis.PRELIMINARY).order_by()
    if contest_ids is not None:
        rows = rows.filter(contest_id__in=contest_ids)
    for contest_id, candidacy_id, n in rows.values_list("contest_id", "candidacy_id", "votes"):
        votes[contest_id][candidacy_id] = n
    return anomalies.leaders(votes)


def stations(election, protocols=None):
    """The anomalies.Station of every protocol with figures of `election` (or of the `protocols`
    queryset, e.g. a user's territory), with its contest leader's votes."""
    every = protocols is None
    protocols = Protocol.objects.filter(election=election) if every else protocols
    protocols = protocols.filter(state__in=WITH_FIGURES).order_by()
    leaders = contest_leaders(election, None if every else protocols.values("contest_id"))
    # By candidacy alone (its index holds the votes): joining the protocols cost 30x more on SQLite.
    # A leader's rows outside `protocols` are read and left unused.
    leader_votes = dict(
        ProtocolVote.objects.filter(candidacy_id__in=set(leaders.values()))
        .order_by()
        .values_list("protocol_id", "votes")
    )
    rows = protocols.values_list(
        "pk",
        "contest_id",
        "polling_station_id",
        "district_id",
        "voters",
        "issued_station",
        "issued_mobile",
        "found_stationary",
        "found_mobile",
        "invalid",
    )
    return [
        anomalies.Station(
            contest=contest,
            polling_station=station,
            district=district,
            voters=voters,
            issued=is_ + im,
            found=fs + fm,
            found_mobile=fm,
            invalid=invalid,
            leader_votes=leader_votes.get(pk, 0 if contest in leaders else None),
        )
        for pk, contest, station, district, voters, is_, im, fs, fm, invalid in rows
    ]


def _districts_of(election, contest_ids):
    """A condition (on a `district_id` column: protocols and flags) for the districts of the
    contests' protocols, and the contests whose every protocol lies in them. The districts stay a
    subquery of each statement: one round trip fewer than reading them first."""
    protocols = Protocol.objects.filter(election=election).order_by()
    of_contests = protocols.filter(contest_id__in=contest_ids)
    inside = Q(district_id__in=of_contests.filter(district__isnull=False).values("district_id")) | (
        Q(district_id__isnull=True) & Exists(of_contests.filter(district__isnull=True))
    )
    # The contests with a protocol inside, each with its number of protocols outside (one GROUP BY).
    touching = protocols.filter(contest_id__in=protocols.filter(inside).values("contest_id"))
    counted = touching.values("contest_id").annotate(outside=Count("pk", filter=~inside))
    return inside, {row["contest_id"] for row in counted if not row["outside"]}


def refresh(election, now, contest_ids=None):
    """Replace the election's anomaly flags with those of its current figures: all of them, or with
    `contest_ids` those of the districts these contests lie in (see the module's docstring).
    Returns the number of flags written."""
    existing = AnomalyFlag.objects.filter(election=election)
    if contest_ids is None:
        found = stations(election)
        flags = anomalies.station_flags(found) + anomalies.contest_flags(found)
    else:
        inside, whole_contests = _districts_of(election, contest_ids)
        found = stations(election, Protocol.objects.filter(election=election).filter(inside))
        flags = anomalies.station_flags(found)
        flags += [f for f in anomalies.contest_flags(found) if f.contest in whole_contests]
        existing = existing.filter(
            (Q(polling_station__isnull=False) & inside) | Q(polling_station__isnull=True, contest_id__in=whole_contests)
        )
    existing.delete()
    AnomalyFlag.objects.bulk_create(
        (
            AnomalyFlag(
                election=election,
                contest_id=f.contest,
                polling_station_id=f.polling_station,
                district_id=f.district,
                code=f.code,
                values=f.values,
                computed_at=now,
            )
            for f in flags
        ),
        batch_size=BATCH,
    )
    return len(flags)
