"""Who opens which page and where each user starts: one selector per decision.

The views check these same functions before answering, and every header and home link is shown
by them, so a link is never offered to a user the page would refuse (403) or not find.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from territory.models import Commission
from territory.scope import active_memberships, scope_for

from .permissions import SUPERVISOR_PRECINCT_ROLES, TEC_KINDS, TEC_ROLES

# Commissions listed highest first when a user sits on several.
_KIND_ORDER = {Commission.Kind.CEC: 0, Commission.Kind.REGIONAL: 1, Commission.Kind.DISTRICT: 2}


def may_use_admin(request):
    """The admin site's own rule (active staff on a commission, or a superuser)."""
    return admin.site.has_permission(request)


def may_use_tec_pages(user):
    """The certification queue and progress pages: superusers and territorial commissions (district and above)."""
    if not user.is_authenticated:
        return False
    scope = scope_for(user)
    return bool(user.is_superuser or scope.national or scope.region_ids or scope.district_ids)


def may_enter(user):
    """The clerks' pages: members of a precinct commission who do not certify (certifiers may not enter)."""
    return user.is_authenticated and bool(scope_for(user).station_ids) and not may_use_tec_pages(user)


def may_supervise(user):
    """The discrepancies pages: a precinct commission's chair or deputy, a territorial commission, a superuser."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    for membership in _memberships(user):
        kind = membership.commission.kind
        if kind in TEC_KINDS and membership.role in TEC_ROLES:
            return True
        if kind == Commission.Kind.PRECINCT and membership.role in SUPERVISOR_PRECINCT_ROLES:
            return True
    return False


def _memberships(user):
    cached = getattr(user, "_navigation_memberships", None)
    if cached is None:
        cached = sorted(
            active_memberships(user)[:50],
            key=lambda m: (_KIND_ORDER.get(m.commission.kind, 3), m.commission.name, m.pk),
        )
        user._navigation_memberships = cached
    return cached


def identity(user):
    """ "user name — role, commission" (the highest commission; "+N" when the user sits on more)."""
    if not user.is_authenticated:
        return ""
    memberships = _memberships(user)
    if not memberships:
        return user.get_username() + (f" — {_('superuser')}" if user.is_superuser else "")
    first = memberships[0]
    label = f"{user.get_username()} — {first.get_role_display()}, {first.commission.name}"
    if len(memberships) > 1:
        label += " " + str(_("(and %(count)s more)") % {"count": len(memberships) - 1})
    return label


def home_url(request):
    """Where `/` sends the user: the login page, the admin (CEC), the certification queue (TEC),
    the polling stations (clerks and chairs), or the API docs (auditors and anyone without a seat)."""
    user = request.user
    if not user.is_authenticated:
        return reverse("results:login")
    scope = scope_for(user)
    if (user.is_superuser or scope.national) and may_use_admin(request):
        return reverse("admin:index")
    if may_use_tec_pages(user):
        return reverse("results:tec_queue")
    if scope.station_ids:
        return reverse("results:my_stations")
    return reverse("api-docs")


def header_links(request):
    """(label, url) of the sections this user may open, in header order."""
    links = section_links(request)
    if request.user.is_authenticated and may_use_admin(request):
        links.append((_("Administration"), reverse("admin:index")))
    return links


def section_links(request):
    """(label, url) of the results pages this user may open (the admin's home lists them)."""
    user = request.user
    if not user.is_authenticated:
        return []
    links = []
    if may_enter(user):
        links.append((_("My polling stations"), reverse("results:my_stations")))
    if may_supervise(user):
        links.append((_("Discrepancies"), reverse("results:discrepancies")))
    if may_use_tec_pages(user):
        links.append((_("Certification"), reverse("results:tec_queue")))
        links.append((_("Progress"), reverse("results:progress")))
    return links
