"""TEC pages: progress per contest, district and region; verified protocols to certify; reopening."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.errors import DomainError, OutOfScope
from results.models import ProtocolState
from results.permissions import can_certify
from results.services import certify_protocol, reopen_protocol
from territory.scope import scope_for

from .common import entry_login_required, posted_version, protocol_or_404, scoped_protocols

LEVELS = {
    "region": (("region__kato", "region__name_ru", "region__name_kk"), _("Region")),
    "district": (("district__kato", "district__name_ru", "district__name_kk"), _("District")),
    "contest": (("contest__unit__kato", "contest__unit__name_ru", "contest__unit__name_kk"), _("Contest")),
}


def _tec_only(user):
    scope = scope_for(user)
    if not (user.is_superuser or scope.national or scope.region_ids or scope.district_ids):
        raise PermissionDenied


@entry_login_required
def progress(request):
    _tec_only(request.user)
    level = request.GET.get("level", "district")
    if level not in LEVELS:
        level = "district"
    fields, label = LEVELS[level]
    rows = list(scoped_protocols(request.user).progress(*fields)[:2000])
    for row in rows:
        row["kato"], row["name"] = row[fields[0]], row[fields[1]] or row[fields[2]]
    totals = {
        k: sum(r[k] for r in rows) for k in ("total", "empty", "in_entry", "in_discrepancy", "verified", "certified")
    }
    return render(
        request,
        "results/progress.html",
        {"rows": rows, "level": level, "level_label": label, "levels": LEVELS, "totals": totals},
    )


@entry_login_required
def protocol_list(request):
    _tec_only(request.user)
    state = request.GET.get("state", ProtocolState.VERIFIED)
    if state not in ProtocolState.values:
        state = ProtocolState.VERIFIED
    protocols = (
        scoped_protocols(request.user)
        .filter(state=state)
        .select_related("polling_station", "contest__unit", "district")
        .order_by("district__kato", "polling_station__number", "contest_id")[:300]
    )
    return render(
        request,
        "results/protocol_list.html",
        {"protocols": protocols, "state": state, "states": ProtocolState.choices},
    )


def _act(request, pk, action):
    protocol = protocol_or_404(request.user, pk)
    if not can_certify(request.user, protocol.polling_station):
        raise PermissionDenied
    try:
        action(protocol)
    except OutOfScope:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.message)
        return False
    return True


@entry_login_required
@require_POST
def certify(request, pk):
    def act(protocol):
        certify_protocol(protocol, request.user, expected_version=posted_version(request))

    if _act(request, pk, act):
        messages.success(request, _g("Protocol certified."))
    return redirect(reverse("results:tec_protocols") + "?state=verified")


@entry_login_required
@require_POST
def reopen(request, pk):
    def act(protocol):
        reopen_protocol(
            protocol, request.user, reason=request.POST.get("reason", ""), expected_version=posted_version(request)
        )

    if _act(request, pk, act):
        messages.success(request, _g("Protocol reopened: entry starts again."))
    return redirect(reverse("results:tec_protocols") + "?state=certified")
