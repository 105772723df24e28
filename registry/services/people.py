"""People: entering a person into the registry (birth date and sex come from the IIN)."""

from django.db import transaction
from django.db.models import Q

from core import audit
from core.errors import DomainError
from territory.models import AdminUnit

from .. import errors, selectors
from .. import iin as iin_rules
from ..models import Candidacy, Person
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


def normal_name(text):
    """A name as compared: spaces collapsed, case folded, ё read as е."""
    return " ".join(str(text or "").replace("ё", "е").replace("Ё", "Е").split()).casefold()


def names_match(person, surname, given_name):
    return normal_name(person.surname) == normal_name(surname) and normal_name(person.given_name) == normal_name(
        given_name
    )


def _territory_q(scope):
    """People in a territory: living there, or with a candidacy in a contest there."""
    units = AdminUnit.objects.filter(scope.unit_q())
    return Q(residence_unit__in=units) | Q(pk__in=Candidacy.objects.filter(contest__unit__in=units).values("person_id"))


def people_in_territory(actor, people):
    """The ids of `people` (saved Person rows) in the actor's territory; None when it is national
    (`actor=None` is the system: national)."""
    if actor is None:
        return None
    scope = selectors.registry_scope_for(actor)
    if scope.national:
        return None
    if scope.empty:
        return set()
    ids = [p.pk for p in people]
    return set(Person.objects.filter(_territory_q(scope), pk__in=ids).values_list("pk", flat=True))


def person_for_nomination(actor, iin, *, surname, given_name):
    """The person the registry knows by `iin`, for a nomination by `actor`; None when the IIN is new.

    A known IIN matches only with the recorded surname and given name, and only when the person is
    in the actor's territory (living there or a candidate there before): otherwise PersonNotMatched,
    the same for both, never the person (issue 17: an IIN alone must not reveal or attach anyone)."""
    person = selectors.person_with_iin(iin)
    if person is None:
        return None
    in_territory = people_in_territory(actor, [person])
    if not names_match(person, surname, given_name) or (in_territory is not None and person.pk not in in_territory):
        raise errors.PersonNotMatched()
    return person
