"""The commission dashboard (admin pages, staff only, scoped to the user's territory): its index,
the labels of protocol progress, candidate demographics, and a contest's history across rounds.

The pages of each level (election, region, district, contest, polling station) and the search are
`results.level_views`; their reads `results.levels`. Figures come from the result tables written
by results.aggregation, so each page shows when they were computed.
"""

from django.contrib import admin
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from registry.models import Contest
from territory.scope import filter_by_unit

from . import levels, rounds
from .level_views import elections_for, start_url
from .levels import PROGRESS_LABELS, demographics  # noqa: F401 (the dashboard's labels, read by its tests)
from .models import Basis


def index_view(request):
    """The elections the viewer may follow, each linked to where their dashboard starts; a viewer
    with one region or district goes straight to it in the latest election with protocols there."""
    user = request.user
    elections = list(elections_for(user))
    if elections and len(levels.roots(user)) == 1:
        return redirect(start_url(user, levels.latest_counted(user) or elections[0]))
    context = {
        **admin.site.each_context(request),
        "title": _("Results dashboard"),
        "elections": [(e, start_url(user, e)) for e in elections],
    }
    return TemplateResponse(request, "results/dashboard_index.html", context)


def rounds_view(request, contest_id):
    """A contest's history across rounds (first round, runoff or repeat election, by-election) on one page."""
    contests = filter_by_unit(request.user, Contest.objects.select_related("election", "unit"), "unit")
    contest = get_object_or_404(contests, pk=contest_id)
    basis = request.GET.get("basis") if request.GET.get("basis") in Basis.values else Basis.OFFICIAL
    context = {
        **admin.site.each_context(request),
        "title": _("Rounds of the contest: %(unit)s") % {"unit": contest.unit.name},
        "contest": contest,
        "rounds": rounds.contest_rounds(contest, basis),
        "basis": basis,
    }
    return TemplateResponse(request, "results/contest_rounds.html", context)
