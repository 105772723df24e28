"""Roles: the Django groups of commission staff and the model permissions each group holds.

A user's *scope* comes from their memberships (territory.scope); what they may *do* inside it
comes from these groups. Later apps add their codenames to GROUP_PERMISSIONS (a permission that
does not exist yet is skipped, so the table may name models of apps still to come).
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from .scope import active_memberships

CEC = "cec"
TEC = "tec"
PRECINCT = "precinct"
AUDITORS = "auditors"
GROUPS = (CEC, TEC, PRECINCT, AUDITORS)


def _perms(app_label, model, *actions):
    return [f"{app_label}.{action}_{model}" for action in actions]


_ALL = ("view", "add", "change", "delete")

GROUP_PERMISSIONS = {
    CEC: [
        *_perms("territory", "adminunit", *_ALL),
        *_perms("territory", "pollingstation", *_ALL),
        *_perms("territory", "commission", *_ALL),
        *_perms("territory", "membership", *_ALL),
        *_perms("core", "auditevent", "view"),
    ],
    TEC: [
        *_perms("territory", "adminunit", "view", "add", "change"),
        *_perms("territory", "pollingstation", "view", "add", "change"),
        *_perms("territory", "commission", "view", "add", "change"),
        *_perms("territory", "membership", *_ALL),
    ],
    PRECINCT: [
        *_perms("territory", "pollingstation", "view"),
    ],
    AUDITORS: [
        *_perms("territory", "adminunit", "view"),
        *_perms("territory", "pollingstation", "view"),
        *_perms("territory", "commission", "view"),
        *_perms("core", "auditevent", "view"),
    ],
}

# The group a seat on a commission of each kind puts its holder in.
COMMISSION_GROUP = {"cec": CEC, "regional": TEC, "district": TEC, "precinct": PRECINCT}


def permissions_named(names):
    """The Permission rows for "app_label.codename" names that exist (missing ones are skipped)."""
    wanted = {tuple(name.split(".", 1)) for name in names}
    if not wanted:
        return []
    perms = Permission.objects.filter(
        content_type__app_label__in={app for app, _ in wanted}, codename__in={code for _, code in wanted}
    ).select_related("content_type")
    return [p for p in perms if (p.content_type.app_label, p.codename) in wanted]


@transaction.atomic
def sync_groups(group_permissions=None):
    """Create the groups and give each the permissions of the table that exist; returns {name: Group}.

    Only adds: a permission granted by another app's loader is never taken away, and a second
    run changes nothing.
    """
    table = GROUP_PERMISSIONS if group_permissions is None else group_permissions
    groups = {}
    for name in sorted(set(GROUPS) | set(table)):
        group, _ = Group.objects.get_or_create(name=name)
        wanted = permissions_named(table.get(name, []))
        have = set(group.permissions.values_list("pk", flat=True))
        missing = [p for p in wanted if p.pk not in have]
        if missing:
            group.permissions.add(*missing)
        groups[name] = group
    return groups


def groups_for_memberships(memberships):
    """The group names the given memberships call for."""
    return {COMMISSION_GROUP[m.commission.kind] for m in memberships}


def sync_user_groups(user, memberships=None):
    """Put the user in the groups of their active commission seats, and out of those no active seat calls for.

    Groups follow memberships both ways: a seat adds its commission's group; when the last active
    seat on commissions of a kind ends (removed, or its `active_to` passed), that group goes. Groups
    not given by seats (auditors, any other) are never touched. `memberships` defaults to the
    user's seats active today (`territory.scope.active_memberships`).
    """
    if memberships is None:
        memberships = active_memberships(user)
    wanted = groups_for_memberships(memberships)
    seat_groups = set(COMMISSION_GROUP.values())
    have = set(user.groups.filter(name__in=seat_groups).values_list("name", flat=True))
    missing, stale = wanted - have, have - wanted
    if missing:
        sync_groups()
        user.groups.add(*Group.objects.filter(name__in=missing))
    if stale:
        user.groups.remove(*Group.objects.filter(name__in=stale))
    # Permissions and scope are cached on the user object: drop them so the change shows at once.
    for attr in ("_perm_cache", "_user_perm_cache", "_group_perm_cache", "_territory_scope", "_results_memberships"):
        user.__dict__.pop(attr, None)
    return wanted
