"""The candidacy workflow: every refusal first (wrong state, deadline, territory, duplicates), then the
transitions, each with its audit record and nothing changed when refused."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from core import clock
from core.models import AuditEvent
from registry import services
from registry.models import Candidacy, Election
from registry.offices import services as offices

from . import factories as f

pytestmark = pytest.mark.django_db

S = Candidacy.Status
E = f.E_DAY
NOMINATION_END = datetime.date(2021, 7, 9)  # E-16
REGISTRATION_END = datetime.date(2021, 7, 14)  # E-11


def nominate(actor, contest, person=None, **kw):
    kw.setdefault("nomination_type", "self")
    kw.setdefault("signatures_submitted", 20)
    kw.setdefault("signatures_valid", 20)
    kw.setdefault("deposit_paid", True)
    return services.nominate(actor, contest=contest, person=person or f.person(), **kw)


def error_code(excinfo):
    return excinfo.value.code


def snapshot(candidacy):
    candidacy.refresh_from_db()
    return (candidacy.status, candidacy.decided_on, candidacy.ended_on, candidacy.reason)


# --- nomination: refusals ------------------------------------------------------------------------


def test_second_active_candidacy_in_the_same_election_is_refused(tec35, contest, units, election, nomination_time):
    person = f.person()
    nominate(tec35, contest, person)
    other = f.contest(election, units["35-rd2"])
    with pytest.raises(Exception) as excinfo:
        nominate(tec35, other, person)
    assert error_code(excinfo) == "second_active_candidacy"
    assert Candidacy.objects.filter(person=person).count() == 1


def test_a_refused_or_withdrawn_candidacy_frees_the_person(tec35, contest, units, election, nomination_time):
    person = f.person()
    first = nominate(tec35, contest, person)
    services.withdraw(tec35, first, reason="own statement")
    second = nominate(tec35, f.contest(election, units["35-rd2"]), person)
    assert second.status == S.NOMINATED


def test_database_holds_one_active_candidacy_per_person_per_election(contest, units, election):
    person = f.person()
    Candidacy.objects.create(person=person, contest=contest, nomination_type="self", nominated_on=E)
    other = f.contest(election, units["35-rd2"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Candidacy.objects.create(person=person, contest=other, nomination_type="self", nominated_on=E)


def test_party_nominating_twice_in_one_contest_is_refused(tec35, contest, nomination_time):
    party = f.party()
    nominate(tec35, contest, nomination_type="party", party=party)
    with pytest.raises(Exception) as excinfo:
        nominate(tec35, contest, nomination_type="party", party=party)
    assert error_code(excinfo) == "party_already_nominated"
    assert Candidacy.objects.filter(party=party).count() == 1


def test_database_holds_one_active_party_nomination_per_contest(contest):
    party = f.party()
    Candidacy.objects.create(person=f.person(), contest=contest, nomination_type="party", party=party, nominated_on=E)
    with pytest.raises(IntegrityError), transaction.atomic():
        Candidacy.objects.create(
            person=f.person(), contest=contest, nomination_type="party", party=party, nominated_on=E
        )


def test_database_requires_party_iff_party_nomination(contest):
    with pytest.raises(IntegrityError), transaction.atomic():
        Candidacy.objects.create(person=f.person(), contest=contest, nomination_type="party", nominated_on=E)
    with pytest.raises(IntegrityError), transaction.atomic():
        Candidacy.objects.create(
            person=f.person(), contest=contest, nomination_type="self", party=f.party(), nominated_on=E
        )


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"nomination_type": "party"}, "party_required"),
        ({"nomination_type": "self", "party": "make"}, "party_not_allowed"),
    ],
)
def test_party_must_match_the_nomination_type(tec35, contest, nomination_time, kwargs, code):
    if kwargs.get("party") == "make":
        kwargs["party"] = f.party()
    with pytest.raises(Exception) as excinfo:
        nominate(tec35, contest, **kwargs)
    assert error_code(excinfo) == code
    assert not Candidacy.objects.exists()


def test_inactive_party_is_refused(tec35, contest, nomination_time):
    party = f.party(active_to=datetime.date(2020, 1, 1), active_from=datetime.date(2000, 1, 1))
    with pytest.raises(Exception) as excinfo:
        nominate(tec35, contest, nomination_type="party", party=party)
    assert error_code(excinfo) == "party_inactive"


def test_under_minimum_age_is_refused_at_nomination(tec35, contest, nomination_time):
    young = f.person(birth_date=datetime.date(1996, 7, 26))  # 24 years 364 days on election day
    with pytest.raises(Exception) as excinfo:
        nominate(tec35, contest, young)
    assert error_code(excinfo) == "not_eligible"
    assert [x["code"] for x in excinfo.value.details["failures"]] == ["age_below_minimum"]
    assert not Candidacy.objects.exists()
    assert nominate(tec35, contest, f.person(birth_date=datetime.date(1996, 7, 25))).status == S.NOMINATED


def test_nomination_outside_territory_is_refused(tec39, contest, nomination_time):
    with pytest.raises(Exception) as excinfo:
        nominate(tec39, contest)
    assert error_code(excinfo) == "out_of_scope"
    assert not Candidacy.objects.exists() and not AuditEvent.objects.exists()


def test_precinct_staff_may_not_change_the_registry(clerk35, contest, nomination_time):
    with pytest.raises(Exception) as excinfo:
        nominate(clerk35, contest)
    assert error_code(excinfo) == "not_territorial_staff"


def test_user_without_a_seat_is_refused(contest, nomination_time, django_user_model):
    user = django_user_model.objects.create_user("nobody", password="x", is_staff=True)
    with pytest.raises(Exception) as excinfo:
        nominate(user, contest)
    assert error_code(excinfo) == "not_territorial_staff"


def test_district_commission_acts_in_its_district(units, contest):
    user = f.user_with_seat("tec-d", "district", units["35-d"])
    with clock.frozen(f.at(NOMINATION_END, 12)):
        assert nominate(user, contest).status == S.NOMINATED


@pytest.mark.parametrize(
    ("moment", "allowed"),
    [
        (f.at(NOMINATION_END, 17, 59, 59), True),
        (f.at(NOMINATION_END, 18, 0, 0), False),
        (f.at(NOMINATION_END, 12).astimezone(datetime.UTC).replace(hour=12, minute=30), False),  # 18:30 Almaty
        (f.at(NOMINATION_END + datetime.timedelta(days=1), 9), False),
    ],
)
def test_nomination_closes_at_18_00_local_time(tec35, contest, moment, allowed):
    with clock.frozen(moment):
        if allowed:
            assert nominate(tec35, contest).status == S.NOMINATED
        else:
            with pytest.raises(Exception) as excinfo:
                nominate(tec35, contest)
            assert error_code(excinfo) == "nomination_deadline_passed"
            assert not Candidacy.objects.exists()


def test_deadline_is_local_time_not_utc(tec35, contest):
    # 17:30 in Almaty is 11:30 or 12:30 UTC: before the cut-off whatever the server's zone.
    with clock.frozen(f.at(NOMINATION_END, 17, 30).astimezone(datetime.UTC)):
        assert nominate(tec35, contest).status == S.NOMINATED


def test_nomination_closed_when_the_election_is_past_registration(tec35, contest, election, nomination_time):
    Election.objects.filter(pk=election.pk).update(status=Election.Status.CAMPAIGN)
    with pytest.raises(Exception) as excinfo:
        nominate(tec35, contest)
    assert error_code(excinfo) == "election_wrong_state"


def test_unit_of_the_wrong_kind_is_refused(tec35, units, election, nomination_time):
    district_contest = f.contest(election, units["35-d"])
    with pytest.raises(Exception) as excinfo:
        nominate(tec35, district_contest)
    assert error_code(excinfo) == "unit_kind_mismatch"


def test_nomination_writes_an_audit_record(tec35, contest, nomination_time):
    candidacy = nominate(tec35, contest)
    event = AuditEvent.objects.for_object(candidacy).get()
    assert (event.action, event.to_state, event.actor_name) == ("registry.nominate", "nominated", "tec35")
    assert candidacy.signatures_required == 16  # 1% of 1501, rounded up
    assert candidacy.election_id == contest.election_id
    assert candidacy.nominated_on == datetime.date(2021, 7, 1)
    assert "iin" not in str(event.data).lower()


# --- registration ----------------------------------------------------------------------------------


@pytest.fixture
def nominated(tec35, contest, nomination_time):
    return nominate(tec35, contest)


def test_register_refuses_an_ineligible_candidate_with_every_reason(tec35, contest, nomination_time):
    person = f.person(qualification="failed")
    candidacy = nominate(tec35, contest, person, signatures_valid=3, deposit_paid=False)
    before = snapshot(candidacy)
    with pytest.raises(Exception) as excinfo:
        services.register(tec35, candidacy)
    assert error_code(excinfo) == "not_eligible"
    assert [x["code"] for x in excinfo.value.details["failures"]] == [
        "qualification_not_passed",
        "signatures_insufficient",
        "deposit_not_paid",
    ]
    assert snapshot(candidacy) == before


def test_term_limit_counts_terms_in_the_same_post(tec35, contest, units, nomination_time):
    person = f.person()
    for start in (2013, 2017):
        offices.open_term_of_office(
            None,
            person=person,
            unit=contest.unit,
            office_type="rural_district",
            started_on=datetime.date(start, 8, 1),
            ended_on=datetime.date(start + 4, 7, 31),
        )
    offices.open_term_of_office(
        None, person=person, unit=units["35-rd2"], office_type="rural_district", started_on=datetime.date(2009, 8, 1)
    )
    candidacy = nominate(tec35, contest, person)
    with pytest.raises(Exception) as excinfo:
        services.register(tec35, candidacy)
    assert [x["code"] for x in excinfo.value.details["failures"]] == ["term_limit_reached"]


def test_register_then_audit(tec35, nominated):
    services.register(tec35, nominated)
    nominated.refresh_from_db()
    assert nominated.status == S.REGISTERED
    assert nominated.decided_on == datetime.date(2021, 7, 1)
    actions = list(
        AuditEvent.objects.for_object(nominated).order_by("id").values_list("action", "from_state", "to_state")
    )
    assert actions == [("registry.nominate", "", "nominated"), ("registry.register", "nominated", "registered")]


def test_register_outside_territory(tec39, nominated):
    before = snapshot(nominated)
    with pytest.raises(Exception) as excinfo:
        services.register(tec39, nominated)
    assert error_code(excinfo) == "out_of_scope"
    assert snapshot(nominated) == before


@pytest.mark.parametrize(("hour", "minute", "second", "allowed"), [(17, 59, 59, True), (18, 0, 0, False)])
def test_registration_closes_at_18_00_local_on_e_minus_11(tec35, nominated, hour, minute, second, allowed):
    with clock.frozen(f.at(REGISTRATION_END, hour, minute, second)):
        if allowed:
            assert services.register(tec35, nominated).status == S.REGISTERED
        else:
            with pytest.raises(Exception) as excinfo:
                services.register(tec35, nominated)
            assert error_code(excinfo) == "registration_deadline_passed"
            assert snapshot(nominated)[0] == S.NOMINATED


@pytest.mark.parametrize("status", [S.REGISTERED, S.REFUSED, S.WITHDRAWN, S.DEREGISTERED])
def test_register_from_a_wrong_state(tec35, nominated, status):
    Candidacy.objects.filter(pk=nominated.pk).update(status=status)
    with pytest.raises(Exception) as excinfo:
        services.register(tec35, nominated)
    assert error_code(excinfo) == "candidacy_wrong_state"
    assert snapshot(nominated)[0] == status


def test_refuse_with_the_failed_rules_as_reason(tec35, contest, nomination_time):
    candidacy = nominate(tec35, contest, f.person(education="vocational"))
    services.refuse(tec35, candidacy)
    candidacy.refresh_from_db()
    assert candidacy.status == S.REFUSED
    # The failed requirements are the reason, as codes and values: no text is stored.
    assert candidacy.reason == ""
    assert candidacy.reason_failures == [
        {"code": "education_below_minimum", "values": {"education": "vocational", "min_education": "higher"}}
    ]
    event = AuditEvent.objects.for_object(candidacy).latest("id")
    assert event.action == "registry.refuse"
    assert event.reason == ""
    assert event.data["failures"] == candidacy.reason_failures


def test_refusing_an_eligible_candidate_needs_a_reason(tec35, nominated):
    with pytest.raises(Exception) as excinfo:
        services.refuse(tec35, nominated)
    assert error_code(excinfo) == "reason_required"
    assert snapshot(nominated)[0] == S.NOMINATED
    services.refuse(tec35, nominated, reason="Documents forged")
    assert snapshot(nominated)[0] == S.REFUSED


@pytest.mark.parametrize("status", [S.REGISTERED, S.REFUSED, S.WITHDRAWN])
def test_refuse_from_a_wrong_state(tec35, nominated, status):
    Candidacy.objects.filter(pk=nominated.pk).update(status=status)
    with pytest.raises(Exception) as excinfo:
        services.refuse(tec35, nominated, reason="x")
    assert error_code(excinfo) == "candidacy_wrong_state"


def test_refuse_after_the_deadline_and_outside_territory(tec35, tec39, nominated):
    with pytest.raises(Exception) as excinfo:
        services.refuse(tec39, nominated, reason="x")
    assert error_code(excinfo) == "out_of_scope"
    with clock.frozen(f.at(REGISTRATION_END, 18)), pytest.raises(Exception) as excinfo:
        services.refuse(tec35, nominated, reason="x")
    assert error_code(excinfo) == "registration_deadline_passed"
    assert snapshot(nominated)[0] == S.NOMINATED


# --- withdrawal and deregistration -----------------------------------------------------------------


def test_withdraw_from_nominated_and_from_registered(tec35, contest, nomination_time):
    a, b = nominate(tec35, contest), nominate(tec35, contest)
    services.register(tec35, b)
    services.withdraw(tec35, a, reason="statement")
    services.withdraw(tec35, b)
    assert snapshot(a)[0] == S.WITHDRAWN and snapshot(b)[0] == S.WITHDRAWN
    assert AuditEvent.objects.for_object(b).latest("id").from_state == S.REGISTERED


@pytest.mark.parametrize("status", [S.REFUSED, S.WITHDRAWN, S.DEREGISTERED])
def test_withdraw_from_a_wrong_state(tec35, nominated, status):
    Candidacy.objects.filter(pk=nominated.pk).update(status=status)
    with pytest.raises(Exception) as excinfo:
        services.withdraw(tec35, nominated)
    assert error_code(excinfo) == "candidacy_wrong_state"


def test_withdraw_deadline_is_18_00_on_the_eve(tec35, nominated, election):
    Election.objects.filter(pk=election.pk).update(status=Election.Status.CAMPAIGN)
    with clock.frozen(f.at(E - datetime.timedelta(days=1), 18)), pytest.raises(Exception) as excinfo:
        services.withdraw(tec35, nominated)
    assert error_code(excinfo) == "withdrawal_deadline_passed"
    with clock.frozen(f.at(E - datetime.timedelta(days=1), 17, 59)):
        services.withdraw(tec35, nominated)
    assert snapshot(nominated)[0] == S.WITHDRAWN


def test_withdraw_outside_territory(tec39, nominated):
    with pytest.raises(Exception) as excinfo:
        services.withdraw(tec39, nominated)
    assert error_code(excinfo) == "out_of_scope"


def test_deregister_needs_registered_state_and_a_reason(tec35, tec39, nominated):
    with pytest.raises(Exception) as excinfo:
        services.deregister(tec35, nominated, reason="x")
    assert error_code(excinfo) == "candidacy_wrong_state"
    services.register(tec35, nominated)
    with pytest.raises(Exception) as excinfo:
        services.deregister(tec35, nominated, reason="  ")
    assert error_code(excinfo) == "reason_required"
    with pytest.raises(Exception) as excinfo:
        services.deregister(tec39, nominated, reason="x")
    assert error_code(excinfo) == "out_of_scope"
    assert snapshot(nominated)[0] == S.REGISTERED
    services.deregister(tec35, nominated, reason="Bribing voters")
    assert snapshot(nominated)[0] == S.DEREGISTERED
    event = AuditEvent.objects.for_object(nominated).latest("id")
    assert (event.action, event.from_state, event.to_state, event.reason) == (
        "registry.deregister",
        "registered",
        "deregistered",
        "Bribing voters",
    )


def test_deregister_after_the_deadline(tec35, nominated, election):
    services.register(tec35, nominated)
    Election.objects.filter(pk=election.pk).update(status=Election.Status.CAMPAIGN)
    with clock.frozen(f.at(E, 8)), pytest.raises(Exception) as excinfo:
        services.deregister(tec35, nominated, reason="x")
    assert error_code(excinfo) == "withdrawal_deadline_passed"


def test_update_documents_then_register(tec35, contest, nomination_time):
    candidacy = nominate(tec35, contest, signatures_valid=0, signatures_submitted=0, deposit_paid=False)
    services.update_documents(tec35, candidacy, signatures_submitted=20, signatures_valid=16, deposit_paid=True)
    candidacy.refresh_from_db()
    assert candidacy.deposit_amount == 42500
    assert services.register(tec35, candidacy).status == S.REGISTERED
    with pytest.raises(Exception) as excinfo:
        services.update_documents(tec35, candidacy, signatures_valid=1)
    assert error_code(excinfo) == "candidacy_wrong_state"


# --- nomination extension --------------------------------------------------------------------------


def test_extend_nomination(tec35, tec39, contest, election):
    with clock.frozen(f.at(NOMINATION_END, 12)):
        nominate(tec35, contest)
        with pytest.raises(Exception) as excinfo:
            services.extend_nomination(tec35, contest)
        assert error_code(excinfo) == "nomination_still_open"
    with clock.frozen(f.at(NOMINATION_END + datetime.timedelta(days=1), 10)):
        with pytest.raises(Exception) as excinfo:
            nominate(tec35, contest)
        assert error_code(excinfo) == "nomination_deadline_passed"
        with pytest.raises(Exception) as excinfo:
            services.extend_nomination(tec39, contest)
        assert error_code(excinfo) == "out_of_scope"
        services.extend_nomination(tec35, contest, reason="one candidate")
        contest.refresh_from_db()
        assert contest.nomination_extended_until == datetime.date(2021, 7, 14)
        assert contest.status == "nomination_extended"
        with pytest.raises(Exception) as excinfo:
            services.extend_nomination(tec35, contest)
        assert error_code(excinfo) == "nomination_already_extended"
        # Nomination is open again in this contest, until 18:00 on the new day.
        assert nominate(tec35, contest).status == S.NOMINATED
    with clock.frozen(f.at(datetime.date(2021, 7, 14), 18)), pytest.raises(Exception) as excinfo:
        nominate(tec35, contest)
    assert error_code(excinfo) == "nomination_deadline_passed"


def test_extension_not_needed_with_enough_candidates(tec35, contest):
    with clock.frozen(f.at(NOMINATION_END, 12)):
        nominate(tec35, contest)
        nominate(tec35, contest)
    with clock.frozen(f.at(NOMINATION_END, 18)), pytest.raises(Exception) as excinfo:
        services.extend_nomination(tec35, contest)
    assert error_code(excinfo) == "extension_not_needed"
    contest.refresh_from_db()
    assert contest.nomination_extended_until is None


# --- contests and election stages ------------------------------------------------------------------


def test_create_contests_is_idempotent_and_scoped(tec35, tec39, units, election, nomination_time):
    with pytest.raises(Exception) as excinfo:
        services.create_contests(tec39, election, under=units["35"])
    assert error_code(excinfo) == "out_of_scope"
    assert services.create_contests(tec35, election, under=units["35"]) == (2, 0)
    assert services.create_contests(tec35, election, under=units["35-d"]) == (0, 2)
    contest = election.contests.get(unit=units["35-rd2"])
    assert contest.registered_voters == 1502
    assert AuditEvent.objects.filter(action="registry.create_contest").count() == 2


def test_advance_election_in_order_and_by_the_cec_only(tec35, cec, election):
    with clock.frozen(f.at(NOMINATION_END, 19)):
        with pytest.raises(Exception) as excinfo:
            services.advance_election(tec35, election, Election.Status.REGISTRATION)
        assert error_code(excinfo) == "cec_only"
        with pytest.raises(Exception) as excinfo:
            services.advance_election(cec, election, Election.Status.CAMPAIGN)
        assert error_code(excinfo) == "election_wrong_state"
        services.advance_election(cec, election, Election.Status.REGISTRATION)
        with pytest.raises(Exception) as excinfo:
            services.advance_election(cec, election, Election.Status.CAMPAIGN)
        assert error_code(excinfo) == "election_stage_too_early"
    election.refresh_from_db()
    assert election.status == Election.Status.REGISTRATION


def test_unknown_nomination_type_is_refused(tec35, contest, nomination_time):
    with pytest.raises(Exception) as excinfo:
        nominate(tec35, contest, nomination_type="bogus")
    assert error_code(excinfo) == "bad_nomination_type"
    assert not Candidacy.objects.exists()


def test_more_valid_signatures_than_submitted_is_refused(tec35, nominated):
    with pytest.raises(Exception) as excinfo:
        services.update_documents(tec35, nominated, signatures_submitted=5, signatures_valid=6)
    assert error_code(excinfo) == "signatures_valid_exceed_submitted"
    nominated.refresh_from_db()
    assert (nominated.signatures_submitted, nominated.signatures_valid) == (20, 20)
