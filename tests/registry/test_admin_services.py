"""The services the registry admin calls: nominate a person (found or entered), advance to the next stage,
save an election's rules, save a party; each writes its audit record, each refuses the wrong actor."""

import datetime

import pytest
from django.urls import reverse

from core.errors import DomainError
from core.models import AuditEvent
from registry import selectors, services
from registry.models import Candidacy, Election, Party, Person

from . import factories as f

pytestmark = pytest.mark.django_db

PERSON = {
    "surname": "Жанов",
    "given_name": "Асхат",
    "education": "higher",
    "qualification": "passed",
    "qualification_checked_on": datetime.date(2021, 7, 1),
}


def _nominate(actor, contest, iin, **extra):
    return services.nominate_person(
        actor,
        contest=contest,
        iin=iin,
        person_fields=PERSON,
        nomination_type="self",
        signatures_submitted=20,
        signatures_valid=20,
        deposit_paid=True,
        **extra,
    )


def test_nominate_person_enters_a_new_person_and_nominates_in_one_go(tec35, contest, nomination_time):
    iin = f.make_iin(datetime.date(1980, 5, 5))
    candidacy = _nominate(tec35, contest, iin)
    assert (candidacy.person.iin, candidacy.person.residence_unit, candidacy.status) == (iin, contest.unit, "nominated")
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["registry.create_person", "registry.nominate"]


def test_nominate_person_reuses_the_person_the_registry_knows(tec35, contest, nomination_time):
    known = f.person(surname="ЖАНОВ ", given_name="асхат", residence_unit=contest.unit, education="secondary")
    candidacy = _nominate(tec35, contest, known.iin)  # the same name, in other letter case
    assert candidacy.person == known
    assert Person.objects.filter(iin=known.iin).count() == 1
    # the form's other fields do not overwrite the record
    assert Person.objects.get(pk=known.pk).education == "secondary"
    assert not AuditEvent.objects.filter(action="registry.create_person").exists()


def test_a_refused_nomination_leaves_no_new_person(tec39, contest, nomination_time):
    iin = f.make_iin(datetime.date(1980, 5, 6))
    with pytest.raises(DomainError) as caught:
        _nominate(tec39, contest, iin)  # the contest lies outside region 39
    assert caught.value.code == "out_of_scope"
    assert not Person.objects.filter(iin=iin).exists()
    assert not Candidacy.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_nomination_refused_for_eligibility_leaves_no_new_person(tec35, contest, nomination_time):
    iin = f.make_iin(datetime.date(1996, 7, 26))  # 24 on election day: one day short
    with pytest.raises(DomainError) as caught:
        _nominate(tec35, contest, iin)
    assert caught.value.code == "not_eligible"
    assert not Person.objects.filter(iin=iin).exists()


def test_next_stage_at_both_ends():
    stages = list(Election.Status.values)
    assert selectors.next_stage(Election(status=stages[0])) == stages[1]
    assert selectors.next_stage(Election(status=stages[-2])) == stages[-1]
    assert selectors.next_stage(Election(status=stages[-1])) is None


def test_advance_to_next_stage_moves_one_stage(cec, election, nomination_time):
    assert election.status == Election.Status.NOMINATION
    services.advance_to_next_stage(cec, election)
    election.refresh_from_db()
    assert election.status == Election.Status.REGISTRATION
    event = AuditEvent.objects.get(action="registry.advance_election")
    assert (event.from_state, event.to_state) == ("nomination", "registration")


def test_a_closed_election_does_not_advance(cec, db):
    last = list(Election.Status.values)[-1]
    closed = f.election(status=last)
    with pytest.raises(DomainError) as caught:
        services.advance_to_next_stage(cec, closed)
    assert caught.value.code == "election_closed"
    assert str(caught.value.message) == "The election is closed."
    closed.refresh_from_db()
    assert closed.status == last
    assert not AuditEvent.objects.exists()


def test_only_the_cec_advances_an_election(tec35, election, nomination_time):
    with pytest.raises(DomainError) as caught:
        services.advance_to_next_stage(tec35, election)
    assert caught.value.code == "cec_only"
    election.refresh_from_db()
    assert election.status == Election.Status.NOMINATION


def test_save_election_rules_writes_and_audits(cec, election):
    election.term_years = 5
    services.save_election_rules(cec, election, changed=["term_years"])
    assert Election.objects.get(pk=election.pk).term_years == 5
    event = AuditEvent.objects.for_object(election).get()
    assert (event.action, event.actor, event.data["changed"]) == (
        "admin.registry.election.changed",
        cec,
        ["term_years"],
    )


def test_save_election_rules_refuses_territorial_staff_and_a_status_change(cec, tec35, election):
    election.term_years = 9
    with pytest.raises(DomainError) as caught:
        services.save_election_rules(tec35, election, changed=["term_years"])
    assert caught.value.code == "cec_only"
    election.status = Election.Status.CAMPAIGN
    with pytest.raises(DomainError) as caught:
        services.save_election_rules(cec, election, changed=["status"])
    assert caught.value.code == "election_wrong_state"
    stored = Election.objects.get(pk=election.pk)
    assert (stored.status, stored.term_years) == (Election.Status.NOMINATION, 4)
    assert not AuditEvent.objects.exists()


def test_save_party_writes_and_audits_and_refuses_territorial_staff(cec, tec35):
    party = Party(name_kk="Жаңа", name_ru="Новая", short_name="Новая", registration_number="r-new")
    with pytest.raises(DomainError) as caught:
        services.save_party(tec35, party, changed=["short_name"])
    assert caught.value.code == "cec_only"
    assert not Party.objects.exists()
    services.save_party(cec, party, changed=["short_name"])
    event = AuditEvent.objects.for_object(party).get()
    assert (event.action, event.actor, event.data["changed"]) == ("admin.registry.party.added", cec, ["short_name"])


def test_the_admin_advances_through_the_service_and_reports_a_closed_election(client, cec, nomination_time):
    last = list(Election.Status.values)[-1]
    closed = f.election(status=last)
    client.force_login(cec)
    response = client.post(
        reverse("admin:registry_election_changelist"),
        {"action": "advance_selected", "_selected_action": [closed.pk]},
        follow=True,
    )
    assert "[election_closed]" in response.content.decode()
    closed.refresh_from_db()
    assert closed.status == last
