"""Supervisor pages (precinct chair or TEC): discrepancies, both entries side by side, resolution."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _g
from django.views.decorators.http import require_POST

from core.errors import DomainError, OutOfScope
from results import controls
from results.errors import ControlsFailed, WarningsNotAcknowledged
from results.models import ProtocolState
from results.permissions import can_resolve
from results.selectors import control_context, discrepancies, live_entries
from results.services import resolve_discard_both, resolve_keep_entry, resolve_with_corrected_figures

from .common import entry_login_required, posted_version, protocol_or_404, scoped_protocols
from .forms import acknowledgements_from_post, layout, values_from_post


@entry_login_required
def discrepancy_list(request):
    rows = [
        p for p in discrepancies(scoped_protocols(request.user))[:500] if can_resolve(request.user, p.polling_station)
    ]
    return render(request, "results/discrepancies.html", {"protocols": rows})


def _comparison(protocol, entries, candidacies, against_all):
    """Rows (code, label, value 1, value 2, differ) in paper order."""
    first, second = entries.get(1), entries.get(2)
    a = first.values if first else {}
    b = second.values if second else {}
    rows = []
    names = [(n, c, lbl) for n, c, lbl in controls.FIGURES]
    if against_all:
        names.append(controls.AGAINST_ALL)
    for name, code, label in names:
        rows.append({"path": name, "code": code, "label": label, "a": a.get(name), "b": b.get(name)})
    for number, (cid, cname) in enumerate(candidacies.items(), start=1):
        key = str(cid)
        rows.append(
            {
                "path": f"votes.{cid}",
                "code": f"c{number}",
                "label": cname,
                "a": (a.get("votes") or {}).get(key),
                "b": (b.get("votes") or {}).get(key),
            }
        )
    for row in rows:
        row["differ"] = row["a"] != row["b"]
    return rows


def _render(request, protocol, *, values=None, report=None, status=200, reason="", acknowledged=None):
    entries = live_entries(protocol)
    context = control_context(protocol)
    if values is None and 1 in entries:
        values = entries[1].values
    sections, general = layout(values, context["candidacies"], context["against_all"], report)
    acknowledged = acknowledged or {}
    return render(
        request,
        "results/discrepancy.html",
        {
            "protocol": protocol,
            "entries": entries,
            "rows": _comparison(protocol, entries, context["candidacies"], context["against_all"]),
            "open": protocol.state == ProtocolState.IN_DISCREPANCY,
            "sections": sections,
            "general": general,
            "warnings": [
                {"result": w, "checked": w.code in acknowledged, "why": acknowledged.get(w.code, "")}
                for w in (report.warnings if report else [])
            ],
            "reason": reason,
        },
        status=status,
    )


def _resolvable(request, pk):
    protocol = protocol_or_404(request.user, pk)
    if not can_resolve(request.user, protocol.polling_station):
        raise PermissionDenied
    return protocol


@entry_login_required
def discrepancy_detail(request, pk):
    protocol = _resolvable(request, pk)
    # Before both entries are done nobody sees them side by side: a chair may also be a clerk.
    if protocol.state not in (ProtocolState.IN_DISCREPANCY, ProtocolState.VERIFIED, ProtocolState.CERTIFIED):
        raise Http404
    return _render(request, protocol)


@entry_login_required
@require_POST
def resolve(request, pk):
    protocol = _resolvable(request, pk)
    choice = request.POST.get("choice", "")
    reason = request.POST.get("reason", "")
    version = posted_version(request)
    try:
        if choice in ("keep_1", "keep_2"):
            resolve_keep_entry(protocol, request.user, int(choice[-1]), reason=reason, expected_version=version)
        elif choice == "discard":
            resolve_discard_both(protocol, request.user, reason=reason, expected_version=version)
        elif choice == "correct":
            context = control_context(protocol)
            values = values_from_post(request.POST, context["against_all"])
            acknowledged = acknowledgements_from_post(request.POST)
            try:
                resolve_with_corrected_figures(
                    protocol, request.user, values, reason=reason, acknowledged=acknowledged, expected_version=version
                )
            except (ControlsFailed, WarningsNotAcknowledged) as error:
                messages.error(request, error.message)
                return _render(
                    request,
                    protocol,
                    values=values,
                    report=error.details["report"],
                    status=422,
                    reason=reason,
                    acknowledged=acknowledged,
                )
        else:
            messages.error(request, _g("Choose how to resolve the discrepancy."))
            return redirect("results:discrepancy", pk=protocol.pk)
    except OutOfScope:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("results:discrepancy", pk=protocol.pk)
    messages.success(request, _g("Discrepancy resolved."))
    return redirect("results:discrepancies")
