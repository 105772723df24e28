"""Abandoning another clerk's unfinished entry (a draft that would lock the protocol): the precinct
chair or a territorial commission, with a reason (issue 17). GET shows the draft; POST abandons it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _g

from core.errors import DomainError, OutOfScope
from results.models import ProtocolState
from results.permissions import can_abandon_others_draft
from results.selectors import live_entries
from results.services.entry import MAX_ABANDON_REASON, abandon_draft_of_other

from .common import entry_login_required, posted_version, protocol_or_404

_IN_PROGRESS = {ProtocolState.FIRST_ENTRY_IN_PROGRESS: 1, ProtocolState.SECOND_ENTRY_IN_PROGRESS: 2}


@entry_login_required
def abandon_draft(request, pk):
    protocol = protocol_or_404(request.user, pk)
    if not can_abandon_others_draft(request.user, protocol.polling_station):
        raise PermissionDenied
    reason, status = "", 200
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        try:
            _protocol, entry = abandon_draft_of_other(
                protocol, request.user, reason=reason, expected_version=posted_version(request)
            )
        except OutOfScope:
            raise Http404 from None
        except DomainError as error:
            messages.error(request, f"{error.message}")
            status = 400
            protocol = protocol_or_404(request.user, pk)
        else:
            messages.success(
                request,
                _g("The unfinished entry of %(clerk)s was abandoned; the protocol can be entered again.")
                % {"clerk": entry.clerk.get_username()},
            )
            return redirect("results:abandon_draft", pk=protocol.pk)
    slot = _IN_PROGRESS.get(protocol.state)
    draft = live_entries(protocol).get(slot) if slot else None
    return render(
        request,
        "results/draft_abandon.html",
        {"protocol": protocol, "draft": draft, "reason": reason, "max_reason": MAX_ABANDON_REASON},
        status=status,
    )
