"""Reads of the territory as of a day: a unit's kind, names and parent on that day.

A unit's row holds its state after its last dated version (`AdminUnitVersion`); a version holds a
past state from `valid_from` to `valid_to`. An election reads its territory as of its election day,
so a unit renamed or re-parented by a later classifier keeps, for that election, the name and
parent it had. Every function here costs one query (or none: an expression inside the caller's
query), whatever the number of units.
"""

from dataclasses import dataclass

from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from core.names import in_active_language

from .models import AdminUnit, AdminUnitVersion

NAME_FIELDS = ("name_kk", "name_ru", "name_en")


def _covering(day):
    return Q(valid_to__gte=day) & (Q(valid_from__isnull=True) | Q(valid_from__lte=day))


@dataclass(frozen=True)
class UnitOnDay:
    """A unit as it was on a day."""

    pk: int
    kato: str
    kind: str
    parent_id: int | None
    name_kk: str
    name_ru: str
    name_en: str

    @property
    def name(self):
        return in_active_language(self.name_kk, self.name_ru, self.name_en)


def _on_day(unit, version):
    source = version or unit
    return UnitOnDay(
        pk=unit.pk,
        kato=unit.kato,
        kind=source.kind,
        parent_id=source.parent_id,
        name_kk=source.name_kk,
        name_ru=source.name_ru,
        name_en=source.name_en,
    )


def unit_version_on(unit, day):
    """The unit (an AdminUnit) as it was on `day`: a UnitOnDay (one query)."""
    version = AdminUnitVersion.objects.filter(_covering(day), unit=unit).order_by("valid_to").first()
    return _on_day(unit, version)


def units_on(units, day):
    """{pk: UnitOnDay} of the given AdminUnits as they were on `day` (one query for all)."""
    units = list(units)
    versions = {}
    if units and day is not None:
        for version in AdminUnitVersion.objects.filter(_covering(day), unit_id__in=[u.pk for u in units]).order_by(
            "-valid_to"
        ):
            versions[version.unit_id] = version  # the earliest covering version wins
    return {unit.pk: _on_day(unit, versions.get(unit.pk)) for unit in units}


def dated(units, day):
    """Set, in place, the kind, names and parent of each AdminUnit to those of `day` (one query); for
    objects shown, never saved. Returns the units."""
    units = list(units)
    on_day = units_on(units, day)
    for unit in units:
        state = on_day[unit.pk]
        unit.kind, unit.parent_id = state.kind, state.parent_id
        unit.name_kk, unit.name_ru, unit.name_en = state.name_kk, state.name_ru, state.name_en
    return units


def name_on(path, day, field="name_ru"):
    """An expression for the name (`field`) of the unit at `path` (e.g. "contest__unit") as of `day`,
    for `annotate`/`values`: the covering version's name, else the unit's own (no extra query).

    `day` is a date, or the path of a date field of the row (e.g. "election__election_day"), so that
    rows of several elections each read their own day.
    """
    if isinstance(day, str):
        day = OuterRef(day)
    version = (
        AdminUnitVersion.objects.filter(_covering(day), unit_id=OuterRef(f"{path}_id" if path else "pk"))
        .order_by("valid_to")
        .values(field)[:1]
    )
    own = F(f"{path}__{field}" if path else field)
    return Coalesce(Subquery(version), own)


def territory_as_of(day):
    """The units active on `day` (their names and parents as of the day through `dated`)."""
    return AdminUnit.objects.as_of(day)


def _alias(path, field):
    return f"{path.replace('__', '_') or 'self'}_{field}_on_day"


def with_names_on(queryset, day, *paths):
    """The queryset annotated with the names, as of `day`, of the units at `paths` ("" for the rows'
    own units); `names_on_day` then puts them on the fetched objects. No extra query."""
    return queryset.annotate(**{_alias(p, f): name_on(p, day, f) for p in paths for f in NAME_FIELDS})


def names_on_day(rows, *paths):
    """Put the names annotated by `with_names_on` on each row's units (shown, never saved); a list."""
    rows = list(rows)
    for row in rows:
        for path in paths:
            unit = row
            for step in path.split("__") if path else ():
                unit = getattr(unit, step)
            if unit is None:
                continue
            for field in NAME_FIELDS:
                setattr(unit, field, getattr(row, _alias(path, field)))
    return rows
