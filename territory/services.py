"""Territory services: seating a user on a commission (the write path outside the admin)."""

from django.db import transaction

from core import audit
from core.errors import OutOfScope

from . import roles
from .models import Commission, Membership
from .scope import commissions_for


class CommissionOutOfScope(OutOfScope):
    code = "commission_out_of_scope"


@transaction.atomic
def appoint_member(actor, *, user, commission, role, active_from=None, active_to=None):
    """Seat `user` on `commission` with `role`, if the commission lies in the actor's territory.

    Raises CommissionOutOfScope (nothing written) otherwise, and ValidationError for bad
    values (unknown role, dates in the wrong order, the same seat twice).
    """
    commission = Commission.objects.select_for_update().get(pk=commission.pk)
    if not commissions_for(actor).filter(pk=commission.pk).exists():
        raise CommissionOutOfScope(
            details={"commission": commission.pk, "field": "commission"},
        )
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
