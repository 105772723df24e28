"""Clerk pages: my polling stations with their protocols, and the entry form of one protocol."""

import logging

from django.contrib import messages
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _g
from django.views.decorators.http import require_POST

from core.errors import DomainError, OutOfScope
from results import controls
from results.errors import ControlsFailed, WarningsNotAcknowledged
from results.models import ProtocolState
from results.permissions import can_certify, can_resolve
from results.selectors import control_context, entry_by, entry_situation, live_entries, protocols_for_stations
from results.services import abandon_entry, save_entry
from territory.scope import stations_for

from .common import entry_login_required, posted_version, protocol_or_404
from .forms import acknowledgements_from_post, layout, values_from_post

logger = logging.getLogger(__name__)

OPEN_STATES = {
    ProtocolState.EMPTY,
    ProtocolState.FIRST_ENTRY_IN_PROGRESS,
    ProtocolState.FIRST_ENTRY_DONE,
    ProtocolState.SECOND_ENTRY_IN_PROGRESS,
}


@entry_login_required
def my_stations(request):
    protocols = list(protocols_for_stations(stations_for(request.user))[:500])
    station = protocols[0].polling_station if protocols else None
    return render(
        request,
        "results/my_stations.html",
        {
            "protocols": protocols,
            "is_supervisor": bool(station) and can_resolve(request.user, station),
            "is_tec": bool(station) and can_certify(request.user, station),
        },
    )


def _render_form(request, protocol, *, values, report, status=200, acknowledged=None):
    entries = live_entries(protocol)
    may_enter, note = entry_situation(protocol, request.user, entries)
    context = control_context(protocol)
    sections, general = layout(values, context["candidacies"], context["against_all"], report)
    warnings = report.warnings if report else []
    acknowledged = acknowledged or {}
    own = entry_by(protocol, request.user)
    return render(
        request,
        "results/entry_form.html",
        {
            "protocol": protocol,
            "may_enter": may_enter,
            "note": note,
            "sections": sections,
            "general": general,
            "errors": report.errors if report else [],
            "warnings": [
                {"result": w, "checked": w.code in acknowledged, "why": acknowledged.get(w.code, "")} for w in warnings
            ],
            "own_entry": own if own and own.status == "draft" else None,
            "official": protocol.state in (ProtocolState.VERIFIED, ProtocolState.CERTIFIED),
        },
        status=status,
    )


@entry_login_required
def entry_form(request, pk):
    protocol = protocol_or_404(request.user, pk)
    if request.method == "POST":
        return _post_entry(request, protocol)
    own = entry_by(protocol, request.user)
    values = own.values if own is not None and own.status == "draft" else None
    report = None
    if values:
        report = controls.run_controls(values, **control_context(protocol))
    return _render_form(
        request, protocol, values=values, report=report, acknowledged=own.acknowledged if own and values else None
    )


def _post_entry(request, protocol):
    context = control_context(protocol)
    values = values_from_post(request.POST, context["against_all"])
    acknowledged = acknowledgements_from_post(request.POST)
    finish = request.POST.get("action") == "finish"
    try:
        protocol, entry, report = save_entry(
            protocol,
            request.user,
            values,
            finish=finish,
            acknowledged=acknowledged,
            expected_version=posted_version(request),
            candidacies=context["candidacies"],
        )
    except OutOfScope:
        raise Http404 from None
    except (ControlsFailed, WarningsNotAcknowledged) as error:
        messages.error(request, error.message)
        return _render_form(
            request,
            protocol,
            values=values,
            report=error.details["report"],
            status=422,
            acknowledged=acknowledged,
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("results:entry", pk=protocol.pk)
    except (OperationalError, InterfaceError):
        return _connection_lost(request, protocol, values, acknowledged)
    if finish:
        messages.success(
            request, _g("Entry finished. Protocol state: %(state)s.") % {"state": protocol.get_state_display()}
        )
        return redirect("results:my_stations")
    messages.success(request, _g("Draft saved."))
    return redirect("results:entry", pk=protocol.pk)


def _connection_lost(request, protocol, values, acknowledged):
    """The database connection broke during the save (restart, failover, network cut). The
    service's transaction rolled back, so nothing of the entry is stored: say so, and give the
    clerk's figures back in the form to submit again (503, never a traceback)."""
    logger.exception("entry of protocol %s not saved: database connection lost", protocol.pk)
    text = _g(
        "The connection to the database was lost, so your entry was not saved. Check the figures and submit again."
    )
    try:
        messages.error(request, text)
        return _render_form(request, protocol, values=values, report=None, status=503, acknowledged=acknowledged)
    except (OperationalError, InterfaceError):  # still down: a plain page, no database needed
        return HttpResponse(text, status=503, content_type="text/plain; charset=utf-8")


@entry_login_required
@require_POST
def abandon(request, pk):
    protocol = protocol_or_404(request.user, pk)
    try:
        abandon_entry(protocol, request.user, expected_version=posted_version(request))
        messages.success(request, _g("Your unfinished entry was discarded."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("results:my_stations")
