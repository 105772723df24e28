"""TEC pages: the certification queue (verified protocols with their figures, certified one or
many after a confirmation), progress per contest, district and region, and reopening."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.errors import DomainError, OutOfScope
from core.names import in_active_language
from results import tec_queue
from results.models import ProtocolState
from results.navigation import may_use_tec_pages
from results.permissions import can_certify
from results.services import certify_protocol, certify_protocols, reopen_protocol
from territory.kato import Kind
from territory.selectors import NAME_FIELDS, name_on, names_on_day, with_names_on

from .common import entry_login_required, posted_version, protocol_or_404, scoped_protocols

# Grouping of the progress page: the path of the unit of each row, and the column's title.
LEVELS = {
    "region": ("region", _("Region")),
    "district": ("district", _("District")),
    "contest": ("contest__unit", _("Contest")),
}


QUEUE_PAGE_SIZE = 50
MAX_SELECTED = 500  # protocols certified in one confirmation


def _tec_only(user):
    if not may_use_tec_pages(user):
        raise PermissionDenied


@entry_login_required
def queue(request):
    """Verified protocols of the user's territory, one per row with figures, warnings and the clerks'
    explanations; a checkbox per row and a certify button per row, both leading to a confirmation."""
    _tec_only(request.user)
    region = tec_queue.territory_of(request.user, request.GET.get("region"), [Kind.REGION, Kind.CITY_REPUBLICAN])
    district = tec_queue.territory_of(request.user, request.GET.get("district"), [Kind.DISTRICT, Kind.CITY_REGIONAL])
    protocols = tec_queue.verified_protocols(
        request.user, region_id=region.pk if region else None, district_id=district.pk if district else None
    )
    page = Paginator(protocols, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    regions, districts = tec_queue.territory_filters(request.user)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "results/tec_queue.html",
        {
            "rows": tec_queue.queue_rows(page.object_list),
            "page": page,
            "query": query.urlencode(),
            "regions": regions if len(regions) > 1 else [],
            "districts": districts if len(districts) > 1 else [],
            "region": region,
            "district": district,
        },
    )


def _selected(request):
    """[(protocol id, posted version)] of the checked protocols, at most MAX_SELECTED, in order."""
    selected = []
    only = request.POST.get("only")  # a row's own button: that protocol alone
    for raw in [only] if only else request.POST.getlist("protocol"):
        if raw.isdigit() and len(raw) < 12 and int(raw) not in dict(selected):
            selected.append((int(raw), request.POST.get(f"version-{raw}", "")))
    return selected[:MAX_SELECTED]


@entry_login_required
@require_POST
def certify_selected(request):
    """Step 1 (no "confirm"): the confirmation page with the count and the figures of what will be
    certified. Step 2 ("confirm"): certify them, each checked and audited by the service, and
    report what was certified and, protocol by protocol, what was refused and why."""
    _tec_only(request.user)
    back = reverse("results:tec_queue")
    selected = _selected(request)
    if not selected:
        messages.error(request, _g("Select at least one protocol to certify."))
        return redirect(back)
    if "confirm" not in request.POST:
        ids = [pid for pid, _version in selected]
        found = {p.pk: p for p in tec_queue.verified_protocols(request.user).filter(pk__in=ids)}
        rows = tec_queue.queue_rows([found[pid] for pid in ids if pid in found])
        versions = dict(selected)
        for row in rows:  # the version the user saw in the queue, not today's: a change since is refused
            row.version = versions[row.protocol.pk] or row.version
        return render(
            request,
            "results/tec_certify_confirm.html",
            {"rows": rows, "count": len(rows), "not_certifiable": len(ids) - len(rows)},
        )
    outcome = certify_protocols(
        [pid for pid, _version in selected],
        request.user,
        expected_versions=dict(selected),
    )
    certified = sum(1 for _pid, error in outcome if error is None)
    if certified:
        messages.success(request, _g("%(count)s protocol(s) certified.") % {"count": certified})
    refused = [(pid, error) for pid, error in outcome if error is not None]
    # Names only of protocols the user may see; anything else is shown by its number alone.
    labels = {
        p.pk: str(p)
        for p in scoped_protocols(request.user)
        .filter(pk__in=[pid for pid, _e in refused])
        .select_related("polling_station", "contest__unit")
    }
    for pid, error in refused:
        messages.error(
            request,
            _g("Not certified: %(protocol)s: %(error)s")
            % {"protocol": labels.get(pid, f"#{pid}"), "error": error.message},
        )
    return redirect(back)


@entry_login_required
def progress(request):
    _tec_only(request.user)
    level = request.GET.get("level", "district")
    if level not in LEVELS:
        level = "district"
    path, label = LEVELS[level]
    # Units by their names of each protocol's election day, in the page's language.
    names = {f"unit_{field}": name_on(path, "election__election_day", field) for field in NAME_FIELDS}
    rows = list(scoped_protocols(request.user).annotate(**names).progress(f"{path}__kato", *names)[:2000])
    for row in rows:
        row["kato"] = row[f"{path}__kato"]
        row["name"] = in_active_language(*(row[name] or "" for name in names))
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
    protocols = names_on_day(
        with_names_on(
            scoped_protocols(request.user).filter(state=state), "election__election_day", "district", "contest__unit"
        )
        .select_related("polling_station", "contest__unit", "district")
        .order_by("district__kato", "polling_station__number", "contest_id")[:300],
        "district",
        "contest__unit",
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
