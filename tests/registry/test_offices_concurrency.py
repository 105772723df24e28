"""Concurrent writes to the office register on PostgreSQL: exactly one akim in office per unit, and
two votes on the same term cannot both end it."""

import datetime

import pytest

from registry.models import Election, NoConfidenceVote, TermOfOffice
from registry.offices import services as offices

from . import factories as f
from .test_concurrency import _race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
d = datetime.date


def test_two_akims_registered_in_one_unit_at_once(units):
    election = f.election(status=Election.Status.RESULTS_ESTABLISHED, results_established_on=d(2021, 7, 27))
    people = [f.person(), f.person()]
    outcomes = _race(
        [
            lambda p=p: offices.open_term_of_office(
                None,
                person=p,
                unit=units["35-rd1"],
                office_type="rural_district",
                started_on=d(2021, 8, 2),
                election=election,
            )
            for p in people
        ]
    )
    assert sorted(getattr(o, "code", "ok") for o in outcomes) == ["ok", "unit_has_akim_in_office"]
    assert TermOfOffice.objects.filter(unit=units["35-rd1"], ended_on__isnull=True).count() == 1


def test_two_passing_votes_on_one_term_at_once(units):
    term = offices.open_term_of_office(
        None, person=f.person(), unit=units["35-rd1"], office_type="rural_district", started_on=d(2021, 6, 1)
    )
    for day in (d(2021, 6, 10), d(2021, 6, 20)):
        offices.record_report(None, term, reported_on=day, approved=False, decision_reference="№")
    outcomes = _race(
        [
            lambda: offices.hold_no_confidence_vote(
                None,
                term,
                held_on=d(2021, 6, 25),
                votes_for=9,
                votes_against=1,
                outcome="passed",
                decision_reference="№ 1",
            )
        ]
        * 2
    )
    assert sorted(getattr(o, "code", "ok") for o in outcomes) == ["ok", "term_not_in_office"]
    assert NoConfidenceVote.objects.count() == 1
    term.refresh_from_db()
    assert term.end_reason == "no_confidence" and term.by_election is not None
