"""Aggregation, the anomaly flags: the stations' figures read in three queries, the rules of
results.anomalies applied, the election's flags replaced (results.models.AnomalyFlag).

Flags are computed from the protocols with figures (verified and certified: the preliminary
basis), so that auditors see signals as soon as figures exist. The contest's leader is read from
the preliminary candidate rows the same run has just written. Every run, full, incremental or by
deltas, recomputes the whole election's flags: a district's scores depend on all its stations, and
reading one row per protocol is cheap next to the run itself (docs/PERFORMANCE.md).
"""

from collections import defaultdict

from .. import anomalies
from ..models import WITH_FIGURES, AnomalyFlag, Basis, CandidateResult, Protocol, ProtocolVote

BATCH = 2000


def contest_leaders(election):
    """{contest id: the leading candidacy's id} on the preliminary basis."""
    votes = defaultdict(dict)
    rows = CandidateResult.objects.filter(election=election, basis=Basis.PRELIMINARY).order_by()
    for contest_id, candidacy_id, n in rows.values_list("contest_id", "candidacy_id", "votes"):
        votes[contest_id][candidacy_id] = n
    return anomalies.leaders(votes)


def stations(election, protocols=None):
    """The anomalies.Station of every protocol with figures of `election` (or of the `protocols`
    queryset, e.g. a user's territory), with its contest leader's votes."""
    protocols = Protocol.objects.filter(election=election) if protocols is None else protocols
    protocols = protocols.filter(state__in=WITH_FIGURES).order_by()
    leaders = contest_leaders(election)
    leader_votes = dict(
        ProtocolVote.objects.filter(protocol__in=protocols.values("pk"), candidacy_id__in=set(leaders.values()))
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


def refresh(election, now):
    """Replace the election's anomaly flags with those of its current figures. Returns their number."""
    found = stations(election)
    flags = anomalies.station_flags(found) + anomalies.contest_flags(found)
    AnomalyFlag.objects.filter(election=election).delete()
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
