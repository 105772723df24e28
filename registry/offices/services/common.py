"""Shared by the office services: today, year arithmetic, term locks and checks, the audit data of a term."""

import datetime

from django.utils import timezone

from core import clock

from ...models import (
    Election,
    TermOfOffice,
)
from .. import errors

REPORTS_NOT_APPROVED_FOR_GROUNDS = 2

# Fields of Election that are not rules: everything else is copied to a runoff or by-election.
_NOT_RULES = {
    "id",
    "name_kk",
    "name_ru",
    "name_en",
    "election_day",
    "called_on",
    "status",
    "kind",
    "origin",
    "results_established_on",
}


def today():
    """Today in the project's time zone, by the domain clock."""
    return timezone.localdate(clock.now())


def add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


def _default_term_years():
    return Election._meta.get_field("term_years").default


def _lock_term(term):
    return (
        TermOfOffice.objects.select_for_update(of=("self",))
        .select_related("unit", "election", "person")
        .get(pk=term.pk)
    )


def _check_in_office(term):
    if term.ended_on is not None:
        raise errors.TermNotInOffice(details={"term": term.pk, "ended_on": term.ended_on.isoformat()})


def _check_day_in_term(term, day, field):
    if not isinstance(day, datetime.date):
        raise errors.DateOutsideTerm(details={"field": field, "value": str(day)})
    if day < term.started_on:
        raise errors.DateOutsideTerm(
            details={"field": field, "value": day.isoformat(), "term_started_on": term.started_on.isoformat()}
        )
    if day > today():
        raise errors.DateInFuture(details={"field": field, "value": day.isoformat(), "today": today().isoformat()})


def _check_reference(reference):
    if not (reference or "").strip():
        raise errors.DecisionReferenceRequired()


def _open_term_in(unit):
    return TermOfOffice.objects.select_for_update(of=("self",)).filter(unit=unit, ended_on__isnull=True).first()


def _term_data(term):
    return {
        "person": term.person_id,
        "unit": term.unit.kato,
        "office_type": term.office_type,
        "started_on": term.started_on,
        "planned_end_on": term.planned_end_on,
        "term_number": term.term_number,
        "election": term.election_id,
        "candidacy": term.candidacy_id,
    }
