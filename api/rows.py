"""List pages built from `.values()` rows by plain functions, with the serializer's own conversions.

A page of 100 rows through a ModelSerializer costs a model instance per row and per related
object, and a dozen field calls per value; at the scale of Kazakhstan that was most of the time
of a list page (docs/PERFORMANCE.md, "API"). A viewset that sets `list_fields` and `list_rows`
(api.viewsets.ReadOnlyViewSet) selects only those columns and builds each row as a dict of
the same shape; the serializer stays the description of the schema and serves retrieve and CSV.
tests/api/test_fast_lists.py compares the two on every such resource.

Values the database gives as JSON already (ids, integers, text, booleans, choice values, JSON
lists) pass through unchanged, as the serializer's fields leave them. Dates, times and decimals
go through the serializer's own field (`converter`), so their format (time zone, decimal places)
is the serializer's by construction.
"""

import datetime
import functools

from rest_framework import ISO_8601
from rest_framework.settings import api_settings

from core.names import in_active_language
from territory.selectors import NAME_FIELDS, name_on

UNIT_BRIEF = ("id", "kato", "kind", "name_kk", "name_ru", "name_en", "region_id", "district_id")


@functools.cache
def _field(serializer_class, name):
    return serializer_class().fields[name]


@functools.cache
def converter(serializer_class, name):
    """A function value -> JSON value doing what the serializer's field `name` does (None stays None,
    as a serializer never calls a field for a null)."""
    to_representation = _field(serializer_class, name).to_representation

    def convert(value):
        return None if value is None else to_representation(value)

    return convert


def moments(serializer_class, name):
    """converter() for a DateTimeField, faster for aware datetimes in ISO 8601 (the API's format):
    the time zone is looked up once (per page), not once per value as the field does; anything
    else goes through the field itself."""
    field = _field(serializer_class, name)
    slow = converter(serializer_class, name)
    zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()
    iso = getattr(field, "format", api_settings.DATETIME_FORMAT)
    if zone is None or not isinstance(iso, str) or iso.lower() != ISO_8601:
        return slow

    def convert(value):
        if value is None or not isinstance(value, datetime.datetime) or value.tzinfo is None:
            return slow(value)
        try:
            text = value.astimezone(zone).isoformat()
        except OverflowError:
            return slow(value)
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return convert


def unit_columns(path):
    """The `.values()` names of the brief unit reached by `path` (e.g. `contest__unit`)."""
    return [f"{path}__{column}" for column in UNIT_BRIEF]


def _dated_alias(path, column):
    return f"{path.replace('__', '_')}_{column}_on_day"


def dated_unit_names(queryset, path, day_path):
    """The queryset with the names of the unit at `path` as of the row's day (`day_path`, e.g.
    "election__election_day"): an election's rows show the names its territory had that day."""
    return queryset.annotate(**{_dated_alias(path, f): name_on(path, day_path, f) for f in NAME_FIELDS})


def dated_unit_columns(path):
    """The `.values()` names `dated_unit_names` adds."""
    return [_dated_alias(path, column) for column in ("name_kk", "name_ru", "name_en")]


def unit_brief(row, path):
    """The brief unit (api.resources.registry.UnitBriefSerializer) of a row selected with unit_columns(path);
    the name in the active language; None for a row without a unit."""
    p = f"{path}__"
    if row[p + "id"] is None:
        return None
    return {
        "id": row[p + "id"],
        "kato": row[p + "kato"],
        "kind": row[p + "kind"],
        "name": in_active_language(
            *(row.get(_dated_alias(path, f), row[p + f]) for f in ("name_kk", "name_ru", "name_en"))
        ),
        "region": row[p + "region_id"],
        "district": row[p + "district_id"],
    }
