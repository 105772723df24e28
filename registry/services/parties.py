"""Parties: entering and editing a party (the CEC keeps the list)."""

from django.db import transaction

from core import audit

from .. import errors, selectors
from .common import role_of


def save_party(actor, party, *, changed):
    """Save a party as entered or edited (CEC only) with its audit record; `changed`: the edited fields."""
    if actor is not None and not selectors.registry_scope_for(actor).national:
        raise errors.NotPermitted(message=errors.NotPermitted.default_message, code="cec_only")
    adding = party.pk is None
    with transaction.atomic():
        party.full_clean()
        party.save()
        audit.record(
            actor=actor,
            action="admin.registry.party." + ("added" if adding else "changed"),
            obj=party,
            role=role_of(actor),
            data={"changed": list(changed)},
        )
    return party
