"""The 2021 demo through `registry_stats --json`: the published figures of docs/DOMAIN.md, "The demo election", exactly.

One module-scoped load (the territory demo and the registry demo), rolled back at the end."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.db import transaction

import devtools.demo.territory
from core.audit import verify_chain
from core.models import AuditEvent
from devtools.demo import registry as demo
from registry import iin
from registry.eligibility import age_on
from registry.models import Candidacy, Contest, Person


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        devtools.demo.territory.load(None)
        election = demo.load(io.StringIO())
        out = io.StringIO()
        call_command("registry_stats", election=election.pk, json=True, stdout=out)
        yield election, json.loads(out.getvalue())
        transaction.set_rollback(True)


@pytest.fixture
def stats(loaded, db):
    return loaded[1]


def test_national_figures(stats, loaded):
    assert stats["election"] == loaded[0].pk
    assert stats["contests"] == 730
    assert stats["registered"] == 2297
    assert (stats["self_nominated"], stats["self_nominated_percent"]) == (1419, 61.8)
    assert (stats["party_nominated"], stats["party_nominated_percent"]) == (878, 38.2)
    assert sum(stats["by_party"].values()) == 878
    assert set(stats["by_party"]) == {"Nur Otan", "Ak Zhol", "NPK", "Auyl", "Adal", "OSDP"}


def test_the_json_keys_are_exactly_the_documented_ones(stats):
    assert list(stats) == [
        "election",
        "contests",
        "registered",
        "self_nominated",
        "self_nominated_percent",
        "party_nominated",
        "party_nominated_percent",
        "by_party",
        "by_region",
        "contests_with_fewer_than_two",
    ]
    for region in stats["by_region"].values():
        assert list(region) == [
            "name",
            "contests",
            "registered",
            "men",
            "women",
            "higher_education",
            "average_age",
            "youngest",
            "oldest",
        ]


def test_regions_as_published(stats):
    regions = stats["by_region"]
    expected = {prefix: (contests, registered) for prefix, (contests, registered, _w) in demo.REGIONS.items()}
    assert {p: (r["contests"], r["registered"]) for p, r in regions.items()} == expected
    assert regions["19"]["contests"] == 71 and regions["19"]["registered"] == 242  # Almaty
    assert regions["11"]["registered"] == 303  # Akmola
    assert [regions[p]["registered"] for p in ("59", "31", "39")] == [71, 122, 147]


def test_karaganda(stats):
    k = stats["by_region"]["35"]
    assert (k["registered"], k["men"], k["women"], k["higher_education"]) == (268, 226, 42, 268)
    assert round(100 * k["men"] / k["registered"]) == 84 and round(100 * k["women"] / k["registered"]) == 16
    assert 40.0 < k["average_age"] < 41.0


def test_kostanay_every_fifth_a_woman(stats):
    k = stats["by_region"]["39"]
    assert k["women"] / k["registered"] >= 0.20


def test_youngest_is_25_in_mangystau_only(stats):
    youngest = {p: r["youngest"] for p, r in stats["by_region"].items()}
    assert youngest["47"] == 25
    assert all(age > 25 for p, age in youngest.items() if p != "47")
    assert min(r["youngest"] for r in stats["by_region"].values()) == 25


def test_every_registered_candidate_is_eligible_and_every_contest_has_one(loaded, db):
    election = loaded[0]
    registered = Candidacy.objects.filter(election=election, status="registered").select_related("person")
    for c in registered:
        assert age_on(c.person.birth_date, election.election_day) >= 25
        assert c.person.education in ("higher", "postgraduate")
    counts = Contest.objects.filter(election=election).with_candidate_counts()
    assert min(c.registered_count for c in counts) == 1
    assert sum(1 for c in counts if c.registered_count < 2) == 5


def test_people_are_synthetic_with_valid_consistent_iins(loaded, db):
    people = list(Person.objects.all())
    assert people and all(p.is_synthetic for p in people)
    for p in people:
        assert iin.birth_date_and_sex(p.iin) == (p.birth_date, p.sex)
    young = Person.objects.filter(birth_date__gt=datetime.date(1995, 7, 25))
    assert [p.birth_date <= datetime.date(1996, 7, 25) for p in young] == [True]


def test_other_states_do_not_count(loaded, db, stats):
    by_status = dict(
        Candidacy.objects.filter(election=loaded[0])
        .values_list("status")
        .annotate(n=__import__("django").db.models.Count("pk"))
    )
    assert by_status == {"registered": 2297, "refused": 4, "withdrawn": 2, "deregistered": 1}
    refused = Candidacy.objects.filter(status="refused")
    # A reason of one kind each: typed words, or the failed requirements as codes (never both).
    assert all(bool(c.reason) != bool(c.reason_failures) for c in refused)
    assert all(set(failure) == {"code", "values"} for c in refused for failure in c.reason_failures)


def test_audit_trail_holds_every_transition_and_verifies(loaded, db):
    assert AuditEvent.objects.filter(action="registry.nominate").count() == 2297 + 7
    assert AuditEvent.objects.filter(action="registry.register").count() == 2297 + 2
    assert verify_chain()[1] is None


def test_second_load_changes_nothing(loaded, db):
    before = (AuditEvent.objects.count(), Candidacy.objects.count(), Person.objects.count())
    demo.load(io.StringIO())
    assert (AuditEvent.objects.count(), Candidacy.objects.count(), Person.objects.count()) == before
