"""The registry admin through HTTP: scoping of lists, pages and actions; masked IINs; reports; query counts."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import clock
from core.models import AuditEvent
from registry import services
from registry.models import Candidacy, Contest

from . import factories as f

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
LIST = "admin:registry_candidacy_changelist"


@pytest.fixture
def world(units, election, contest, other_contest, tec35, tec39, cec, nomination_time):
    ours = [
        services.nominate(
            None,
            contest=contest,
            person=f.person(surname=f"Ours{i}"),
            nomination_type="self",
            signatures_submitted=20,
            signatures_valid=20,
            deposit_paid=True,
        )
        for i in range(3)
    ]
    theirs = services.nominate(
        None, contest=other_contest, person=f.person(surname="Theirs"), nomination_type="self", deposit_paid=True
    )
    return {"ours": ours, "theirs": theirs}


def listed(response):
    return {c.pk for c in response.context["cl"].result_list}


def test_clerk_gets_no_admin(client, clerk35, world):
    client.force_login(clerk35)
    assert client.get(reverse(LIST)).status_code == 302


def test_tec_lists_only_its_territory_and_cannot_open_the_rest(client, tec35, world):
    client.force_login(tec35)
    response = client.get(reverse(LIST), **EN)
    assert listed(response) == {c.pk for c in world["ours"]}
    url = reverse("admin:registry_candidacy_change", args=[world["theirs"].pk])
    assert client.get(url).status_code in (302, 403, 404)
    assert "Theirs" not in response.content.decode()


def test_cec_lists_everything(client, cec, world):
    client.force_login(cec)
    assert len(listed(client.get(reverse(LIST)))) == 4


def test_iin_is_masked_in_lists_and_search_works_on_the_mask(client, tec35, world):
    client.force_login(tec35)
    person = world["ours"][0].person
    page = client.get(reverse(LIST), **EN).content.decode()
    assert person.iin not in page
    assert person.masked_iin in page
    masked = person.iin[:2] + "*" * 8 + person.iin[-2:]
    assert world["ours"][0].pk in listed(client.get(reverse(LIST), {"q": masked}))
    assert listed(client.get(reverse(LIST), {"q": person.iin})) == {world["ours"][0].pk}
    # An IIN from outside the territory finds nothing.
    assert listed(client.get(reverse(LIST), {"q": world["theirs"].person.iin})) == set()
    assert listed(client.get(reverse(LIST), {"q": "Ours1"})) == {world["ours"][1].pk}
    people = client.get(reverse("admin:registry_person_changelist"), **EN).content.decode()
    assert person.iin not in people and person.masked_iin in people


def test_filters(client, cec, world, units):
    client.force_login(cec)
    region = units["35"]
    assert len(listed(client.get(reverse(LIST), {"region": region.pk}))) == 3
    assert len(listed(client.get(reverse(LIST), {"district": units["39-d"].pk}))) == 1
    contest = world["ours"][0].contest
    response = client.get(reverse(LIST), {"district": units["35-d"].pk, "contest": contest.pk})
    assert len(listed(response)) == 3
    assert len(listed(client.get(reverse(LIST), {"status__exact": "registered"}))) == 0
    assert len(listed(client.get(reverse(LIST), {"person__sex__exact": "F"}))) == 0
    assert len(listed(client.get(reverse(LIST), {"nomination_type__exact": "self"}))) == 4


def test_change_page_shows_the_eligibility_report_and_history(client, tec35, world):
    client.force_login(tec35)
    theirs_like = world["ours"][0]
    Candidacy.objects.filter(pk=theirs_like.pk).update(deposit_paid=False)
    page = client.get(reverse("admin:registry_candidacy_change", args=[theirs_like.pk]), **EN).content.decode()
    assert "deposit_not_paid" in page
    assert "registry.nominate" in page
    assert theirs_like.person.iin not in page


def test_register_action_reports_per_row_and_stays_in_territory(client, tec35, world):
    client.force_login(tec35)
    bad = world["ours"][1]
    Candidacy.objects.filter(pk=bad.pk).update(signatures_valid=0)
    ids = [c.pk for c in world["ours"]] + [world["theirs"].pk]
    response = client.post(reverse(LIST), {"action": "register_selected", "_selected_action": ids}, **EN)
    assert response.status_code == 302
    statuses = dict(Candidacy.objects.values_list("pk", "status"))
    assert statuses[world["ours"][0].pk] == "registered"
    assert statuses[world["ours"][2].pk] == "registered"
    assert statuses[bad.pk] == "nominated"
    assert statuses[world["theirs"].pk] == "nominated"  # outside the territory: not even selected
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("Registered: 2" in t for t in texts)
    assert any("not_eligible" in t and "signatures" in t for t in texts)


def test_deregister_action_asks_for_a_reason(client, tec35, world):
    client.force_login(tec35)
    target = world["ours"][0]
    services.register(tec35, target)
    data = {"action": "deregister_selected", "_selected_action": [target.pk]}
    page = client.post(reverse(LIST), data, **EN)
    assert page.status_code == 200 and "reason" in page.content.decode()
    page = client.post(reverse(LIST), {**data, "apply": "1", "reason": ""}, **EN)
    assert page.status_code == 200
    target.refresh_from_db()
    assert target.status == "registered"
    response = client.post(reverse(LIST), {**data, "apply": "1", "reason": "Bribery"}, **EN)
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.status, target.reason) == ("deregistered", "Bribery")


def test_refuse_action_uses_failed_rules_and_reports_eligible_rows(client, tec35, world):
    client.force_login(tec35)
    bad, good = world["ours"][0], world["ours"][1]
    Candidacy.objects.filter(pk=bad.pk).update(deposit_paid=False)
    data = {"action": "refuse_selected", "_selected_action": [bad.pk, good.pk], "apply": "1", "reason": ""}
    response = client.post(reverse(LIST), data, **EN)
    assert response.status_code == 302
    assert Candidacy.objects.get(pk=bad.pk).status == "refused"
    assert Candidacy.objects.get(pk=good.pk).status == "nominated"
    assert any("reason_required" in str(m) for m in get_messages(response.wsgi_request))


def test_candidacy_list_query_count_does_not_grow_with_rows(client, cec, world, contest):
    client.force_login(cec)
    client.get(reverse(LIST))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(LIST))
    for _ in range(10):
        services.nominate(None, contest=contest, person=f.person(), nomination_type="self")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse(LIST))
    assert len(many) == len(few)


def test_contest_list_counts_and_flags(client, tec35, world, contest, units):
    client.force_login(tec35)
    services.register(tec35, world["ours"][0])
    response = client.get(reverse("admin:registry_contest_changelist"), **EN)
    rows = list(response.context["cl"].result_list)
    assert [c.pk for c in rows] == [contest.pk]
    assert (rows[0].registered_count, rows[0].active_count) == (1, 3)
    assert 'alt="True"' in response.content.decode()  # the fewer-than-2 flag
    flagged = client.get(reverse("admin:registry_contest_changelist"), {"fewer_than_two": "yes"})
    assert listed(flagged) == {contest.pk}
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("admin:registry_contest_changelist"))
    district = units["35-d"]
    for n in range(3, 9):
        f.contest(world["ours"][0].election, f.unit(f"3520{n}0000"[:6] + "000", "rural_district", district))
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("admin:registry_contest_changelist"))
    assert len(response.context["cl"].result_list) == 7
    assert len(many) == len(few)


def test_create_contests_page_is_scoped_and_idempotent(client, tec35, units, election):
    client.force_login(tec35)
    url = reverse("admin:registry_election_create_contests", args=[election.pk])
    page = client.get(url, **EN)
    choices = {str(u.pk) for u in page.context["form"].fields["under"].queryset}
    assert str(units["39"].pk) not in choices and str(units["35"].pk) in choices
    response = client.post(url, {"under": units["39"].pk, "kind": "rural_district"}, **EN)
    assert response.status_code == 200 and not Contest.objects.filter(unit__region=units["39"]).exists()
    with clock.frozen(f.at(datetime.date(2021, 7, 1), 12)):
        response = client.post(url, {"under": units["35"].pk, "kind": "rural_district"}, **EN)
        assert response.status_code == 302
        client.post(url, {"under": units["35"].pk, "kind": "rural_district"}, **EN)
    assert Contest.objects.filter(election=election, unit__region=units["35"]).count() == 2


def test_import_page_shows_the_row_report_and_writes_nothing(client, tec35, election, contest, nomination_time):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(tec35)
    url = reverse("admin:registry_election_import", args=[election.pk])
    good_iin = f.make_iin(datetime.date(1980, 1, 1))
    csv = (
        "iin,surname,given_name,unit_kato,nomination_type,deposit_paid,education\n"
        f"{good_iin},A,B,352010000,self,yes,higher\n"
        "123,A,B,352010000,self,yes,higher\n"
    ).encode()
    before = Candidacy.objects.count()
    response = client.post(url, {"file": SimpleUploadedFile("n.csv", csv)}, **EN)
    assert response.status_code == 200
    assert "iin_length" in response.content.decode()
    assert Candidacy.objects.count() == before
    response = client.post(url, {"file": SimpleUploadedFile("n.csv", csv.rsplit(b"\n", 2)[0] + b"\n")}, **EN)
    assert response.status_code == 302
    assert Candidacy.objects.count() == before + 1


def test_stats_page(client, tec35, world, election):
    client.force_login(tec35)
    response = client.get(reverse("admin:registry_election_stats", args=[election.pk]), **EN)
    assert response.status_code == 200
    assert response.context["stats"]["contests"] == 2


def test_tec_cannot_change_elections(client, tec35, cec, election):
    client.force_login(tec35)
    url = reverse("admin:registry_election_change", args=[election.pk])
    response = client.post(url, {"name_ru": "hacked"})
    election.refresh_from_db()
    assert election.name_ru == "Выборы"
    assert response.status_code in (200, 302, 403)


def test_nominate_page_creates_the_person_and_the_candidacy_or_nothing(
    client, tec35, election, contest, other_contest, nomination_time
):
    client.force_login(tec35)
    url = reverse("admin:registry_election_nominate", args=[election.pk])
    page = client.get(url, **EN)
    assert {c.pk for c in page.context["form"].fields["contest"].queryset} == {contest.pk}
    iin = f.make_iin(datetime.date(1996, 7, 26))  # 24 on election day
    data = {
        "contest": contest.pk,
        "nomination_type": "self",
        "iin": iin,
        "surname": "Жанов",
        "given_name": "Асхат",
        "education": "higher",
        "qualification": "passed",
        "qualification_checked_on": "2021-07-01",
        "signatures_submitted": 20,
        "signatures_valid": 20,
        "deposit_paid": "on",
    }
    response = client.post(url, data, **EN)
    assert response.status_code == 200 and "not_eligible" in response.content.decode()
    from registry.models import Person

    assert not Person.objects.filter(iin=iin).exists()
    data["iin"] = f.make_iin(datetime.date(1996, 7, 25))
    response = client.post(url, data, **EN)
    assert response.status_code == 302
    candidacy = Candidacy.objects.get(person__iin=data["iin"])
    assert candidacy.person.birth_date == datetime.date(1996, 7, 25)
    event = AuditEvent.objects.get(action="registry.create_person")
    assert data["iin"] not in str(event.data)
    response = client.post(url, {**data, "contest": other_contest.pk}, **EN)
    assert response.status_code == 200  # outside the territory: not a valid choice


def test_create_contests_action_leads_to_the_form(client, tec35, election):
    client.force_login(tec35)
    response = client.post(
        reverse("admin:registry_election_changelist"),
        {"action": "create_contests_action", "_selected_action": [election.pk]},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:registry_election_create_contests", args=[election.pk])
