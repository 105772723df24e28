"""Checks shared by the registry's services: who acts, in which territory, at which moment."""

from core import clock

from .. import errors, selectors
from ..models import Election

# Stages of the election during which the registry may change.
NOMINATION_STAGES = (Election.Status.CALLED, Election.Status.NOMINATION, Election.Status.REGISTRATION)
WITHDRAWAL_STAGES = (*NOMINATION_STAGES, Election.Status.CAMPAIGN)


def check_actor(actor, unit):
    """The actor must sit on the CEC or a territorial commission whose territory holds `unit`.
    `actor=None` is the system itself (demo loader, management commands run by operators)."""
    if actor is None:
        return
    scope = selectors.registry_scope_for(actor)
    if not scope.holds_unit(unit):
        if scope.empty:
            raise errors.NotTerritorialStaff()
        raise errors.ContestOutOfScope(details={"unit": unit.kato})


def check_stage(election, stages):
    if election.status not in stages:
        raise errors.ElectionWrongState(
            details={"status": election.status, "allowed": [str(s) for s in stages]},
        )


def check_before(deadline, error_class):
    """Refuse once `deadline` (an aware local cut-off) is reached: at 18:00:00 the door is closed."""
    moment = clock.now()
    if moment >= deadline:
        raise error_class(details={"deadline": deadline.isoformat(), "now": moment.isoformat()})


def role_of(actor):
    return "system" if actor is None else ("superuser" if actor.is_superuser else "staff")
