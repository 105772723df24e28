"""Issue 17, point 10: a person is found by IIN only together with the recorded name, and only in
the actor's territory. Typing another region's IIN neither reveals nor attaches that person."""

import datetime

import pytest
from django.urls import reverse

from core.models import AuditEvent
from registry import errors, importing, services
from registry.models import Candidacy, Person

from . import factories as f
from .test_import import csv_bytes, rejected, row

pytestmark = pytest.mark.django_db

PERSON = {"surname": "Сериков", "given_name": "Болат", "education": "higher", "qualification": "passed",
          "qualification_checked_on": datetime.date(2021, 7, 1)}  # fmt: skip


def _nominate(actor, contest, iin, **names):
    return services.nominate_person(
        actor,
        contest=contest,
        iin=iin,
        person_fields={**PERSON, **names},
        nomination_type="self",
        signatures_submitted=20,
        signatures_valid=20,
        deposit_paid=True,
    )


@pytest.fixture
def karaganda_person(units):
    """A person living in region 39 (outside tec35's territory)."""
    return f.person(surname="Қарағандыұлы", given_name="Серік", residence_unit=units["39-rd1"])


def _nothing_written(before_events=0):
    assert not Candidacy.objects.exists()
    assert AuditEvent.objects.count() == before_events


def test_another_regions_iin_with_its_right_name_is_neither_revealed_nor_attached(
    tec35, contest, karaganda_person, nomination_time
):
    with pytest.raises(errors.PersonNotMatched) as error:
        _nominate(tec35, contest, karaganda_person.iin, surname="Қарағандыұлы", given_name="Серік")
    assert error.value.code == "person_iin_not_matched"
    assert "Қарағандыұлы" not in str(error.value.message) and not error.value.details
    _nothing_written()
    assert Person.objects.count() == 1


def test_another_regions_iin_without_the_name_is_refused_the_same_way(
    tec35, contest, karaganda_person, nomination_time
):
    with pytest.raises(errors.PersonNotMatched):
        _nominate(tec35, contest, karaganda_person.iin)  # PERSON's name, not theirs
    _nothing_written()


def test_a_known_iin_in_the_territory_needs_the_recorded_name(tec35, contest, units, nomination_time):
    known = f.person(surname="Ерланов", given_name="Арман", residence_unit=units["35-rd2"])
    with pytest.raises(errors.PersonNotMatched):
        _nominate(tec35, contest, known.iin, surname="Ерланов", given_name="Асан")
    with pytest.raises(errors.PersonNotMatched):
        _nominate(tec35, contest, known.iin, surname="", given_name="")
    _nothing_written()
    candidacy = _nominate(tec35, contest, known.iin, surname=" ерланов", given_name="АРМАН ")
    assert candidacy.person == known


def test_a_person_in_the_territory_through_an_earlier_candidacy_is_found(tec35, contest, units, election):
    known = f.person(surname="Ёлкин", given_name="Марат")  # no residence recorded
    other = f.contest(election, units["35-rd2"])
    Candidacy.objects.create(
        person=known,
        contest=other,
        election=election,
        status="withdrawn",
        nominated_on=datetime.date(2021, 6, 20),
        nomination_type="self",
    )
    from core import clock

    with clock.frozen(f.at(f.E_DAY.replace(day=1), 12)):
        candidacy = _nominate(tec35, contest, known.iin, surname="Елкин", given_name="Марат")  # ё read as е
    assert candidacy.person == known


def test_the_cec_finds_anyone_but_only_with_the_name(cec, contest, karaganda_person, nomination_time):
    with pytest.raises(errors.PersonNotMatched):
        _nominate(cec, contest, karaganda_person.iin)
    candidacy = _nominate(cec, contest, karaganda_person.iin, surname="Қарағандыұлы", given_name="Серік")
    assert candidacy.person == karaganda_person


# --- the import --------------------------------------------------------------------------------


def test_import_refuses_another_regions_iin_and_a_wrong_name(setup_import, tec35, karaganda_person, units):
    home = f.person(surname="Ахметов", given_name="Ерлан", residence_unit=units["35-rd1"])
    rows = [
        row(birth=datetime.date(1981, 1, 1)),
        row(iin=karaganda_person.iin, surname="Қарағандыұлы", given_name="Серік"),
        row(iin=home.iin, surname="Ахметов", given_name="Асан"),
    ]
    with pytest.raises(errors.ImportRejected) as excinfo:
        importing.import_file(tec35, setup_import, csv_bytes(rows), "n.csv")
    assert rejected(excinfo) == {2: ["person_iin_not_matched"], 3: ["person_iin_not_matched"]}
    assert "Қарағандыұлы" not in str(excinfo.value.details)
    _nothing_written()
    report = importing.import_file(tec35, setup_import, csv_bytes([row(iin=home.iin)]), "n.csv")
    assert report[0]["status"] == "ok" and Candidacy.objects.get().person == home


def test_the_nominate_page_does_not_reveal_another_regions_person(
    client, tec35, election, contest, karaganda_person, nomination_time
):
    client.force_login(tec35)
    url = reverse("admin:registry_election_nominate", args=[election.pk])
    data = {
        "contest": contest.pk,
        "nomination_type": "self",
        "iin": karaganda_person.iin,
        "surname": "Кто-то",
        "given_name": "Иной",
        "education": "higher",
        "qualification": "passed",
        "qualification_checked_on": "2021-07-01",
        "signatures_submitted": 20,
        "signatures_valid": 20,
        "deposit_paid": "on",
    }
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 200 and "person_iin_not_matched" in page
    assert "Қарағандыұлы" not in page and "Серік" not in page
    assert not Candidacy.objects.exists()
    # the name is required now: an IIN alone is not a lookup
    response = client.post(url, {**data, "surname": "", "given_name": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and not Candidacy.objects.exists()
    assert response.context["form"].errors.keys() >= {"surname", "given_name"}


@pytest.fixture
def setup_import(units, election, contest, nomination_time):
    return election
