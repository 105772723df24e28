"""Prepared first pages (api.viewsets._PreparedPlain): a national token's `?election=<id>` of
`candidates` and `protocols` runs queries compiled once, and answers exactly what the ORM path
(and the serializer) answers; any other request goes through the ORM as before."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api import viewsets
from api.prepared import PreparedValues
from api.resources.registry import CandidateViewSet
from api.resources.results_protocols import ProtocolViewSet

from . import factories as f

pytestmark = pytest.mark.django_db

VIEWSETS = {"candidates": CandidateViewSet, "protocols": ProtocolViewSet}


@pytest.fixture
def more(world):
    """A second election, whose rows interleave with the first's ids, and more rows in the first."""
    other = f.election()
    other_contest = f.contest(other, world.karaganda[2])
    people = [f.person(datetime.date(1970 + n, 5, 1)) for n in range(4)]
    for person in people[:2]:
        f.candidacy(world.contest_a, person)
    for person in people[2:]:
        f.candidacy(other_contest, person)
    f.protocol(other_contest, f.station(world.karaganda[2], 7), state="verified", votes={})
    station = f.station(world.akmola[2], 3)
    f.protocol(world.contest_a, station, state="verified", votes={world.cand_a1: 12})
    f.protocol(other_contest, f.station(world.karaganda[2], 8))
    return world


@pytest.fixture
def spy(monkeypatch):
    """Counts the rows read through prepared pages."""
    used = []
    dicts = PreparedValues.dicts
    monkeypatch.setattr(PreparedValues, "dicts", lambda self, *a, **k: used.append(1) or dicts(self, *a, **k))
    return used


def _orm_page(client, path, monkeypatch, language="ru"):
    with monkeypatch.context() as patched:
        patched.setattr(
            viewsets.ReadOnlyViewSet, "_plain_rows", lambda self, q: viewsets._CountedPlain(q, self.list_fields)
        )
        return client.get(path, HTTP_ACCEPT_LANGUAGE=language)


def _serializer_page(client, path, monkeypatch, viewset, language="ru"):
    with monkeypatch.context() as patched:
        patched.setattr(viewset, "list_fields", None)
        patched.setattr(viewset, "plain_filters", {})
        return client.get(path, HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize("prefix", ["candidates", "protocols"])
@pytest.mark.parametrize("page_size", [1, 2, 3, 100])
@pytest.mark.parametrize("language", ["kk", "en"])
def test_a_prepared_page_is_the_orms_and_the_serializers(
    api, more, settings, monkeypatch, spy, prefix, page_size, language
):
    settings.API_PAGE_SIZE = page_size
    path = f"/api/v1/{prefix}/?election={more.election.pk}"
    prepared = api.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert prepared.status_code == 200 and prepared.json()["results"]
    used = len(spy)
    orm = _orm_page(api, path, monkeypatch, language)
    serializer = _serializer_page(api, path, monkeypatch, VIEWSETS[prefix], language)
    assert prepared.content == orm.content == serializer.content
    if page_size < 3 or prefix == "protocols":
        assert used >= 1  # the page was read by the prepared query (small pages: the slice it serves)
    # The following page (a cursor or a page number) goes through the ORM, and is the serializer's too.
    following = prepared.json()["next"]
    if following:
        spy.clear()
        assert api.get(following).content == _serializer_page(api, following, monkeypatch, VIEWSETS[prefix]).content
        assert spy == []


@pytest.mark.parametrize("prefix", ["candidates", "protocols"])
def test_only_a_national_plain_request_is_prepared(api, regional_api, more, settings, spy, prefix):
    settings.API_PAGE_SIZE = 1
    election = more.election.pk
    assert api.get(f"/api/v1/{prefix}/?election={election}").status_code == 200
    assert spy
    for client, query in [
        (regional_api, f"?election={election}"),
        (api, f"?election={election}&page_size=1"),
        (api, "?page_size=1"),
        (api, f"?election={election}&contest={more.contest_a.pk}"),
    ]:
        spy.clear()
        assert client.get(f"/api/v1/{prefix}/{query}").status_code == 200
        assert spy == [], query


@pytest.mark.parametrize(("prefix", "queries"), [("candidates", 5), ("protocols", 4)])
def test_a_prepared_page_costs_its_queries_and_no_more(api, more, settings, prefix, queries):
    """Token, election check, (count,) rows and units or votes: the same number as the ORM path."""
    settings.API_PAGE_SIZE = 1
    path = f"/api/v1/{prefix}/?election={more.election.pk}"
    api.get(path)  # records the token's use
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(path).status_code == 200
    assert len(ctx.captured_queries) == queries, [q["sql"] for q in ctx.captured_queries]


def test_the_votes_of_a_prepared_page_are_its_protocols_only(api, more, settings):
    """The page's votes are read by id range within the election: another election's protocol in
    the range, and a protocol of the page without published figures, show none."""
    settings.API_PAGE_SIZE = 100
    page = api.get(f"/api/v1/protocols/?election={more.election.pk}").json()["results"]
    assert [p["election"] for p in page] == [more.election.pk] * len(page)
    assert {p["id"]: [v["votes"] for v in p["votes"]] for p in page} == {
        more.protocol_k.pk: [400],
        more.protocol_a.pk: [],
        page[-1]["id"]: [12],
    }


def test_compiled_queries_run_as_prepared_statements_on_postgresql(api, more, settings):
    """PostgreSQL plans a compiled query once per connection (the token's, the page's); SQLite runs
    them through Django's cursor as before."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    settings.API_PAGE_SIZE = 1
    assert api.get(f"/api/v1/candidates/?election={more.election.pk}").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    assert any("core_apitoken" in s for s in statements), statements
    assert any("registry_candidacy" in s and "LIMIT" in s for s in statements), statements
