"""Fast list pages (api.rows) give the serializer's JSON byte for byte; the token lookup is one
query compiled once (api.prepared); a token's territory is the one it was issued with."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api import tokens
from api.models import ApiToken
from api.prepared import PreparedValues
from api.urls import router
from registry.models import Election
from territory.models import Commission, Membership

from . import factories as f

pytestmark = pytest.mark.django_db

FAST = [(prefix, viewset) for prefix, viewset, _basename in router.registry if viewset.list_fields is not None]
QUERIES = [
    "",
    "?page_size=1",
    "?page_size=2&page=2",
    "?basis=preliminary",
    "?region=35",
    "?election={election}",
    "?election={election}&page_size=1",
    "?election={election}&page=2&page_size=1",
    "?election={election}&status=registered",
    "?election=999999",
    "?election=abc",
    "?election=",
    "?election=+1",
    "?election={election}&election={election}",
    "?election={election}&page_size=0",
    "?election={election}&cursor=bad",
]


def test_the_measured_pages_are_fast():
    assert {"results", "protocols", "candidates"} <= {prefix for prefix, _ in FAST}


@pytest.mark.parametrize(("prefix", "viewset"), FAST)
@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_fast_page_is_the_serializers_page(api, regional_api, world, monkeypatch, settings, prefix, viewset, language):
    settings.API_CACHE_SECONDS = 0  # both answers built, none from the cache
    f.protocol(world.contest_a, f.station(world.akmola[2], 2), state="verified", votes={world.cand_a1: 10})
    for client in (api, regional_api):
        for query in QUERIES:
            path = f"/api/v1/{prefix}/{query.format(election=world.election.pk)}"
            fast = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
            with monkeypatch.context() as patched:
                patched.setattr(viewset, "list_fields", None)
                patched.setattr(viewset, "plain_filters", {})
                slow = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
            assert fast.status_code == slow.status_code, path
            assert fast.content == slow.content, path
            if fast.status_code == 200 and "page_size=1" not in query and "status" not in query:
                assert fast.json()["results"], path


@pytest.mark.parametrize("prefix", ["candidates", "protocols"])
def test_a_plain_election_filter_skips_the_filterset(api, world, monkeypatch, prefix):
    viewset = dict(FAST)[prefix]
    built = []
    original = viewset.filterset_class.__init__
    monkeypatch.setattr(
        viewset.filterset_class, "__init__", lambda self, *a, **k: built.append(1) or original(self, *a, **k)
    )
    assert api.get(f"/api/v1/{prefix}/?election={world.election.pk}&page_size=5").status_code == 200
    assert built == []
    missing = api.get(f"/api/v1/{prefix}/?election=999999")
    assert missing.status_code == 404 and built == [1]


def test_fast_page_keeps_the_cursor_of_protocols(api, world):
    first = api.get("/api/v1/protocols/?page_size=1").json()
    second = api.get(first["next"]).json()
    assert [p["id"] for p in first["results"] + second["results"]] == sorted([world.protocol_k.pk, world.protocol_a.pk])


def test_a_token_costs_one_query(api, national_token):
    api.get("/api/v1/")  # records the token's use (an UPDATE at most once a minute)
    with CaptureQueriesContext(connection) as ctx:
        assert api.get("/api/v1/").status_code == 200
    assert len(ctx.captured_queries) == 1, [q["sql"] for q in ctx.captured_queries]


def test_token_lookup_flags_group_and_seat(national_token, auditor, cec_staff, world):
    token = tokens.find_token(national_token.raw)
    assert token.pk == national_token.token.pk and token.user.pk == auditor.pk
    assert tokens.is_auditor(token.user) and token.seat_held is False
    assert token.commission_scope == (None, None, None)
    assert tokens.find_token(national_token.raw[:-1] + "x") is None
    member = f.user("tec-member", staff=True)
    tec = Commission.objects.create(kind="regional", name="Karaganda TEC", unit=world.karaganda[0])
    Membership.objects.create(user=member, commission=tec, role="member")
    _, raw = tokens.issue_token(member, cec_staff, 30)
    token = tokens.find_token(raw)
    assert token.seat_held is True and token.commission_scope == ("regional", world.karaganda[0].pk, None)


def test_a_national_token_stays_national_when_its_auditor_gains_a_seat(api, auditor, world):
    tec = Commission.objects.create(kind="regional", name="Karaganda TEC", unit=world.karaganda[0])
    Membership.objects.create(user=auditor, commission=tec, role="member")
    assert {c["contest"] for c in api.get("/api/v1/candidates/").json()["results"]} == {
        world.contest_k.pk,
        world.contest_a.pk,
    }


def test_token_of_a_user_who_left_the_auditors_is_refused_without_a_second_lookup(client_for, national_token, auditor):
    auditor.groups.clear()
    token = tokens.find_token(national_token.raw)
    assert not tokens.is_auditor(token.user)
    assert client_for(national_token.raw).get("/api/v1/units/").status_code == 403


def test_prepared_values_substitutes_parameters_and_checks_them(world):
    by_day = PreparedValues(
        lambda day: Election.objects.filter(election_day=day).values_list("pk", "election_day"),
        day=datetime.date(1, 1, 2),
    )
    assert by_day.rows("default", day=world.election.election_day) == [[world.election.pk, world.election.election_day]]
    assert by_day.rows("default", day=datetime.date(1999, 1, 1)) == []
    unused = PreparedValues(lambda prefix: ApiToken.objects.values_list("pk"), prefix="<prefix>")
    with pytest.raises(ValueError, match="prefix"):
        unused.rows("default", prefix="x")


def test_a_numbered_page_is_counted_without_the_joins_of_its_columns(api, world, settings):
    """The candidates page shows person, party and election columns; its count needs none of them
    (an index-only count instead of a join of four tables per page)."""
    settings.API_CACHE_SECONDS = 0
    with CaptureQueriesContext(connection) as queries:
        response = api.get(f"/api/v1/candidates/?election={world.election.pk}")
    assert response.status_code == 200 and response.json()["count"] >= 1
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert len(counts) == 1
    assert "registry_person" not in counts[0] and "registry_party" not in counts[0], counts[0]
