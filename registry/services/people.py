"""People: entering a person into the registry (birth date and sex come from the IIN)."""

from django.db import transaction

from core import audit
from core.errors import DomainError

from .. import iin as iin_rules
from ..models import Person
from .common import role_of


def create_person(actor, *, iin, **fields):
    """Create a person after validating the IIN; the audit record carries the masked IIN only."""
    problems = iin_rules.iin_errors(iin)
    if problems:
        raise DomainError(
            message="; ".join(str(p.message) for p in problems),
            code=problems[0].code,
            details={"errors": [p.code for p in problems]},
        )
    with transaction.atomic():
        if Person.objects.filter(iin=iin).exists():
            raise DomainError(code="person_exists", message=iin_rules.mask(iin))
        person = Person(iin=iin, **fields)
        person.full_clean()
        person.save()
        audit.record(
            actor=actor,
            action="registry.create_person",
            obj=person,
            role=role_of(actor),
            data={"iin": iin_rules.mask(iin), "fields": sorted(fields)},
        )
    return person
