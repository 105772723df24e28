"""By-elections: called when a term ends early, with rules and dates from the election the term was won at."""

import datetime

from django.db import transaction

from core import audit

from ...models import (
    Contest,
    Election,
    ElectionKind,
    TermOfOffice,
)
from ...models.election import OFFICE_KINDS
from ...services.common import check_actor, role_of
from ...services.contests import voters_by_unit
from .. import errors
from .common import (
    _NOT_RULES,
    _open_term_in,
    today,
)

# --- by-elections, runoffs, follow-ups ----------------------------------------------------------


def _rules_of(election):
    if election is None:
        return {}
    return {
        f.attname: getattr(election, f.attname)
        for f in Election._meta.concrete_fields
        if f.attname not in _NOT_RULES and f.name not in _NOT_RULES
    }


def _rules_source(unit, office_type, ended_term):
    if ended_term is not None and ended_term.election_id is not None:
        return ended_term.election
    last_term = (
        TermOfOffice.objects.filter(unit=unit, office_type=office_type, election__isnull=False)
        .select_related("election")
        .order_by("-started_on", "-pk")
        .first()
    )
    if last_term is not None:
        return last_term.election
    return (
        Election.objects.filter(office_type=office_type, contests__unit=unit, kind=ElectionKind.REGULAR)
        .order_by("-election_day", "-pk")
        .first()
    )


def _create_contest(actor, election, unit, voters):
    contest = Contest.objects.create(election=election, unit=unit, registered_voters=voters)
    audit.record(
        actor=actor,
        action="registry.create_contest",
        obj=contest,
        to_state=Contest.Status.OPEN,
        role=role_of(actor),
        data={"election": election.pk, "unit": unit.kato, "registered_voters": voters},
    )
    return contest


def _call_by_election(actor, unit, *, office_type, vacated_on, ended_term=None):
    current = _open_term_in(unit)
    if current is not None:
        raise errors.UnitHasAkimInOffice(
            details={"term": current.pk, "person": current.person_id, "since": current.started_on.isoformat()}
        )
    if ended_term is not None and ended_term.by_election_id is not None:
        raise errors.ByElectionAlreadyCalled(details={"election": ended_term.by_election_id})
    source = _rules_source(unit, office_type, ended_term)
    election = Election(
        **(_rules_of(source) | {"office_type": office_type}),
        kind=ElectionKind.BY_ELECTION,
        origin=source,
        name_kk=f"Әкімнің мерзімінен бұрын сайлауы: {unit.name_kk or unit.name_ru}",
        name_ru=f"Досрочные выборы акима: {unit.name_ru}",
        name_en=f"By-election of the akim: {unit.name_en or unit.name_ru}",
    )
    election.called_on = vacated_on + datetime.timedelta(days=election.by_election_call_offset_days)
    election.election_day = vacated_on + datetime.timedelta(days=election.by_election_day_offset_days)
    election.status = Election.Status.CALLED
    election.save(force_insert=True)
    audit.record(
        actor=actor,
        action="registry.call_by_election",
        obj=election,
        to_state=Election.Status.CALLED,
        role=role_of(actor),
        data={
            "unit": unit.kato,
            "vacated_on": vacated_on,
            "called_on": election.called_on,
            "election_day": election.election_day,
            "rules_from": source.pk if source else None,
            "ended_term": ended_term.pk if ended_term else None,
        },
    )
    voters = voters_by_unit([unit]).get(unit.pk) or (unit.registered_voters or 0)
    _create_contest(actor, election, unit, voters)
    if ended_term is not None:
        ended_term.by_election = election
        ended_term.save(update_fields=["by_election"])
    return election


def call_by_election(actor, unit, *, vacated_on, office_type=None, term=None):
    """Call a by-election for a unit whose akim's post is vacant (refused while an akim is in office).
    An early termination calls it by itself; this is for a post left vacant otherwise, or for an
    ended `term` whose by-election was not called (refused while that term has not ended)."""
    with transaction.atomic():
        check_actor(actor, unit)
        if term is not None:
            term = TermOfOffice.objects.select_for_update(of=("self",)).get(pk=term.pk)
            if term.ended_on is None:
                raise errors.TermNotEnded(details={"term": term.pk, "started_on": term.started_on.isoformat()})
            if term.unit_id != unit.pk:
                raise errors.OutcomeNotActionable(details={"term": term.pk, "unit": unit.kato})
        office_type = office_type or (term.office_type if term is not None else unit.kind)
        if office_type not in OFFICE_KINDS:
            raise errors.NotAnOfficeKind(details={"office_type": office_type})
        if not isinstance(vacated_on, datetime.date) or vacated_on > today():
            raise errors.DateInFuture(details={"field": "vacated_on", "value": str(vacated_on)})
        return _call_by_election(actor, unit, office_type=office_type, vacated_on=vacated_on, ended_term=term)
