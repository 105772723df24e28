"""The office register in the admin: office-holders scoped by territory, filters, the unit's
history, the accountability timeline, and the forms that go through the services (a refusal shows
the rule that failed and writes nothing). Query counts do not grow with the list."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import clock
from core.models import AuditEvent
from registry.models import Election, MaslikhatReport, NoConfidenceVote, TermOfOffice
from registry.offices import services as offices

from . import factories as f

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
LIST = "admin:registry_termofoffice_changelist"
d = datetime.date
TERM_START = d(2021, 8, 2)


@pytest.fixture
def in_2023():
    with clock.frozen(f.at(d(2023, 5, 2), 10)) as moment:
        yield moment


@pytest.fixture
def terms(units, in_2023):
    election = f.election(status=Election.Status.RESULTS_ESTABLISHED, results_established_on=d(2021, 7, 27))

    def term(unit, **kw):
        return offices.open_term_of_office(
            None,
            person=f.person(),
            unit=unit,
            office_type="rural_district",
            started_on=TERM_START,
            election=election,
            **kw,
        )

    old = offices.open_term_of_office(
        None,
        person=f.person(surname="Former"),
        unit=units["35-rd1"],
        office_type="rural_district",
        started_on=d(2017, 8, 1),
        ended_on=d(2021, 8, 1),
    )
    ours = term(units["35-rd1"])
    ended = term(units["35-rd2"])
    offices.terminate_term(None, ended, reason="resignation", ended_on=d(2022, 5, 1))
    theirs = term(units["39-rd1"])
    return {"old": old, "ours": ours, "ended": ended, "theirs": theirs}


def listed(response):
    return {t.pk for t in response.context["cl"].result_list}


def test_clerk_gets_no_admin(client, clerk35, terms):
    client.force_login(clerk35)
    assert client.get(reverse(LIST)).status_code == 302


def test_tec_sees_only_its_territory(client, tec35, terms):
    client.force_login(tec35)
    response = client.get(reverse(LIST), **EN)
    assert listed(response) == {terms["old"].pk, terms["ours"].pk, terms["ended"].pk}
    url = reverse("admin:registry_termofoffice_change", args=[terms["theirs"].pk])
    assert client.get(url).status_code in (302, 403, 404)
    form = reverse("admin:registry_termofoffice_report", args=[terms["theirs"].pk])
    assert (
        client.post(form, {"reported_on": "2022-03-01", "approved": "no", "decision_reference": "x"}).status_code == 404
    )
    assert not MaslikhatReport.objects.exists()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("in_office=yes", {"ours", "theirs"}),
        ("in_office=no", {"old", "ended"}),
        ("end_reason=resignation", {"ended"}),
        ("end_reason=completed", {"old"}),
        ("office_type=rural_district", {"old", "ours", "ended", "theirs"}),
        ("office_type=village", set()),
    ],
)
def test_filters(client, cec, terms, query, expected):
    client.force_login(cec)
    response = client.get(reverse(LIST) + "?" + query, **EN)
    assert response.status_code == 200
    assert listed(response) == {terms[k].pk for k in expected}


def test_region_district_and_term_number_filters(client, cec, units, terms, in_2023):
    client.force_login(cec)
    by_region = client.get(reverse(LIST) + f"?region={units['39'].pk}", **EN)
    assert listed(by_region) == {terms["theirs"].pk}
    by_district = client.get(reverse(LIST) + f"?district={units['35-d'].pk}", **EN)
    assert listed(by_district) == {terms["old"].pk, terms["ours"].pk, terms["ended"].pk}
    offices.complete_term(None, terms["theirs"], ended_on=d(2022, 1, 1))
    again = offices.open_term_of_office(
        None,
        person=terms["theirs"].person,
        unit=units["39-rd1"],
        office_type="rural_district",
        started_on=d(2022, 1, 2),
    )
    second = client.get(reverse(LIST) + "?term_number=2", **EN)
    assert listed(second) == {again.pk}


def test_unit_history_link_lists_every_akim_of_the_unit(client, cec, units, terms):
    client.force_login(cec)
    response = client.get(reverse(LIST) + f"?unit__id__exact={units['35-rd1'].pk}", **EN)
    assert listed(response) == {terms["old"].pk, terms["ours"].pk}


def test_list_queries_do_not_grow_with_rows(client, cec, units, terms, in_2023):
    client.force_login(cec)
    client.get(reverse(LIST), **EN)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(LIST), **EN)
    for n in range(6):
        unit = f.unit(f"3920{n + 3}0000"[:6] + "000", "rural_district", units["39-d"])
        offices.open_term_of_office(
            None, person=f.person(), unit=unit, office_type="rural_district", started_on=d(2021, 8, 2)
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse(LIST), **EN)
    assert len(response.context["cl"].result_list) == 10
    assert len(many) == len(few)


def test_term_page_shows_the_accountability_timeline(client, tec35, terms):
    ours = terms["ours"]
    offices.record_report(None, ours, reported_on=d(2022, 3, 1), approved=False, decision_reference="№ 12/7")
    offices.record_initiative(None, ours, submitted_on=d(2022, 11, 1), signatures=412, outcome="registered")
    client.force_login(tec35)
    page = client.get(reverse("admin:registry_termofoffice_change", args=[ours.pk]), **EN).content.decode()
    assert page.count('class="timeline-row"') == 3
    assert "№ 12/7" in page and "412 signatures" in page
    assert reverse("admin:registry_termofoffice_no_confidence", args=[ours.pk]) in page
    assert "Former" in page  # the unit's history


def test_report_form_records_through_the_service(client, tec35, terms):
    client.force_login(tec35)
    url = reverse("admin:registry_termofoffice_report", args=[terms["ours"].pk])
    response = client.post(url, {"reported_on": "2022-03-01", "approved": "no", "decision_reference": "№ 3"}, **EN)
    assert response.status_code == 302
    report = MaslikhatReport.objects.get()
    assert (report.approved, report.term) == (False, terms["ours"])
    assert AuditEvent.objects.for_object(report).get().actor_name == "tec35"


def test_no_confidence_form_without_grounds_shows_the_failed_rules_and_writes_nothing(client, tec35, terms):
    ours = terms["ours"]
    offices.record_report(None, ours, reported_on=d(2022, 3, 1), approved=False, decision_reference="№ 1")
    client.force_login(tec35)
    url = reverse("admin:registry_termofoffice_no_confidence", args=[ours.pk])
    events = AuditEvent.objects.count()
    values = {
        "held_on": "2023-04-20",
        "votes_for": "9",
        "votes_against": "3",
        "outcome": "passed",
        "decision_reference": "№ 22/1",
    }
    response = client.post(url, values, **EN)
    assert response.status_code == 200
    page = response.content.decode()
    assert "no_confidence_without_grounds" in page and "1 report(s) not approved" in page
    assert not NoConfidenceVote.objects.exists()
    assert AuditEvent.objects.count() == events
    ours.refresh_from_db()
    assert ours.in_office

    offices.record_report(None, ours, reported_on=d(2023, 3, 1), approved=False, decision_reference="№ 2")
    assert client.post(url, values, **EN).status_code == 302
    ours.refresh_from_db()
    assert (ours.end_reason, ours.by_election.kind) == ("no_confidence", "by_election")


def test_terminate_form(client, tec35, terms):
    client.force_login(tec35)
    url = reverse("admin:registry_termofoffice_terminate", args=[terms["ours"].pk])
    response = client.post(url, {"reason": "other", "ended_on": "2023-01-10"}, **EN)
    assert "end_reason_text_required" in response.content.decode()
    assert TermOfOffice.objects.get(pk=terms["ours"].pk).in_office
    response = client.post(url, {"reason": "death", "ended_on": "2023-01-10", "decision_reference": "№ 9"}, **EN)
    assert response.status_code == 302
    term = TermOfOffice.objects.get(pk=terms["ours"].pk)
    assert (term.end_reason, term.by_election.election_day) == ("death", d(2023, 3, 21))
    # an ended term offers no forms any more
    page = client.get(reverse("admin:registry_termofoffice_change", args=[term.pk]), **EN).content.decode()
    assert url not in page


def test_prior_term_form_goes_through_the_service(client, tec35, units, terms):
    client.force_login(tec35)
    url = reverse("admin:registry_termofoffice_prior")
    assert url in client.get(reverse(LIST), **EN).content.decode()
    person = f.person(surname="Prior", residence_unit=units["35-rd1"])
    values = {
        "iin": person.iin,
        "surname": "Prior",
        "given_name": person.given_name,
        "unit_kato": units["35-rd1"].kato,
        "office_type": "rural_district",
    }
    # the unit has an akim in office: an open prior term is refused, nothing written
    before = TermOfOffice.objects.count()
    response = client.post(url, values | {"started_on": "2013-08-01"}, **EN)
    assert "unit_has_akim_in_office" in response.content.decode()
    # outside the territory
    response = client.post(url, values | {"unit_kato": units["39-rd2"].kato, "started_on": "2013-08-01"}, **EN)
    assert "out_of_scope" in response.content.decode()
    assert TermOfOffice.objects.count() == before
    response = client.post(url, values | {"started_on": "2009-08-01", "ended_on": "2013-07-31"}, **EN)
    assert response.status_code == 302
    prior = TermOfOffice.objects.get(person=person)
    assert (prior.ended_on, prior.end_reason, prior.planned_end_on) == (d(2013, 7, 31), "completed", d(2013, 8, 1))


def test_prior_term_form_finds_a_person_by_iin_and_name_in_the_territory_only(client, tec35, units, terms):
    """Issue 17, point 10: an IIN alone reveals no one; a person of another region is not found."""
    client.force_login(tec35)
    url = reverse("admin:registry_termofoffice_prior")
    ours = f.person(surname="Prior", residence_unit=units["35-rd1"])
    theirs = f.person(surname="Elsewhere", residence_unit=units["39-rd2"])
    base = {"unit_kato": units["35-rd1"].kato, "office_type": "rural_district", "started_on": "2009-08-01"}
    base["ended_on"] = "2013-07-31"
    before = TermOfOffice.objects.count()
    wrong_name = {"iin": ours.iin, "surname": "Other", "given_name": ours.given_name}
    assert "person_iin_not_matched" in client.post(url, base | wrong_name, **EN).content.decode()
    other_region = {"iin": theirs.iin, "surname": "Elsewhere", "given_name": theirs.given_name}
    page = client.post(url, base | other_region, **EN).content.decode()
    assert "person_iin_not_matched" in page and "Elsewhere" not in page.split("<form")[0]
    unknown = {"iin": f.make_iin(datetime.date(1970, 1, 2), "F"), "surname": "New", "given_name": "Person"}
    assert "person_not_found" in client.post(url, base | unknown, **EN).content.decode()
    assert TermOfOffice.objects.count() == before
    right = {"iin": ours.iin, "surname": " prior ", "given_name": ours.given_name}
    assert client.post(url, base | right, **EN).status_code == 302
    assert TermOfOffice.objects.filter(person=ours).count() == 1
