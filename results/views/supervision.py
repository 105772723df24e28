"""Supervisor pages (precinct chair or TEC): discrepancies, both entries side by side, resolution.

A resolution takes two steps: the compare page posts a choice and a reason and gets back a review
page showing what would become official (the service checks everything, writes nothing); only a
POST carrying the review page's explicit `confirm=yes` resolves. Nothing is chosen by default and
Enter in a field never submits a decision (the script stops it; without the script the forms'
default button only shows the page again).
"""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _g
from django.views.decorators.http import require_POST

from core.errors import DomainError, OutOfScope
from results import controls, presentation
from results.attachments import attachments_of
from results.errors import ControlsFailed, ReasonRequired, WarningsNotAcknowledged
from results.models import ProtocolState
from results.permissions import can_resolve
from results.selectors import control_context, discrepancies, entry_figures_visible_to, live_entries
from results.services import resolve as resolve_protocol
from results.services import review_resolution
from results.services.resolution import CHOICES

from .common import entry_login_required, posted_version, protocol_or_404, scoped_protocols
from .forms import acknowledgements_from_post, explanations_from_post, layout, values_from_post, warning_rows


@entry_login_required
def discrepancy_list(request):
    rows = [
        p for p in discrepancies(scoped_protocols(request.user))[:500] if can_resolve(request.user, p.polling_station)
    ]
    return render(request, "results/discrepancies.html", {"protocols": rows})


def clerk_name(user):
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def _comparison(entries, candidacies, against_all, official=None):
    """Rows (path, code, label, value 1, value 2, official, differ, changes) in paper order."""
    first, second = entries.get(1), entries.get(2)
    a = first.values if first else {}
    b = second.values if second else {}
    o = official or {}
    fields = presentation.Fields(candidacies, against_all)
    names = list(controls.FIGURES) + ([controls.AGAINST_ALL] if against_all else [])
    rows = [
        {"path": name, "code": code, "label": label, "a": a.get(name), "b": b.get(name), "o": o.get(name)}
        for name, code, label in names
    ]
    for cid, cname in candidacies.items():
        key = str(cid)
        rows.append(
            {
                "path": f"votes.{cid}",
                "code": f"№ {fields.numbers[int(cid)]}",
                "label": cname,
                "a": (a.get("votes") or {}).get(key),
                "b": (b.get("votes") or {}).get(key),
                "o": (o.get("votes") or {}).get(key),
            }
        )
    for row in rows:
        row["differ"] = row["a"] != row["b"]
        row["changes"] = official is not None and (row["o"] != row["a"] or row["o"] != row["b"])
    return rows


def _agreed(entries, candidacies, against_all):
    """The figures both entries agree on (a starting point for corrected figures); the rest blank."""
    rows = _comparison(entries, candidacies, against_all)
    values = {r["path"]: r["a"] for r in rows if not r["differ"] and not r["path"].startswith("votes.")}
    values["votes"] = {r["path"][6:]: r["a"] for r in rows if not r["differ"] and r["path"].startswith("votes.")}
    return values


def _render(request, protocol, *, form=None, report=None, status=200, errors=None):
    """The compare page; `form` holds what was posted (choice, reason, values...) to give it back."""
    form = form or {}
    errors = errors or {}
    entries = live_entries(protocol)
    context = control_context(protocol)
    correcting = form.get("choice") == "correct"
    values = form["values"] if correcting else _agreed(entries, context["candidacies"], context["against_all"])
    shown = presentation.shown(report, context["candidacies"], context["against_all"])
    warnings = warning_rows(shown, form.get("acknowledged") or {}, form.get("explanations"))
    focus = ""
    if correcting and shown["first_fault"]:
        focus = f"f-{shown['first_fault']}"
    elif correcting and errors.get("reason"):
        focus = "correct-reason"
    elif errors.get("choice"):
        focus = "choice-keep_1"
    elif errors.get("reason"):
        focus = "keep-reason"
    return render(
        request,
        "results/discrepancy.html",
        {
            "protocol": protocol,
            "entries": entries,
            "clerks": {slot: clerk_name(e.clerk) for slot, e in entries.items()},
            "rows": _comparison(entries, context["candidacies"], context["against_all"]),
            "open": protocol.state == ProtocolState.IN_DISCREPANCY,
            "sections": layout(values, context["candidacies"], context["against_all"], shown),
            "shown": shown,
            "warnings": warnings,
            "against_all": context["against_all"],
            "choice": "" if correcting else form.get("choice", ""),
            "keep_reason": "" if correcting else form.get("reason", ""),
            "correct_reason": form.get("reason", "") if correcting else "",
            "errors": errors,
            "correcting": correcting,
            "focus": focus,
            "submission": form.get("submission") or uuid.uuid4().hex,
            "attachments": attachments_of([protocol.pk]).get(protocol.pk, []),
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
    if not entry_figures_visible_to(request.user, protocol):
        raise Http404
    return _render(request, protocol)


def _posted(request, protocol):
    """What the compare or review page posted, read as the services take it."""
    post = request.POST
    choice = post.get("choice", "")
    form = {
        "choice": choice if choice in CHOICES else "",
        "reason": post.get("reason", ""),
        "submission": post.get("submission", "")[:64],
        "values": None,
        "acknowledged": {},
        "explanations": {},
    }
    if form["choice"] == "correct":
        form["values"] = values_from_post(post, control_context(protocol)["against_all"])
        form["acknowledged"] = acknowledgements_from_post(post)
        form["explanations"] = explanations_from_post(post)
    return form


def _refused(request, protocol, form, error):
    """A refusal the user can correct on the compare page: given back as typed, the error at its field."""
    if isinstance(error, ReasonRequired):
        return _render(request, protocol, form=form, status=422, errors={"reason": error.message})
    messages.error(request, error.message)
    return _render(request, protocol, form=form, report=error.details["report"], status=422)


def _done_message(protocol, form, entries):
    choice = form["choice"]
    if choice in ("keep_1", "keep_2"):
        kept = protocol.official_entry
        return _g("Entry %(slot)s by %(clerk)s kept: its figures are now the official ones.") % {
            "slot": kept.slot if kept else choice[-1],
            "clerk": clerk_name(kept.clerk if kept else None),
        }
    if choice == "correct":
        return _g("Your corrected figures are recorded as the official ones.")
    names = [clerk_name(entries[s].clerk) for s in (1, 2) if s in entries]
    if len(names) == 2:
        text = _g("Both entries (by %(first)s and %(second)s) are discarded: the protocol awaits two fresh entries.")
        return text % {"first": names[0], "second": names[1]}
    return _g("Both entries are discarded: the protocol awaits two fresh entries.")


@entry_login_required
@require_POST
def resolve(request, pk):
    protocol = _resolvable(request, pk)
    form = _posted(request, protocol)
    if request.POST.get("step") in ("stay", "back"):  # Enter in a field, or back from the review
        return _render(request, protocol, form=form)
    if not form["choice"]:
        return _render(
            request,
            protocol,
            form=form,
            status=422,
            errors={"choice": _g("Choose how to resolve the discrepancy.")},
        )
    version = posted_version(request)
    kwargs = {
        "reason": form["reason"],
        "values": form["values"],
        "acknowledged": form["acknowledged"],
        "expected_version": version,
    }
    try:
        if request.POST.get("confirm") != "yes":  # no explicit confirmation: show what would happen
            plan = review_resolution(protocol, request.user, form["choice"], **kwargs)
            return _review(request, protocol, form, plan)
        entries = live_entries(protocol)
        protocol = resolve_protocol(protocol, request.user, form["choice"], submission=form["submission"], **kwargs)
    except OutOfScope:
        raise Http404 from None
    except (ReasonRequired, ControlsFailed, WarningsNotAcknowledged) as error:
        return _refused(request, protocol, form, error)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("results:discrepancy", pk=protocol.pk)
    if protocol.official_entry_id:
        protocol = type(protocol).objects.select_related("official_entry__clerk").get(pk=protocol.pk)
    messages.success(request, _done_message(protocol, form, entries))
    return redirect("results:discrepancies")


def _review(request, protocol, form, plan):
    context = control_context(protocol)
    rows = _comparison(plan.entries, context["candidacies"], context["against_all"], plan.official)
    hidden = []
    if form["choice"] == "correct":
        values = form["values"]
        hidden += [(name, values.get(name, "")) for name in controls.FIGURE_NAMES]
        if "against_all" in values:
            hidden.append(("against_all", values["against_all"]))
        hidden += [(f"vote_{cid}", n) for cid, n in (values.get("votes") or {}).items()]
        hidden += [(f"ack_{code}", "on") for code in form["acknowledged"]]
        hidden += [(f"why_{code}", text) for code, text in form["explanations"].items()]
    return render(
        request,
        "results/resolve_review.html",
        {
            "protocol": protocol,
            "plan": plan,
            "clerks": {slot: clerk_name(e.clerk) for slot, e in plan.entries.items()},
            "kept_clerk": clerk_name(plan.kept.clerk) if plan.kept else "",
            "rows": rows,
            "changed": [r for r in rows if r["changes"]],
            "form": form,
            "hidden": hidden,
        },
    )
