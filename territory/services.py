"""Territory services: seating a user on a commission, changing the seat, ending it, and the groups that follow.

A seat is *active* on a day when that day lies between its `active_from` and `active_to` (both
inclusive, either open); scope (`territory.scope`) and the results pages count active seats only.
A seat ends in one of two ways: it is removed (`remove_member`, the admin's delete), or its
`active_to` passes (set through `change_membership`, or reached with time). Groups follow: every
service here re-syncs the member's groups, and `sync_groups_of_ended_seats` (a nightly task) takes
the group away from members whose last seat ended by date alone.
"""

from django.contrib.auth import get_user_model
from django.db import transaction

from core import audit, clock
from core.errors import OutOfScope

from . import roles
from .models import Commission, Membership
from .scope import commissions_for


class CommissionOutOfScope(OutOfScope):
    code = "commission_out_of_scope"


def _check_commission_in_scope(actor, commission):
    """Lock the commission and refuse it (CommissionOutOfScope) unless it lies in the actor's territory."""
    commission = Commission.objects.select_for_update().get(pk=commission.pk)
    if not commissions_for(actor).filter(pk=commission.pk).exists():
        raise CommissionOutOfScope(details={"commission": commission.pk, "field": "commission"})
    return commission


@transaction.atomic
def appoint_member(actor, *, user, commission, role, active_from=None, active_to=None):
    """Seat `user` on `commission` with `role`, if the commission lies in the actor's territory.

    Raises CommissionOutOfScope (nothing written) otherwise, and ValidationError for bad
    values (unknown role, dates in the wrong order, the same seat twice).
    """
    commission = _check_commission_in_scope(actor, commission)
    membership = Membership(user=user, commission=commission, role=role, active_from=active_from, active_to=active_to)
    membership.full_clean()
    membership.save()
    roles.sync_user_groups(user)
    audit.record(
        actor=actor,
        action="territory.member_appointed",
        obj=membership,
        to_state=role,
        commission=commission,
        data={"user": user.username, "commission": commission.pk},
    )
    return membership


@transaction.atomic
def change_membership(actor, membership, *, commission, role, active_from=None, active_to=None):
    """Change a seat (its commission, role or dates); both the old and the new commission must be in scope.

    Setting `active_to` before today ends the seat: the member loses the group when no other
    active seat calls for it. Raises CommissionOutOfScope or ValidationError, nothing written.
    """
    current = Membership.objects.select_for_update().select_related("user", "commission").get(pk=membership.pk)
    _check_commission_in_scope(actor, current.commission)
    commission = _check_commission_in_scope(actor, commission)
    before = {
        "commission": current.commission_id,
        "role": current.role,
        "active_from": str(current.active_from or ""),
        "active_to": str(current.active_to or ""),
    }
    current.commission, current.role = commission, role
    current.active_from, current.active_to = active_from, active_to
    current.full_clean()
    current.save()
    roles.sync_user_groups(current.user)
    after = {
        "commission": current.commission_id,
        "role": current.role,
        "active_from": str(current.active_from or ""),
        "active_to": str(current.active_to or ""),
    }
    audit.record(
        actor=actor,
        action="territory.membership_changed",
        obj=current,
        from_state=before["role"],
        to_state=role,
        commission=commission,
        data={
            "user": current.user.username,
            "changes": {k: [before[k], after[k]] for k in before if before[k] != after[k]},
        },
    )
    return current


@transaction.atomic
def remove_member(actor, membership):
    """End a seat by removing it; the member loses the group no other active seat calls for.

    Raises CommissionOutOfScope (nothing removed) when the seat's commission is outside the actor's territory.
    """
    current = Membership.objects.select_for_update().select_related("user", "commission").get(pk=membership.pk)
    commission = _check_commission_in_scope(actor, current.commission)
    user, was = current.user, str(current)
    audit.record(
        actor=actor,
        action="territory.member_removed",
        obj=current,
        from_state=current.role,
        commission=commission,
        data={"user": user.username, "commission": commission.pk, "was": was},
    )
    current.delete()
    roles.sync_user_groups(user)
    return user


def sync_groups_of_ended_seats(on=None):
    """Re-sync the groups of users whose seats ended by date (active_to before `on`, default today).

    Returns how many users lost a group. Idempotent; run nightly (territory.tasks).
    """
    day = on or clock.now().date()
    ended = Membership.objects.filter(active_to__lt=day).values("user_id")
    seat_groups = set(roles.COMMISSION_GROUP.values())
    users = get_user_model().objects.filter(pk__in=ended, groups__name__in=seat_groups).distinct()
    changed = 0
    for user in users:
        before = set(user.groups.filter(name__in=seat_groups).values_list("name", flat=True))
        with transaction.atomic():
            after = roles.sync_user_groups(user, _seats_active_on(user, day))
        if before - after:
            changed += 1
    return changed


def _seats_active_on(user, day):
    """The user's seats active on `day`, with their commissions."""
    return Membership.objects.active_on(day).filter(user=user).select_related("commission")


# --- records edited in the scoped admin screens -----------------------------------------------------


def _record_admin_change(actor, verb, obj, data):
    opts = obj._meta
    audit.record(actor=actor, action=f"admin.{opts.app_label}.{opts.model_name}.{verb}", obj=obj, data=data)


@transaction.atomic
def save_record(actor, obj, *, adding, changes, audited=True):
    """Save a reference record edited in a scoped admin screen (a unit, station, commission, contest, person,
    ...) with its audit record `admin.<app>.<model>.added|changed`; `changes`: {field: [before, after]}.

    The screen has already checked the form and that the record lies in the actor's territory
    (territory.admin_scoping). A domain change with rules of its own has its own service instead.
    """
    obj.save()
    if audited:
        _record_admin_change(actor, "added" if adding else "changed", obj, {"changes": changes})
    return obj


@transaction.atomic
def delete_records(actor, queryset, *, audited=True):
    """Delete the records of `queryset` (scoped by the admin screen), each with its audit record first."""
    if audited:
        for obj in queryset:
            _record_admin_change(actor, "deleted", obj, {"was": str(obj)})
    return queryset.delete()
