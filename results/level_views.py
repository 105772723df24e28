"""The dashboard's level pages (admin pages, staff only): the election (country), a region, a
district, a contest, a polling station's protocol, and the search; each read-only and scoped to the
viewer's territory (a district's staff start at their district and cannot open a page above or
beside it: 404, never linked)."""

from django.contrib import admin
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry.calendar import election_calendar
from registry.models import Candidacy, Election
from territory.scope import scope_for

from . import charts, level_lists, level_search, levels
from .models import Basis, ContestResult
from .outcomes import FLAG_LABELS


def elections_for(user):
    if scope_for(user).empty:
        return Election.objects.none()
    return Election.objects.order_by("-election_day", "pk")


def start_url(user, election):
    """Where the viewer's dashboard of `election` starts: the country, or their one region or district."""
    roots = levels.roots(user)
    if len(roots) == 1:
        return reverse("results_reports:unit", args=[election.pk, roots[0]])
    return reverse("results_reports:election", args=[election.pk])


CHILDREN_TITLES = {
    levels.REGION: gettext_lazy("Regions"),
    levels.DISTRICT: gettext_lazy("Districts"),
    levels.CONTEST: gettext_lazy("Contests"),
    levels.STATION: gettext_lazy("Polling stations"),
}
UNIT_SORTS = ("unit", "turnout", "progress")
CONTEST_SORTS = ("unit", "turnout", "progress", "margin")


def _basis(request):
    return request.GET.get("basis") if request.GET.get("basis") in Basis.values else Basis.OFFICIAL


def _progress_labels():
    return list(levels.PROGRESS_LABELS.items())


def _common(request, level, basis):
    """What every level page shows: where it stands, its progress, turnout, outcomes and flags."""
    user = request.user
    code_counts, flag_counts, computed_at = levels.outcome_counts(user, level, basis)
    return {
        **admin.site.each_context(request),
        "level": level,
        "election": level.election,
        "basis": basis,
        "bases": Basis.choices,
        "orders": list(level_lists.ORDERS.items()),
        "order": level_lists.unit_order(request),
        "progress_segments": _progress_labels(),
        "progress": levels.progress_counts(user, level),
        "turnout": levels.turnout_of(user, level, basis),
        "code_counts": code_counts,
        "flag_counts": flag_counts,
        "computed_at": computed_at,
        "other_elections": [(e, start_url(user, e)) for e in elections_for(user).exclude(pk=level.election.pk)[:5]],
    }


def _children(request, context, rows, allowed, kind):
    """Sort, page and chart the units one level down, in the viewer's order."""
    sort, descending = level_lists.sort_param(request, allowed)
    rows = level_lists.sorted_rows(rows, context["order"], sort, descending)
    page = level_lists.page_of(request, rows)
    shown = list(page.object_list)
    context.update(
        {
            "children": page,
            "children_kind": kind,
            "children_title": CHILDREN_TITLES[kind],
            "sort": ("-" if descending else "") + sort,
            "sort_links": level_lists.sort_links(request, allowed, sort, descending),
            "children_progress_chart": charts.stacked_bars(
                _("Protocols by state"), [(r["name"], r) for r in shown], context["progress_segments"]
            ),
            "children_turnout_chart": charts.value_bars(
                _("Turnout, %"), [(r["name"], r["turnout"]) for r in shown], maximum=100, suffix="%"
            ),
        }
    )
    return context


def election_view(request, election_id):
    election = get_object_or_404(elections_for(request.user), pk=election_id)
    user = request.user
    if not levels.may_open_election(user):
        roots = levels.roots(user)
        if len(roots) == 1:
            return redirect(start_url(user, election) + ("?" + request.GET.urlencode() if request.GET else ""))
    basis = _basis(request)
    level = levels.election_level(user, election)
    context = _common(request, level, basis)
    rows = (
        levels.region_rows(user, level, basis)
        if levels.may_open_election(user)
        else levels.root_rows(user, election, basis)
    )
    _children(request, context, rows, ("unit", "turnout", "progress"), levels.REGION)
    by_sex, by_type = _demographics(user, election)
    context.update(
        {
            "title": _("Results dashboard: %(election)s") % {"election": election},
            "follow_up_elections": election.follow_ups.order_by("election_day", "pk"),
            "calendar": election_calendar(election),
            "sex_chart": charts.stacked_bars(
                _("Candidates by sex"), [(_("candidates"), by_sex)], [("M", _("men")), ("F", _("women"))]
            ),
            "nomination_chart": charts.stacked_bars(
                _("Candidates by nomination"), [(_("candidates"), by_type)], list(Candidacy.NominationType.choices)
            ),
        }
    )
    return TemplateResponse(request, "results/dashboard.html", context)


def _demographics(user, election):
    return levels.demographics(user, election)


def unit_view(request, election_id, unit_id):
    election = get_object_or_404(elections_for(request.user), pk=election_id)
    user = request.user
    basis = _basis(request)
    level = levels.unit_level(user, election, unit_id)
    context = _common(request, level, basis)
    if level.kind == levels.REGION:
        _children(
            request, context, levels.district_rows(user, level, basis), ("unit", "turnout", "progress"), levels.DISTRICT
        )
    else:
        _children(
            request,
            context,
            levels.contest_rows(user, level, basis),
            ("unit", "turnout", "progress", "margin"),
            levels.CONTEST,
        )
    context["title"] = f"{level.unit.name} ({level.unit.kato})"
    return TemplateResponse(request, "results/levels/unit.html", context)


def contest_view(request, election_id, contest_id):
    election = get_object_or_404(elections_for(request.user), pk=election_id)
    user = request.user
    basis = _basis(request)
    level = levels.contest_level(user, election, contest_id)
    context = _common(request, level, basis)
    _children(request, context, levels.station_rows(user, level), UNIT_SORTS, levels.STATION)
    result = context["turnout"]
    context.update(
        {
            "title": _("Contest: %(unit)s") % {"unit": f"{level.unit.unit.name} ({level.unit.unit.kato})"},
            "result": result,
            "result_flags": [FLAG_LABELS.get(f, f) for f in result.flags] if isinstance(result, ContestResult) else [],
            "candidates": levels.candidate_rows(level.unit, basis),
        }
    )
    return TemplateResponse(request, "results/levels/contest.html", context)


def station_view(request, election_id, protocol_id):
    election = get_object_or_404(elections_for(request.user), pk=election_id)
    user = request.user
    basis = _basis(request)
    level = levels.station_level(user, election, protocol_id)
    protocol = level.unit
    rows, slots = levels.protocol_figures(user, protocol)
    history = Paginator(levels.protocol_history(protocol), level_lists.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        **admin.site.each_context(request),
        "level": level,
        "election": election,
        "basis": basis,
        "title": f"{protocol.polling_station} — {protocol.contest.unit.name}",
        "protocol": protocol,
        "figures": rows,
        "slots": slots,
        "history": history,
        "turnout": levels.protocol_turnout_percent(protocol.voters, protocol.issued_station, protocol.issued_mobile),
    }
    return TemplateResponse(request, "results/levels/station.html", context)


SEARCH_GROUP_SIZE = 10


def _page_urls(request, key, page):
    """(previous, next) links of one group of the search results, the other groups' pages kept."""
    urls = []
    for number in (
        page.previous_page_number() if page.has_previous() else None,
        page.next_page_number() if page.has_next() else None,
    ):
        if number is None:
            urls.append("")
            continue
        query = request.GET.copy()
        query[key] = number
        urls.append("?" + query.urlencode())
    return urls


def search_view(request, election_id):
    election = get_object_or_404(elections_for(request.user), pk=election_id)
    user = request.user
    text = request.GET.get("q", "").strip()[:100]
    groups = []
    if len(text) >= level_search.MIN_LENGTH:
        for key, label, rows in (
            ("units", _("Regions and districts"), level_search.units(user, election, text)),
            ("contests", _("Contests"), level_search.contests(user, election, text)),
            ("candidates", _("Candidates"), level_search.candidates(user, election, text)),
        ):
            page = Paginator(rows, SEARCH_GROUP_SIZE).get_page(request.GET.get(key))
            groups.append((key, label, page, _page_urls(request, key, page)))
    level = levels.election_level(user, election)
    context = {
        **admin.site.each_context(request),
        "level": level,
        "election": election,
        "title": _("Search"),
        "q": text,
        "too_short": bool(text) and len(text) < level_search.MIN_LENGTH,
        "groups": groups,
        "start_url": start_url(user, election),
    }
    return TemplateResponse(request, "results/levels/search.html", context)
