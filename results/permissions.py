"""Who may do what to a protocol: enter (scope), resolve (precinct chair or TEC), certify and reopen (TEC).

Scope decisions go through `territory.scope`; roles come from the user's active memberships in
the commissions whose jurisdiction covers the protocol's polling station.
"""

from django.utils.translation import gettext_lazy as _

from core.errors import NotPermitted, OutOfScope
from territory.models import Commission, Membership
from territory.scope import active_memberships, scope_for

SUPERVISOR_PRECINCT_ROLES = {Membership.Role.CHAIR, Membership.Role.DEPUTY}
TEC_KINDS = {Commission.Kind.CEC, Commission.Kind.REGIONAL, Commission.Kind.DISTRICT}
TEC_ROLES = {Membership.Role.CHAIR, Membership.Role.DEPUTY, Membership.Role.SECRETARY, Membership.Role.MEMBER}


class Actor:
    """The acting user with the role and commission recorded in the audit trail."""

    def __init__(self, user, membership=None):
        self.user = user
        self.role = membership.role if membership else ("superuser" if user.is_superuser else "")
        self.commission = str(membership.commission) if membership else ""


def _key(commission):
    if commission.kind == Commission.Kind.CEC:
        return ("cec", None)
    if commission.kind == Commission.Kind.PRECINCT:
        return ("precinct", commission.polling_station_id)
    return (commission.kind, commission.unit_id)


def _memberships_covering(user, station):
    """The user's active memberships whose commission's jurisdiction holds `station`.

    Indexed once per user object by jurisdiction, so a user sitting on thousands of precinct
    commissions (the demo's data-entry clerks) costs four dictionary lookups per call.
    """
    index = getattr(user, "_results_memberships", None)
    if index is None:
        index = {}
        for membership in active_memberships(user):
            index.setdefault(_key(membership.commission), []).append(membership)
        user._results_memberships = index
    keys = [("cec", None), ("regional", station.region_id), ("district", station.district_id), ("precinct", station.pk)]
    return [m for key in keys for m in index.get(key, [])]


def check_scope(user, station):
    if not scope_for(user).holds_station(station):
        raise OutOfScope()


def check_enter(user, station):
    check_scope(user, station)
    memberships = _memberships_covering(user, station)
    return Actor(user, memberships[0] if memberships else None)


def _supervisor_membership(user, station, *, precinct_chair):
    for m in _memberships_covering(user, station):
        if m.commission.kind in TEC_KINDS and m.role in TEC_ROLES:
            return m
        if precinct_chair and m.commission.kind == Commission.Kind.PRECINCT and m.role in SUPERVISOR_PRECINCT_ROLES:
            return m
    return None


def can_resolve(user, station):
    return scope_for(user).holds_station(station) and (
        user.is_superuser or _supervisor_membership(user, station, precinct_chair=True) is not None
    )


def check_resolve(user, station):
    check_scope(user, station)
    if user.is_superuser:
        return Actor(user)
    membership = _supervisor_membership(user, station, precinct_chair=True)
    if membership is None:
        raise NotPermitted(_("Only the precinct commission's chair or a territorial commission can resolve this."))
    return Actor(user, membership)


def can_certify(user, station):
    return scope_for(user).holds_station(station) and (
        user.is_superuser or _supervisor_membership(user, station, precinct_chair=False) is not None
    )


def check_certify(user, station):
    """Certify and reopen: the district TEC or above."""
    check_scope(user, station)
    if user.is_superuser:
        return Actor(user)
    membership = _supervisor_membership(user, station, precinct_chair=False)
    if membership is None:
        raise NotPermitted(_("Only a territorial commission (district or above) can certify or reopen a protocol."))
    return Actor(user, membership)


def can_abandon_others_draft(user, station):
    """The precinct commission's chair (or deputy) or a territorial commission: may abandon a clerk's
    unfinished entry that would otherwise lock the protocol (issue 17)."""
    return can_resolve(user, station)


def check_abandon_others_draft(user, station):
    check_scope(user, station)
    if user.is_superuser:
        return Actor(user)
    membership = _supervisor_membership(user, station, precinct_chair=True)
    if membership is None:
        raise NotPermitted(
            _("Only the precinct commission's chair or a territorial commission can abandon another clerk's draft.")
        )
    return Actor(user, membership)
