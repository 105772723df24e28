"""The commission dashboard (admin pages, staff only, scoped to the user's territory).

Per election: the election it follows and those following it, its calendar, protocol progress
per region and district, turnout per region, outcomes with their flags, and candidate
demographics, each a grouped query; charts are server-side SVG (results.charts). Figures come from
the result tables written by results.aggregation, so the page shows when they were computed. Per
contest: its history across rounds (`rounds_view`).
"""

from collections import defaultdict

from django.contrib import admin
from django.db.models import Count, Max
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry.calendar import election_calendar
from registry.models import Candidacy, Contest, Election
from territory.models import AdminUnit
from territory.scope import filter_by_station, filter_by_unit, scope_for
from territory.selectors import names_on_day, with_names_on

from . import charts, rounds
from .models import PROGRESS_GROUPS, Basis, ContestResult, Protocol, TurnoutLevel, TurnoutRollup
from .outcomes import FLAG_LABELS, LABELS, Code

PROGRESS_LABELS = {
    "empty": gettext_lazy("empty"),
    "in_entry": gettext_lazy("in entry"),
    "in_discrepancy": gettext_lazy("discrepancy"),
    "verified": gettext_lazy("verified"),
    "certified": gettext_lazy("certified"),
}
FLAGGED_LIMIT = 300


def _names(unit_ids, day):
    """{pk: name} of the units as of `day` (the election's: a unit renamed since keeps its name)."""
    units = with_names_on(AdminUnit.objects.filter(pk__in=[i for i in unit_ids if i]), day, "")
    return {u.pk: u.name for u in names_on_day(units, "")}


def progress(user, election):
    """Protocol counts per progress group, per district (with its region) and summed per region."""
    qs = filter_by_station(user, Protocol.objects.filter(election=election), "polling_station")
    rows = list(qs.progress("region_id", "district_id"))
    names = _names({r["region_id"] for r in rows} | {r["district_id"] for r in rows}, election.election_day)
    regions = defaultdict(lambda: dict.fromkeys(["total", *PROGRESS_GROUPS], 0))
    districts = []
    for r in rows:
        acc = regions[r["region_id"]]
        for key in acc:
            acc[key] += r[key]
        districts.append({**r, "region": names.get(r["region_id"], "-"), "district": names.get(r["district_id"], "-")})
    region_rows = sorted(
        ({"region_id": k, "region": names.get(k, "-"), **v} for k, v in regions.items()), key=lambda r: r["region"]
    )
    districts.sort(key=lambda r: (r["region"], r["district"]))
    return region_rows, districts


def turnout(user, election, basis=Basis.OFFICIAL):
    """Turnout roll-ups the user may see: per region, or per district for a district's staff."""
    base = TurnoutRollup.objects.filter(election=election, basis=basis).select_related("unit")
    base = with_names_on(base, election.election_day, "unit")
    for level in (TurnoutLevel.REGION, TurnoutLevel.DISTRICT):
        rows = list(filter_by_unit(user, base.filter(level=level), "unit").order_by("unit__kato"))
        if rows:
            return names_on_day(rows, "unit")
    return []


def election_total(user, election, basis=Basis.OFFICIAL):
    if not scope_for(user).national:
        return None
    return TurnoutRollup.objects.filter(election=election, basis=basis, level=TurnoutLevel.ELECTION).first()


def outcomes(user, election, basis=Basis.OFFICIAL):
    """(counts per outcome code, counts per flag, the flagged contests (capped), the elected (capped),
    last computed_at)."""
    qs = filter_by_unit(user, ContestResult.objects.filter(election=election, basis=basis), "unit")
    by_code = {row["outcome"]: row["n"] for row in qs.order_by().values("outcome").annotate(n=Count("pk"))}
    computed = qs.aggregate(at=Max("computed_at"))["at"]
    day = election.election_day
    flagged = names_on_day(
        with_names_on(qs.needing_attention(), day, "unit", "district")
        .select_related("unit", "district", "winner__person")
        .order_by("unit__kato")[:FLAGGED_LIMIT],
        "unit",
        "district",
    )
    for row in flagged:
        row.flag_labels = [FLAG_LABELS.get(flag, flag) for flag in row.flags]
    flag_counts = defaultdict(int)
    for flags in qs.needing_attention().values_list("flags", flat=True):
        for flag in flags:
            flag_counts[flag] += 1
    elected = names_on_day(
        with_names_on(qs.filter(outcome=Code.ELECTED), day, "unit", "district")
        .select_related("unit", "district", "winner__person", "winner__party")
        .order_by("unit__kato")[:FLAGGED_LIMIT],
        "unit",
        "district",
    )
    return (
        [(LABELS.get(code, code), code, n) for code, n in sorted(by_code.items())],
        [(FLAG_LABELS.get(flag, flag), flag, n) for flag, n in sorted(flag_counts.items())],
        flagged,
        elected,
        computed,
    )


def demographics(user, election):
    """Registered candidacies by sex and by nomination type (one grouped query)."""
    qs = filter_by_unit(user, Candidacy.objects.filter(election=election, status="registered"), "contest__unit")
    rows = qs.order_by().values("person__sex", "nomination_type").annotate(n=Count("pk"))
    by_sex, by_type = defaultdict(int), defaultdict(int)
    for r in rows:
        by_sex[r["person__sex"]] += r["n"]
        by_type[r["nomination_type"]] += r["n"]
    return dict(by_sex), dict(by_type)


def _elections_for(user):
    if scope_for(user).empty:
        return Election.objects.none()
    return Election.objects.order_by("-election_day", "pk")


def index_view(request):
    elections = list(_elections_for(request.user))
    context = {**admin.site.each_context(request), "title": _("Results dashboard"), "elections": elections}
    return TemplateResponse(request, "results/dashboard_index.html", context)


def election_view(request, election_id):
    election = get_object_or_404(_elections_for(request.user), pk=election_id)
    user = request.user
    basis = request.GET.get("basis") if request.GET.get("basis") in Basis.values else Basis.OFFICIAL
    region_rows, district_rows = progress(user, election)
    turnout_rows = turnout(user, election, basis)
    code_counts, flag_counts, flagged, elected, computed_at = outcomes(user, election, basis)
    by_sex, by_type = demographics(user, election)
    segments = list(PROGRESS_LABELS.items())
    context = {
        **admin.site.each_context(request),
        "title": _("Results dashboard: %(election)s") % {"election": election},
        "election": election,
        "basis": basis,
        "bases": Basis.choices,
        "region_rows": region_rows,
        "district_rows": district_rows,
        "turnout_rows": turnout_rows,
        "total": election_total(user, election, basis),
        "code_counts": code_counts,
        "flag_counts": flag_counts,
        "flagged": flagged,
        "elected": elected,
        "flagged_limit": FLAGGED_LIMIT,
        "computed_at": computed_at,
        "progress_chart": charts.stacked_bars(
            _("Protocols by state"), [(r["region"], r) for r in region_rows], segments
        ),
        "turnout_chart": charts.value_bars(
            _("Turnout, %"), [(r.unit.name, r.turnout_percent) for r in turnout_rows], maximum=100, suffix="%"
        ),
        "sex_chart": charts.stacked_bars(
            _("Candidates by sex"),
            [(_("candidates"), by_sex)],
            [("M", _("men")), ("F", _("women"))],
        ),
        "nomination_chart": charts.stacked_bars(
            _("Candidates by nomination"),
            [(_("candidates"), by_type)],
            list(Candidacy.NominationType.choices),
        ),
        "by_sex": by_sex,
        "by_type": by_type,
        "follow_up_elections": election.follow_ups.order_by("election_day", "pk"),
        "calendar": election_calendar(election),
    }
    return TemplateResponse(request, "results/dashboard.html", context)


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
