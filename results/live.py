"""Live figures of the results dashboard: what the open page refreshes while an election is counting.

`live_figures` reads, for the viewer's territory (or one unit of it), the protocol progress, the
turnout and the contest outcomes in two aggregate queries, and tells whether the aggregation is
behind: the result tables carry the moment of the run that wrote them (`computed_at`), the
protocols the moment of their certification (`certified_at`); a certification later than the
latest run is not in the figures yet. `live_view` serves them as JSON (static/results/live.js
polls it every 30 seconds while the election is counting).
"""

from django.db.models import Count, Max, Q, Sum
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.numbers import percent
from registry.models import Election
from territory import kato
from territory.models import AdminUnit
from territory.scope import scope_for

from .models import PROGRESS_GROUPS, Basis, ContestResult, Protocol
from .outcomes import Code

POLL_SECONDS = 30
FIGURES = [
    *PROGRESS_GROUPS,
    "protocols",
    "registered_voters",
    "ballots_issued",
    "turnout_percent",
    "contests",
    "elected",
    "runoff",
    "flagged",
]


def visible_elections(user):
    """The elections whose dashboard the user may open (any, unless their territory is empty)."""
    return Election.objects.none() if scope_for(user).empty else Election.objects.all()


def unit_in_scope(user, unit_id):
    """The unit `unit_id` if it lies in the user's territory; Http404 otherwise (or if unknown)."""
    unit = AdminUnit.objects.filter(pk=unit_id).first() if str(unit_id).isdigit() else None
    if unit is None or not scope_for(user).holds_unit(unit):
        raise Http404
    return unit


def _unit_filter(unit, region, district, contest_unit):
    """A Q narrowing rows to `unit` through their region, district or contest unit fields."""
    level = kato.LEVEL.get(unit.kind)
    if level == 1:
        return Q(**{region: unit.pk})
    if level == 2:
        return Q(**{district: unit.pk})
    return Q(**{f"{contest_unit}__in": AdminUnit.objects.within(unit).values("pk")})


def live_figures(user, election, unit=None, basis=Basis.OFFICIAL):
    """{"progress": counts per progress group and total, "turnout", "contests", "computed_at",
    "latest_certified_at", "behind"} for the user's territory, narrowed to `unit` when given."""
    scope = scope_for(user)
    protocols = Protocol.objects.filter(scope.station_q("polling_station"), election=election)
    results = ContestResult.objects.filter(scope.unit_q("unit"), election=election, basis=basis)
    if unit is not None:
        protocols = protocols.filter(_unit_filter(unit, "region_id", "district_id", "contest__unit_id"))
        results = results.filter(_unit_filter(unit, "region_id", "district_id", "unit_id"))
    counts = protocols.aggregate(
        protocols=Count("pk"),
        latest_certified_at=Max("certified_at"),
        **{name: Count("pk", filter=Q(state__in=states)) for name, states in PROGRESS_GROUPS.items()},
    )
    totals = results.aggregate(
        contests=Count("pk"),
        elected=Count("pk", filter=Q(outcome=Code.ELECTED)),
        runoff=Count("pk", filter=Q(outcome=Code.RUNOFF)),
        flagged=Count("pk", filter=~Q(flags=[])),
        registered_voters=Sum("registered_voters", default=0),
        ballots_issued=Sum("ballots_issued", default=0),
        computed_at=Max("computed_at"),
    )
    computed_at, latest = totals.pop("computed_at"), counts.pop("latest_certified_at")
    figures = {
        **counts,
        **totals,
        "turnout_percent": percent(totals["ballots_issued"], totals["registered_voters"]),
    }
    return {
        "figures": figures,
        "computed_at": computed_at,
        "latest_certified_at": latest,
        "behind": is_behind(computed_at, latest),
    }


def is_behind(computed_at, latest_certified_at):
    """Whether a certification happened after the latest aggregation run (or before any run)."""
    if latest_certified_at is None:
        return False
    return computed_at is None or latest_certified_at > computed_at


def computed_text(election, computed_at):
    """ "Results computed on <date> at <time> (<zone>)." in the election's time zone, or "not yet"."""
    if computed_at is None:
        return _("Results not computed yet.")
    local = timezone.localtime(computed_at, election.zone)
    return _("Results computed on %(date)s at %(time)s (%(zone)s).") % {
        "date": formats.date_format(local, "DATE_FORMAT"),
        "time": local.strftime("%H:%M:%S"),
        "zone": election.time_zone,
    }


def behind_text(behind):
    if not behind:
        return ""
    return _("Protocols were certified after these figures were computed: the figures will change.")


def figure_text(value):
    """A figure as the page shows it: grouped digits and the decimal mark of the page's language."""
    if value is None:
        return "-"
    return formats.number_format(value, use_l10n=True, force_grouping=True)


def payload(election, unit, basis, live):
    """The JSON document: raw figures, their texts in the page's language, and the status lines."""
    figures = live["figures"]
    return {
        "election": election.pk,
        "unit": unit.pk if unit else None,
        "basis": basis,
        "counting": election.status == Election.Status.COUNTING,
        "poll_seconds": POLL_SECONDS,
        "figures": {k: str(v) if k == "turnout_percent" and v is not None else v for k, v in figures.items()},
        "texts": {k: figure_text(v) for k, v in figures.items()},
        "computed_at": live["computed_at"].isoformat() if live["computed_at"] else None,
        "latest_certified_at": live["latest_certified_at"].isoformat() if live["latest_certified_at"] else None,
        "behind": live["behind"],
        "computed_text": computed_text(election, live["computed_at"]),
        "behind_text": behind_text(live["behind"]),
    }


@require_GET
def live_view(request, election_id):
    """/admin/results/dashboard/<election>/live.json[?unit=<id>][&basis=preliminary]: the live figures
    of the viewer's territory; 404 for an election they may not see or a unit outside it."""
    election = get_object_or_404(visible_elections(request.user), pk=election_id)
    unit = unit_in_scope(request.user, request.GET["unit"]) if request.GET.get("unit") else None
    basis = request.GET.get("basis") if request.GET.get("basis") in Basis.values else Basis.OFFICIAL
    live = live_figures(request.user, election, unit, basis)
    response = JsonResponse(payload(election, unit, basis, live))
    response["Cache-Control"] = "no-store"
    return response
