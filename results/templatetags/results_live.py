"""The live panel and the map of the results dashboard, for templates/results/_live.html and
_map.html: each reads the page's `election` (and `basis`, `level` when the page has them) and the
request's user, so a page includes them with one line."""

from django import template
from django.urls import reverse

from results import live, regions_map
from results.models import Basis

register = template.Library()


def _basis(context):
    basis = context.get("basis")
    return basis if basis in Basis.values else Basis.OFFICIAL


def _unit(context):
    """The unit of a level page (its `level` context: a unit, or a mapping with one), else None."""
    level = context.get("level")
    if level is None or hasattr(level, "kato"):
        return level
    if hasattr(level, "get"):
        return level.get("unit")
    return getattr(level, "unit", None)  # results.levels.Level


@register.simple_tag(takes_context=True)
def live_panel(context):
    """The figures of the page's territory as live.json gives them, and the endpoint's address."""
    request, election = context["request"], context["election"]
    unit, basis = _unit(context), _basis(context)
    figures = live.live_figures(request.user, election, unit, basis)
    data = live.payload(election, unit, basis, figures)
    url = reverse("results_reports:live", args=[election.pk]) + f"?basis={basis}"
    if unit is not None:
        url += f"&unit={unit.pk}"
    return {**data, "url": url}


@register.simple_tag(takes_context=True)
def results_map(context):
    request, election = context["request"], context["election"]
    metric = request.GET.get("map", "turnout")
    return regions_map.region_map(request.user, election, metric, _basis(context), within=_unit(context))
