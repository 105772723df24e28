"""Clerk pages: my polling stations with their protocols, and the entry form of one protocol."""

import logging
import uuid

from django.contrib import messages
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _g
from django.views.decorators.http import require_POST

from core.errors import DomainError, OutOfScope
from results import controls, presentation
from results.attachments import attachments_of
from results.errors import ControlsFailed, WarningsNotAcknowledged
from results.models import ProtocolState
from results.permissions import can_certify, can_resolve
from results.selectors import control_context, entry_by, entry_situation, live_entries, protocols_for_stations
from results.services import abandon_entry, save_entry
from results.services.attachments import can_attach, limit_text
from territory.scope import stations_for

from .common import entry_login_required, posted_version, protocol_or_404
from .forms import acknowledgements_from_post, explanations_from_post, layout, values_from_post, warning_rows

logger = logging.getLogger(__name__)

# Session key: the browser's copy of typed figures to drop, once the server has saved them.
CLEAR_STORAGE = "results_clear_storage"

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
            "clear_storage": request.session.pop(CLEAR_STORAGE, ""),
        },
    )


def storage_key(protocol, user):
    """The browser's local copy of the typed figures: one per protocol, entry cycle and user."""
    return f"electadmin.entry.{protocol.pk}.{protocol.cycle}.{user.pk}"


def _focus(shown, warnings, may_enter):
    """The id of the element the cursor starts in: the first field in fault, else the first warning
    still to confirm, else the first figure."""
    if shown["first_fault"]:
        return f"f-{shown['first_fault']}"
    for w in warnings:
        if not w["why"].strip():
            return f"why-{w['code']}"
        if not w["checked"]:
            return f"ack-{w['code']}"
    return "f-voters" if may_enter else ""


def _render_form(request, protocol, *, values, report, status=200, acknowledged=None, explanations=None):
    entries = live_entries(protocol)
    may_enter, note = entry_situation(protocol, request.user, entries)
    context = control_context(protocol)
    shown = presentation.shown(report, context["candidacies"], context["against_all"])
    sections = layout(values, context["candidacies"], context["against_all"], shown)
    warnings = warning_rows(shown, acknowledged or {}, explanations)
    own = entry_by(protocol, request.user)
    return render(
        request,
        "results/entry_form.html",
        {
            "protocol": protocol,
            "may_enter": may_enter,
            "note": note,
            "sections": sections,
            "shown": shown,
            "warnings": warnings,
            "focus": _focus(shown, warnings, may_enter),
            "submission": uuid.uuid4().hex,
            "storage_key": storage_key(protocol, request.user),
            "clear_storage": request.session.pop(CLEAR_STORAGE, ""),
            "against_all": context["against_all"],
            "own_entry": own if own and own.status == "draft" else None,
            "official": protocol.state in (ProtocolState.VERIFIED, ProtocolState.CERTIFIED),
            "attachments": attachments_of([protocol.pk]).get(protocol.pk, []),
            "may_attach": can_attach(request.user, protocol),
            "attachment_limit": limit_text(),
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
    explanations = explanations_from_post(request.POST)
    action = request.POST.get("action")
    if action not in ("draft", "finish"):
        # Not one of the two buttons (the form's hidden default "check" that Enter presses where no
        # script stops it, a forged form): nothing is saved or finished; the form comes back as
        # typed, checked.
        report = controls.run_controls(values, **context)
        return _render_form(
            request, protocol, values=values, report=report, acknowledged=acknowledged, explanations=explanations
        )
    finish = action == "finish"
    try:
        protocol, entry, report = save_entry(
            protocol,
            request.user,
            values,
            finish=finish,
            acknowledged=acknowledged,
            expected_version=posted_version(request),
            candidacies=context["candidacies"],
            submission=request.POST.get("submission", ""),
        )
    except OutOfScope:
        raise Http404 from None
    except (ControlsFailed, WarningsNotAcknowledged) as error:
        if "entry" in error.details:  # a refused finish: the typed figures were kept as the draft
            protocol = error.details["protocol"]
            messages.error(request, _g("%(error)s Your figures are saved as a draft.") % {"error": error.message})
        else:
            messages.error(request, error.message)
        return _render_form(
            request,
            protocol,
            values=values,
            report=error.details["report"],
            status=422,
            acknowledged=acknowledged,
            explanations=explanations,
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("results:entry", pk=protocol.pk)
    except (OperationalError, InterfaceError):
        return _connection_lost(request, protocol, values, acknowledged)
    request.session[CLEAR_STORAGE] = storage_key(protocol, request.user)
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
