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

import json
from collections import defaultdict

from django.core.exceptions import EmptyResultSet
from django.db import connection
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


def _stations_sql(election, protocols=None, *, by_district=False):
    """The statement of `stations` (see there) and its parameters, or (None, None) when `protocols`
    can match nothing; `by_district`: ordered by district, the stations without one last."""
    where, params = "", []
    if protocols is not None:
        try:
            inner, params = protocols.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # `.none()`, e.g. the territory of a user who serves none
            return None, None
        where = f" AND p.id IN ({inner})"
    candidates = CandidateResult._meta.db_table
    contest_scope = (
        ""
        if protocols is None
        else f" AND contest_id IN (SELECT contest_id FROM {Protocol._meta.db_table} p WHERE p.election_id = %s{where})"
    )
    states = ", ".join(["%s"] * len(WITH_FIGURES))
    sql = (
        "WITH leaders AS (SELECT contest_id, candidacy_id FROM (SELECT contest_id, candidacy_id, row_number() OVER "
        "(PARTITION BY contest_id ORDER BY votes DESC, candidacy_id) AS n "
        f"FROM {candidates} WHERE election_id = %s AND basis = %s{contest_scope}) AS r WHERE n = 1) "
        "SELECT p.contest_id, p.polling_station_id, p.district_id, p.voters, p.issued_station + p.issued_mobile, "
        "p.found_stationary + p.found_mobile, p.found_mobile, p.invalid, l.candidacy_id, v.votes "
        f"FROM {Protocol._meta.db_table} p LEFT JOIN leaders l ON l.contest_id = p.contest_id "
        # The leaders' vote counts by candidacy (its index), not a join over every vote count.
        f"LEFT JOIN (SELECT protocol_id, candidacy_id, votes FROM {ProtocolVote._meta.db_table} "
        "WHERE candidacy_id IN (SELECT candidacy_id FROM leaders)) AS v "
        "ON v.protocol_id = p.id AND v.candidacy_id = l.candidacy_id "
        f"WHERE p.election_id = %s AND p.state IN ({states}){where}"
        + (" ORDER BY p.district_id IS NULL, p.district_id" if by_district else "")
    )
    scope_params = [] if protocols is None else [election.pk, *params]
    return sql, [election.pk, Basis.PRELIMINARY, *scope_params, election.pk, *WITH_FIGURES, *params]


def _station(row):
    contest, station, district, voters, issued, found, fm, invalid, leader, votes = row
    return anomalies.Station(
        contest=contest,
        polling_station=station,
        district=district,
        voters=voters,
        issued=issued,
        found=found,
        found_mobile=fm,
        invalid=invalid,
        # No vote count for the leader reads as 0, as when the contest has a leader at all.
        leader_votes=(votes or 0) if leader is not None else None,
    )


def stations(election, protocols=None):
    """The anomalies.Station of every protocol with figures of `election` (or of the `protocols`
    queryset, e.g. a user's territory), with its contest leader's votes.

    One query: the contests' leaders (the preliminary candidate rows: most votes, lowest candidacy
    id among equals, as anomalies.leaders picks them) by a window function, the protocols, and each
    protocol's vote count for its leader (an index read per protocol). Reading the leaders, their
    vote counts and the protocols in three ORM queries cost more than the rules themselves."""
    sql, params = _stations_sql(election, protocols)
    if sql is None:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [_station(row) for row in cursor.fetchall()]


def district_groups(election, protocols=None):
    """The stations of `stations(election, protocols)`, one district's list at a time, in district
    order (the stations without a district last): the same statement, ordered, read through a
    server-side cursor on PostgreSQL (`chunked_cursor`), so that a process holds one district's
    stations rather than the election's. A national election's million stations held at once made
    an aggregation process 8 times the size of a kz one; the rules are per district anyway."""
    sql, params = _stations_sql(election, protocols, by_district=True)
    if sql is None:
        return
    group, district = [], None
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(BATCH):
            for row in rows:
                station = _station(row)
                if group and station.district != district:
                    yield group
                    group = []
                group.append(station)
                district = station.district
    if group:
        yield group


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
    Returns the number of flags of the scope."""
    existing = AnomalyFlag.objects.filter(election=election)
    scope = whole_contests = None
    if contest_ids is not None:
        inside, whole_contests = _districts_of(election, contest_ids)
        scope = Protocol.objects.filter(election=election).filter(inside)
        existing = existing.filter(
            (Q(polling_station__isnull=False) & inside) | Q(polling_station__isnull=True, contest_id__in=whole_contests)
        )
    # District by district (the rules' own unit), the contests' totals summed on the way.
    flags, totals = [], {}
    for group in district_groups(election, scope):
        flags += anomalies.station_flags(group)
        anomalies.add_contest_totals(totals, group)
    flags += [
        f for f in anomalies.flags_of_contest_totals(totals) if whole_contests is None or f.contest in whole_contests
    ]
    # Only the differences are written: a flag raised again with the same figures keeps its row
    # (and its computed_at: when it was raised with them). Deleting and inserting every flag of
    # the election on each run cost more than the rules.
    wanted = defaultdict(list)
    for f in flags:
        wanted[_key(f.contest, f.polling_station, f.district, f.code, f.values)].append(f)
    gone = []
    for pk, *key in existing.order_by().values_list(
        "pk", "contest_id", "polling_station_id", "district_id", "code", "values"
    ):
        kept = wanted.get(_key(*key))
        if kept:
            kept.pop()
        else:
            gone.append(pk)
    if gone:
        AnomalyFlag.objects.filter(pk__in=gone).delete()
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
            for new in wanted.values()
            for f in new
        ),
        batch_size=BATCH,
    )
    return len(flags)


def _key(contest, polling_station, district, code, values):
    return (contest, polling_station, district, code, json.dumps(values, sort_keys=True))
