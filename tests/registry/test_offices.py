"""The office register's services: terms of office, accountability, no-confidence grounds on their
boundary, early termination and by-elections, and the term limit fed by the register.
Unhappy paths first; every refusal leaves the database as it was."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from core import clock
from core.models import AuditEvent
from registry import services
from registry.models import (
    Contest,
    DismissalInitiative,
    Election,
    MaslikhatReport,
    NoConfidenceVote,
    TermOfOffice,
)
from registry.offices import services as offices

from . import factories as f

pytestmark = pytest.mark.django_db
d = datetime.date
TERM_START = d(2021, 8, 2)


def everything():
    """A fingerprint of every table the office services write."""
    return (
        list(TermOfOffice.objects.order_by("pk").values_list("pk", "ended_on", "end_reason", "by_election_id")),
        MaslikhatReport.objects.count(),
        DismissalInitiative.objects.count(),
        NoConfidenceVote.objects.count(),
        Election.objects.count(),
        Contest.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def established(units):
    return f.election(
        status=Election.Status.RESULTS_ESTABLISHED, results_established_on=d(2021, 7, 27), min_age=30, term_years=4
    )


@pytest.fixture
def in_2023():
    with clock.frozen(f.at(d(2023, 5, 2), 10)) as moment:
        yield moment


def open_term(unit, election, person=None, started_on=TERM_START, actor=None):
    return offices.open_term_of_office(
        actor,
        person=person or f.person(),
        unit=unit,
        office_type="rural_district",
        started_on=started_on,
        election=election,
    )


@pytest.fixture
def term(units, established, in_2023):
    return open_term(units["35-rd1"], established)


def refused(call, code):
    before = everything()
    with pytest.raises(Exception) as excinfo:
        call()
    assert getattr(excinfo.value, "code", None) == code, excinfo.value
    assert everything() == before
    return excinfo.value


# --- opening terms --------------------------------------------------------------------------------


def test_second_open_term_for_the_same_unit_is_refused(units, established, term):
    error = refused(lambda: open_term(units["35-rd1"], established), "unit_has_akim_in_office")
    assert error.details["term"] == term.pk


def test_the_database_holds_one_open_term_per_unit(units, term):
    with pytest.raises(IntegrityError), transaction.atomic():
        TermOfOffice.objects.create(
            person=f.person(), unit=units["35-rd1"], office_type="rural_district", started_on=d(2022, 1, 1)
        )


def test_term_cannot_start_before_the_results_were_established(units, established, in_2023):
    refused(lambda: open_term(units["35-rd1"], established, started_on=d(2021, 7, 26)), "term_starts_before_results")


def test_term_of_an_election_without_established_results_is_refused(units, in_2023):
    counting = f.election(status=Election.Status.COUNTING)
    refused(lambda: open_term(units["35-rd1"], counting), "results_not_established")


def test_term_outside_the_actors_territory_is_refused(units, established, tec39, in_2023):
    refused(lambda: open_term(units["35-rd1"], established, actor=tec39), "out_of_scope")


def test_term_in_a_kind_of_office_without_an_akim_is_refused(units, established, in_2023):
    call = lambda: offices.open_term_of_office(  # noqa: E731
        None, person=f.person(), unit=units["35"], office_type="region", started_on=TERM_START
    )
    refused(call, "not_an_office_kind")


def test_open_term_sets_planned_end_number_and_audit(units, established, term, tec35):
    assert term.started_on == TERM_START
    assert term.planned_end_on == d(2025, 8, 2)
    assert term.term_number == 1 and term.in_office
    event = AuditEvent.objects.for_object(term).get()
    assert (event.action, event.to_state) == ("registry.open_term_of_office", "in_office")
    offices.complete_term(tec35, term, ended_on=d(2023, 5, 1))
    second = open_term(units["35-rd1"], established, person=term.person, started_on=d(2023, 5, 2), actor=tec35)
    assert second.term_number == 2
    assert second.planned_end_on == d(2027, 5, 2)


def test_planned_end_of_a_term_starting_on_29_february(units, in_2023):
    leap = offices.open_term_of_office(
        None, person=f.person(), unit=units["35-rd2"], office_type="rural_district", started_on=d(2024, 2, 29)
    )
    assert leap.planned_end_on == d(2028, 2, 29)
    leap.delete()
    three = offices.open_term_of_office(
        None,
        person=f.person(),
        unit=units["35-rd2"],
        office_type="rural_district",
        started_on=d(2020, 2, 29),
        term_years=3,
    )
    assert three.planned_end_on == d(2023, 2, 28)


# --- reports and initiatives ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"reported_on": d(2021, 8, 1)}, "date_outside_term"),
        ({"reported_on": d(2023, 5, 3)}, "date_in_future"),
        ({"decision_reference": "  "}, "decision_reference_required"),
        ({"approved": "no"}, "bad_outcome"),
    ],
)
def test_bad_reports_are_refused(term, kwargs, code):
    values = {"reported_on": d(2022, 3, 1), "approved": True, "decision_reference": "№ 1"} | kwargs
    refused(lambda: offices.record_report(None, term, **values), code)


def test_report_twice_on_a_day_out_of_scope_or_after_the_term_is_refused(term, tec39, tec35):
    offices.record_report(tec35, term, reported_on=d(2022, 3, 1), approved=True, decision_reference="№ 1")
    again = {"reported_on": d(2022, 3, 1), "approved": False, "decision_reference": "№ 2"}
    refused(lambda: offices.record_report(tec35, term, **again), "report_already_recorded")
    later = {"reported_on": d(2022, 9, 1), "approved": False, "decision_reference": "№ 2"}
    refused(lambda: offices.record_report(tec39, term, **later), "out_of_scope")
    offices.terminate_term(tec35, term, reason="resignation", ended_on=d(2022, 6, 1))
    refused(lambda: offices.record_report(tec35, term, **later), "term_not_in_office")


def test_report_is_recorded_with_its_audit(term, tec35):
    report = offices.record_report(tec35, term, reported_on=d(2022, 3, 1), approved=False, decision_reference="№ 7")
    assert (report.approved, report.decision_reference) == (False, "№ 7")
    assert AuditEvent.objects.for_object(report).get().to_state == "not_approved"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"outcome": "maybe"}, "bad_outcome"),
        ({"signatures": -1}, "bad_signatures"),
        ({"submitted_on": d(2030, 1, 1)}, "date_in_future"),
    ],
)
def test_bad_initiatives_are_refused(term, kwargs, code):
    values = {"submitted_on": d(2022, 3, 1), "signatures": 100, "outcome": "registered"} | kwargs
    refused(lambda: offices.record_initiative(None, term, **values), code)


# --- no confidence: grounds on their boundary -----------------------------------------------------


VOTE_DAY = d(2023, 4, 20)


def vote(term, *, held_on=VOTE_DAY, outcome="passed", votes_for=9, votes_against=3, actor=None):
    return offices.hold_no_confidence_vote(
        actor,
        term,
        held_on=held_on,
        votes_for=votes_for,
        votes_against=votes_against,
        outcome=outcome,
        decision_reference="№ 22/1",
    )


def report(term, day, approved=False):
    return offices.record_report(None, term, reported_on=day, approved=approved, decision_reference=f"№ {day}")


def test_no_confidence_without_any_grounds_is_refused_naming_the_rules(term):
    error = refused(lambda: vote(term), "no_confidence_without_grounds")
    rules = {r["rule"]: r for r in error.details["failed_rules"]}
    assert set(rules) == {"reports_not_approved", "community_initiative"}
    assert (rules["reports_not_approved"]["found"], rules["reports_not_approved"]["required"]) == (0, 2)


def test_one_report_not_approved_is_not_grounds_two_are(term):
    report(term, d(2022, 3, 1))
    report(term, d(2022, 9, 1), approved=True)
    error = refused(lambda: vote(term), "no_confidence_without_grounds")
    assert error.details["failed_rules"][0]["found"] == 1
    assert "1 report(s) not approved" in str(error.message)
    second = report(term, d(2023, 3, 1))
    result = vote(term)
    assert result.grounds == "reports_not_approved"
    assert set(result.grounds_reports.values_list("pk", flat=True)) == {
        second.pk,
        term.reports.get(reported_on=d(2022, 3, 1)).pk,
    }


def test_a_report_after_the_vote_day_does_not_count(term):
    report(term, d(2022, 3, 1))
    report(term, d(2023, 4, 21))
    refused(lambda: vote(term, held_on=d(2023, 4, 20)), "no_confidence_without_grounds")
    assert vote(term, held_on=d(2023, 4, 21), outcome="failed").grounds == "reports_not_approved"


def test_reports_of_a_previous_term_do_not_count(units, established, term, tec35):
    report(term, d(2022, 3, 1))
    report(term, d(2022, 9, 1))
    offices.complete_term(tec35, term, ended_on=d(2022, 12, 31))
    current = open_term(units["35-rd1"], established, person=term.person, started_on=d(2023, 1, 2))
    report(current, d(2023, 3, 1))
    error = refused(lambda: vote(current), "no_confidence_without_grounds")
    assert error.details["failed_rules"][0]["found"] == 1


def test_a_rejected_initiative_is_not_grounds_a_registered_one_is(term):
    offices.record_initiative(None, term, submitted_on=d(2022, 11, 1), signatures=50, outcome="rejected")
    refused(lambda: vote(term), "no_confidence_without_grounds")
    initiative = offices.record_initiative(
        None, term, submitted_on=d(2022, 12, 1), signatures=400, outcome="registered"
    )
    result = vote(term, outcome="failed", votes_for=3, votes_against=9)
    assert (result.grounds, result.grounds_initiative) == ("community_initiative", initiative)
    term.refresh_from_db()
    assert term.in_office  # a vote that fails leaves the akim in office


def test_a_passed_vote_needs_more_votes_for(term):
    report(term, d(2022, 3, 1))
    report(term, d(2023, 3, 1))
    refused(lambda: vote(term, votes_for=5, votes_against=5), "vote_counts_inconsistent")


def test_a_passed_vote_ends_the_term_and_calls_the_by_election(term, established, tec35):
    report(term, d(2022, 3, 1))
    report(term, d(2023, 3, 1))
    result = vote(term, actor=tec35)
    term.refresh_from_db()
    assert (term.ended_on, term.end_reason) == (d(2023, 4, 20), "no_confidence")
    by = term.by_election
    assert by.kind == "by_election" and by.origin == established
    assert (by.called_on, by.election_day) == (d(2023, 4, 30), d(2023, 6, 29))
    assert (by.min_age, by.term_years, by.office_type, by.status) == (30, 4, "rural_district", "called")
    assert list(by.contests.values_list("unit_id", flat=True)) == [term.unit_id]
    assert by.contests.get().registered_voters == 1501  # the unit's polling station
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"registry.no_confidence_vote", "registry.terminate_term", "registry.call_by_election"} <= actions
    assert result.outcome == "passed"
    refused(lambda: vote(term, outcome="failed", votes_for=1, votes_against=2), "term_not_in_office")


# --- early termination and by-elections -----------------------------------------------------------


@pytest.mark.parametrize("reason", ["resignation", "death", "court_decision", "no_confidence"])
def test_early_termination_opens_a_by_election(term, tec35, reason):
    offices.terminate_term(tec35, term, reason=reason, ended_on=d(2023, 1, 10), decision_reference="№ 5")
    term.refresh_from_db()
    assert (term.end_reason, term.ended_on, term.end_decision_reference) == (reason, d(2023, 1, 10), "№ 5")
    assert (term.by_election.called_on, term.by_election.election_day) == (d(2023, 1, 20), d(2023, 3, 21))


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"reason": "completed"}, "bad_end_reason"),
        ({"reason": "bored"}, "bad_end_reason"),
        ({"reason": "other"}, "end_reason_text_required"),
        ({"reason": "other", "reason_text": "   "}, "end_reason_text_required"),
        ({"ended_on": d(2021, 8, 1)}, "date_outside_term"),
        ({"ended_on": d(2023, 6, 1)}, "date_in_future"),
    ],
)
def test_bad_terminations_are_refused(term, kwargs, code):
    values = {"reason": "resignation", "ended_on": d(2023, 1, 10)} | kwargs
    refused(lambda: offices.terminate_term(None, term, **values), code)


def test_other_reason_with_words_and_second_termination_refused(term):
    offices.terminate_term(None, term, reason="other", reason_text="Moved to another post", ended_on=d(2023, 1, 10))
    term.refresh_from_db()
    assert term.end_reason_text == "Moved to another post"
    refused(lambda: offices.terminate_term(None, term, reason="death", ended_on=d(2023, 2, 1)), "term_not_in_office")


def test_by_election_for_a_unit_whose_akim_is_in_office_is_refused(units, term, tec35):
    error = refused(
        lambda: offices.call_by_election(tec35, units["35-rd1"], vacated_on=d(2023, 1, 1)), "unit_has_akim_in_office"
    )
    assert error.details["term"] == term.pk


def test_by_election_for_a_vacant_post(units, term, tec35, tec39):
    offices.complete_term(tec35, term, ended_on=d(2023, 1, 1))
    refused(lambda: offices.call_by_election(tec39, units["35-rd1"], vacated_on=d(2023, 1, 1)), "out_of_scope")
    by = offices.call_by_election(tec35, units["35-rd1"], vacated_on=d(2023, 1, 1))
    assert by.origin_id == term.election_id  # rules from the latest election held in the unit
    assert by.election_day == d(2023, 3, 12)


def test_the_database_refuses_a_by_election_called_too_late(term):
    with pytest.raises(IntegrityError), transaction.atomic():
        Election.objects.filter(pk=term.election_id).update(by_election_day_offset_days=20)


# --- term limit fed by the register ---------------------------------------------------------------


def test_two_terms_in_the_register_refuse_a_third_with_the_terms_listed(units, established, tec35, in_2023):
    person = f.person()
    first = open_term(units["35-rd1"], established, person=person, started_on=d(2021, 8, 2))
    offices.terminate_term(tec35, first, reason="resignation", ended_on=d(2022, 1, 31))
    # the by-election of 2022 elected the same person again (a second term in the same post)
    first.refresh_from_db()
    by_election = first.by_election
    Election.objects.filter(pk=by_election.pk).update(
        status="results_established", results_established_on=d(2022, 4, 12)
    )
    by_election.refresh_from_db()
    second = open_term(units["35-rd1"], by_election, person=person, started_on=d(2022, 4, 12))
    assert second.term_number == 2
    offices.complete_term(tec35, second, ended_on=d(2023, 5, 1))

    election_2025 = f.election(election_day=d(2025, 7, 27), name_ru="2025")
    contest = f.contest(election_2025, units["35-rd1"], voters=1501)
    with clock.frozen(f.at(d(2025, 7, 1), 12)):
        candidacy = services.nominate(
            tec35,
            contest=contest,
            person=person,
            nomination_type="self",
            signatures_submitted=20,
            signatures_valid=20,
            deposit_paid=True,
        )
        with pytest.raises(Exception) as excinfo:
            services.register(tec35, candidacy)
    failures = excinfo.value.details["failures"]
    assert [x["code"] for x in failures] == ["term_limit_reached"]
    assert failures[0]["values"]["terms_held"] == [["2021-08-02", "2022-01-31"], ["2022-04-12", "2023-05-01"]]
    assert "Aug. 2, 2021 – Jan. 31, 2022" in failures[0]["message"]
    candidacy.refresh_from_db()
    assert candidacy.status == "nominated"


def test_one_term_in_the_register_does_not_refuse(units, established, tec35, in_2023):
    person = f.person()
    first = open_term(units["35-rd1"], established, person=person)
    offices.complete_term(tec35, first, ended_on=d(2023, 5, 1))
    contest = f.contest(f.election(election_day=d(2025, 7, 27)), units["35-rd1"], voters=1501)
    with clock.frozen(f.at(d(2025, 7, 1), 12)):
        candidacy = services.nominate(
            tec35,
            contest=contest,
            person=person,
            nomination_type="self",
            signatures_submitted=20,
            signatures_valid=20,
            deposit_paid=True,
        )
        services.register(tec35, candidacy)
    candidacy.refresh_from_db()
    assert candidacy.status == "registered"
