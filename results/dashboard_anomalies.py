"""The dashboard's anomaly flags page (admin, staff only, scoped to the user's territory): the flags
the aggregation wrote (results.anomalies), counted per code and listed with links to their
protocols and contests, and the turnout-versus-leader's-share fingerprint as a server-side SVG chart.
The section is `templates/results/_anomalies.html`, included by this page's template."""

from django.contrib import admin
from django.db.models import Count, OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from registry.models import Election
from territory.scope import filter_by_station, filter_by_unit, scope_for

from . import anomalies, charts
from .aggregation.flags import stations
from .models import AnomalyFlag, Protocol

LISTED_LIMIT = 300


def flags_for(user, election, code=None):
    """The election's flags in the user's territory (of one code if given), with their protocol's id."""
    qs = filter_by_unit(user, AnomalyFlag.objects.filter(election=election), "contest__unit")
    if code:
        qs = qs.filter(code=code)
    protocol = Protocol.objects.filter(contest=OuterRef("contest"), polling_station=OuterRef("polling_station"))
    return (
        qs.select_related("contest__unit", "polling_station", "district")
        .annotate(protocol_id=Subquery(protocol.values("pk")[:1]))
        .order_by("district__kato", "contest__unit__kato", "polling_station__number", "code", "pk")
    )


def code_counts(user, election):
    """[(code, label, count)] of the user's territory, in the catalogue's order."""
    qs = filter_by_unit(user, AnomalyFlag.objects.filter(election=election), "contest__unit")
    counts = dict(qs.order_by().values_list("code").annotate(n=Count("pk")))
    return [(code, anomalies.LABELS[code], counts[code]) for code in anomalies.CODES if counts.get(code)]


def _cell_title(x_from, x_to, y_from, y_to, n):
    return ngettext(
        "turnout %(x_from)s–%(x_to)s%%, leader's share %(y_from)s–%(y_to)s%%: %(n)s station",
        "turnout %(x_from)s–%(x_to)s%%, leader's share %(y_from)s–%(y_to)s%%: %(n)s stations",
        n,
    ) % {"x_from": x_from, "x_to": x_to, "y_from": y_from, "y_to": y_to, "n": n}


def fingerprint_chart(user, election):
    protocols = filter_by_station(user, Protocol.objects.filter(election=election), "polling_station")
    counts = anomalies.fingerprint(stations(election, protocols))
    return charts.heatmap(
        _("Polling stations by turnout and leader's share"),
        counts,
        x_label=_("turnout, %"),
        y_label=_("leader's share of the valid ballots, %"),
        cell_title=_cell_title,
    )


def anomalies_view(request, election_id):
    elections = Election.objects.none() if scope_for(request.user).empty else Election.objects.all()
    election = get_object_or_404(elections, pk=election_id)
    code = request.GET.get("code") if request.GET.get("code") in anomalies.CODES else None
    flags = list(flags_for(request.user, election, code)[:LISTED_LIMIT])
    context = {
        **admin.site.each_context(request),
        "title": _("Anomaly flags: %(election)s") % {"election": election},
        "election": election,
        "code": code,
        "code_counts": code_counts(request.user, election),
        "flags": flags,
        "listed_limit": LISTED_LIMIT,
        "fingerprint_chart": fingerprint_chart(request.user, election),
    }
    return TemplateResponse(request, "results/anomalies.html", context)
