"""Bulk registration refusals, model invariants (IIN-derived fields), statistics on small data, the command."""

import datetime
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from core import clock
from core.models import AuditEvent
from registry import services, stats
from registry.models import Candidacy, Election, Person
from registry.offices import services as offices

from . import factories as f

pytestmark = pytest.mark.django_db


def nominated(contest, **kw):
    kw.setdefault("signatures_submitted", 20)
    kw.setdefault("signatures_valid", 20)
    kw.setdefault("deposit_paid", True)
    return services.nominate(
        None, contest=contest, person=kw.pop("person", None) or f.person(), nomination_type="self", **kw
    )


def test_register_many_registers_the_eligible_and_reports_the_rest(tec35, contest, other_contest, nomination_time):
    ok = nominated(contest)
    poor = nominated(contest, deposit_paid=False)
    elsewhere = nominated(other_contest)
    done = nominated(contest)
    services.register(None, done)
    outcome = services.register_many(tec35, [ok, poor, elsewhere, done])
    assert outcome["registered"] == [ok.pk]
    codes = {r["candidacy"]: r["code"] for r in outcome["not_registered"]}
    assert codes == {poor.pk: "not_eligible", elsewhere.pk: "out_of_scope", done.pk: "candidacy_wrong_state"}
    assert Candidacy.objects.get(pk=poor.pk).status == "nominated"
    assert AuditEvent.objects.filter(action="registry.register").count() == 2


def test_register_many_writes_the_registered_rows_with_one_update(tec35, contest, nomination_time):
    """The rows share their new values: one UPDATE for them all, not a CASE WHEN per row (bulk_update)."""
    rows = [nominated(contest), nominated(contest), nominated(contest)]
    with CaptureQueriesContext(connection) as queries:
        outcome = services.register_many(tec35, rows)
    assert sorted(outcome["registered"]) == sorted(c.pk for c in rows)
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "registry_candidacy"')]
    assert len(updates) == 1 and "CASE" not in updates[0]
    fresh = Candidacy.objects.filter(pk__in=[c.pk for c in rows])
    assert {(c.status, c.reason, tuple(c.reason_failures)) for c in fresh} == {("registered", "", ())}
    assert len({c.decided_on for c in fresh}) == 1 and fresh[0].decided_on is not None


def test_register_many_after_the_deadline(contest, nomination_time):
    candidacy = nominated(contest)
    with clock.frozen(f.at(datetime.date(2021, 7, 14), 18)):
        outcome = services.register_many(None, [candidacy])
    assert outcome["registered"] == []
    assert outcome["not_registered"][0]["code"] == "registration_deadline_passed"


def test_person_birth_date_and_sex_come_from_the_iin():
    person = f.person(birth_date=datetime.date(1990, 12, 31), sex="F")
    assert (person.birth_date, person.sex) == (datetime.date(1990, 12, 31), "F")
    bad = Person(iin="900101300000", surname="X", given_name="Y", education="higher")
    with pytest.raises(ValidationError) as excinfo:
        bad.full_clean()
    assert "iin" in excinfo.value.message_dict
    with pytest.raises(ValueError):
        bad.save()


def test_iin_is_unique():
    person = f.person()
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(iin=person.iin, surname="Z", given_name="Z", education="higher")


def test_election_rules_constraints():
    with pytest.raises(IntegrityError), transaction.atomic():
        f.election(against_all=False, against_all_effect="invalidates_if_leads")
    with pytest.raises(IntegrityError), transaction.atomic():
        f.election(nomination_end_offset_days=-5, registration_end_offset_days=-11)


def test_deadlines_come_from_the_rules():
    election = f.election(cutoff_time=datetime.time(17, 0), nomination_end_offset_days=-20)
    assert election.nomination_deadline == f.at(datetime.date(2021, 7, 5), 17)
    assert election.registration_deadline == f.at(datetime.date(2021, 7, 14), 17)
    assert election.deposit_amount == 42500


def test_open_term_of_office_is_scoped(tec39, units):
    person = f.person()
    with pytest.raises(Exception) as excinfo:
        offices.open_term_of_office(
            tec39,
            person=person,
            unit=units["35-rd1"],
            office_type="rural_district",
            started_on=datetime.date(2021, 8, 1),
        )
    assert excinfo.value.code == "out_of_scope"
    assert not person.terms.exists()


def test_create_contests_of_another_kind_is_refused(units, election, nomination_time):
    with pytest.raises(Exception) as excinfo:
        services.create_contests(None, election, under=units["35"], kind="village")
    assert excinfo.value.code == "unit_kind_mismatch"


def test_stats_on_small_data(contest, other_contest, nomination_time):
    a = nominated(contest, person=f.person(birth_date=datetime.date(1996, 7, 25)))
    b = nominated(contest, person=f.person(birth_date=datetime.date(1970, 7, 26), sex="F"))
    nominated(other_contest)  # not registered: not counted
    services.register(None, a)
    services.register(None, b)
    figures = stats.election_stats(contest.election)
    assert figures["registered"] == 2 and figures["self_nominated_percent"] == 100.0
    region = figures["by_region"]["35"]
    # 25 exactly on election day; 50 until the next day.
    assert (region["youngest"], region["oldest"], region["average_age"]) == (25, 50, 37.5)
    assert (region["men"], region["women"]) == (1, 1)
    assert figures["by_region"]["39"]["registered"] == 0
    assert figures["contests_with_fewer_than_two"] == 1


def test_shares_are_core_percent_to_one_place_as_numbers():
    assert stats._share(1419, 2297) == 61.8
    assert stats._share(878, 2297) == 38.2
    assert stats._share(1, 8) == 12.5
    assert stats._share(1, 0) == 0.0  # no registered candidates: a number, not null


def test_registry_stats_command(election):
    with pytest.raises(CommandError):
        call_command("registry_stats", election=election.pk + 100)
    out = io.StringIO()
    call_command("registry_stats", election=election.pk, json=True, stdout=out)
    assert json.loads(out.getvalue())["registered"] == 0
    out = io.StringIO()
    call_command("registry_stats", election=election.pk, stdout=out)
    assert "registered candidates: 0" in out.getvalue()


def test_election_stage_checks_for_candidacy_changes(contest, election, nomination_time):
    candidacy = nominated(contest)
    Election.objects.filter(pk=election.pk).update(status=Election.Status.VOTING)
    for call in (
        lambda: services.register(None, candidacy),
        lambda: services.withdraw(None, candidacy),
        lambda: services.refuse(None, candidacy, reason="x"),
    ):
        with pytest.raises(Exception) as excinfo:
            call()
        assert excinfo.value.code == "election_wrong_state"
    assert Candidacy.objects.get(pk=candidacy.pk).status == "nominated"
