"""List pages built from `.values()` rows by plain functions, with the serializer's own conversions.

A page of 100 rows through a ModelSerializer costs a model instance per row and per related
object, and a dozen field calls per value; at the scale of Kazakhstan that was most of the time
of a list page (docs/PERFORMANCE.md, "API"). A viewset that sets `list_fields` and `list_rows`
(core.api.viewsets.ReadOnlyViewSet) selects only those columns and builds each row as a dict of
the same shape; the serializer stays the description of the schema and serves retrieve and CSV.
tests/api/test_fast_lists.py compares the two on every such resource.

Values the database gives as JSON already (ids, integers, text, booleans, choice values, JSON
lists) pass through unchanged, as the serializer's fields leave them. Dates, times and decimals
go through the serializer's own field (`converter`), so their format (time zone, decimal places)
is the serializer's by construction.
"""

import functools

from core.names import in_active_language

UNIT_BRIEF = ("id", "kato", "kind", "name_kk", "name_ru", "name_en", "region_id", "district_id")


@functools.cache
def converter(serializer_class, name):
    """A function value -> JSON value doing what the serializer's field `name` does (None stays None,
    as a serializer never calls a field for a null)."""
    field = serializer_class().fields[name]
    to_representation = field.to_representation

    def convert(value):
        return None if value is None else to_representation(value)

    return convert


def unit_columns(path):
    """The `.values()` names of the brief unit reached by `path` (e.g. `contest__unit`)."""
    return [f"{path}__{column}" for column in UNIT_BRIEF]


def unit_brief(row, path):
    """The brief unit (registry.api.UnitBriefSerializer) of a row selected with unit_columns(path);
    the name in the active language; None for a row without a unit."""
    p = f"{path}__"
    if row[p + "id"] is None:
        return None
    return {
        "id": row[p + "id"],
        "kato": row[p + "kato"],
        "kind": row[p + "kind"],
        "name": in_active_language(row[p + "name_kk"], row[p + "name_ru"], row[p + "name_en"]),
        "region": row[p + "region_id"],
        "district": row[p + "district_id"],
    }
