"""Aggregation, turnout roll-ups: unit rows from the contest rows, district, region and election rows in one
query, and their write."""

from django.db import connection

from ..models import (
    ContestResult,
    TurnoutLevel,
    TurnoutRollup,
)
from . import store
from .rows import ROLLUP_FIELDS, _in, percent


def _rollup(election, basis, level, unit_id, n, complete, voters, issued, counted, expected, now):
    voters, issued = voters or 0, issued or 0
    return (
        election.pk,
        basis,
        level,
        unit_id,
        n,
        complete,
        voters,
        issued,
        percent(issued, voters),
        counted or 0,
        expected or 0,
        now,
    )


def _rollups(election, summaries, full, now):
    """The roll-ups touched by this run: (rows, units, districts, regions).

    Unit rows come straight from the contest rows just built; district, region and election rows
    are one GROUP BY each over the contest table (only the touched districts and regions in an
    incremental run; the election row always)."""
    units = {r.unit_id for r in summaries}
    districts = {r.district_id for r in summaries if r.district_id}
    regions = {r.region_id for r in summaries if r.region_id}
    rollups = [
        _rollup(
            election,
            r.basis,
            TurnoutLevel.UNIT,
            r.unit_id,
            1,
            int(r.expected > 0 and r.counted == r.expected),
            r.voters,
            r.issued,
            r.counted,
            r.expected,
            now,
        )
        for r in summaries
    ]
    # District, region and election rows in one round trip (UNION ALL of three GROUP BYs).
    table = connection.ops.quote_name(ContestResult._meta.db_table)
    sums = (
        "COUNT(*), SUM(CASE WHEN protocols_counted = protocols_expected AND protocols_expected > 0 THEN 1 ELSE 0 END), "
        "SUM(registered_voters), SUM(ballots_issued), SUM(protocols_counted), SUM(protocols_expected)"
    )
    parts, params = [], []
    for level, column, ids in (
        (TurnoutLevel.DISTRICT, "district_id", districts),
        (TurnoutLevel.REGION, "region_id", regions),
    ):
        where = f"election_id = %s AND {column} IS NOT NULL"
        params += [level, election.pk]
        if not full:
            cond, ids_params = _in(column, ids)
            where, params = f"{where} AND {cond}", [*params, *ids_params]
        parts.append(f"SELECT %s, basis, {column}, {sums} FROM {table} WHERE {where} GROUP BY basis, {column}")
    parts.append(f"SELECT %s, basis, NULL, {sums} FROM {table} WHERE election_id = %s GROUP BY basis")
    params += [TurnoutLevel.ELECTION, election.pk]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for level, basis, unit_id, *figures in cursor.fetchall():
            rollups.append(_rollup(election, basis, level, unit_id, *figures, now))
    return rollups, units, districts, regions


def _write_rollups(election, rollups, full, units, districts, regions):
    """Replace the roll-ups this run recomputed: unit, district and region rows (all of them in a
    full run, the touched ones otherwise) and the election's rows."""
    scope, params = "election_id = %s AND level <> %s", [election.pk, TurnoutLevel.ELECTION]
    if not full:
        parts, ids = [], []
        for level, touched in (
            (TurnoutLevel.UNIT, units),
            (TurnoutLevel.DISTRICT, districts),
            (TurnoutLevel.REGION, regions),
        ):
            cond, p = _in("unit_id", touched)
            parts.append(f"(level = %s AND {cond})")
            ids += [level, *p]
        scope, params = f"{scope} AND ({' OR '.join(parts)})", [*params, *ids]
    # Unit, district and region rows match on their unit; the election's rows on (election, basis).
    store.replace(
        TurnoutRollup,
        ROLLUP_FIELDS,
        rollups,
        scope=f"({scope}) OR (election_id = %s AND level = %s)",
        scope_params=[*params, election.pk, TurnoutLevel.ELECTION],
        conflicts=[
            (("election", "basis", "level", "unit"), "unit_id IS NOT NULL", "unit_id IS NOT NULL"),
            (("election", "basis"), "level = 'election'", "level = 'election'"),
        ],
    )
