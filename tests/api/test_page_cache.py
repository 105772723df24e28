"""Pages of results and turnout kept in the cache (api.cache): served again without building
them, never after an aggregation changed the tables, never to another territory or language."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import clock
from results import aggregation

from . import factories as f

pytestmark = pytest.mark.django_db


def _get(client, path, **extra):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, **extra)
    assert response.status_code == 200, response.content
    return response, len(ctx.captured_queries)


@pytest.mark.parametrize(("prefix", "queries"), [("results", 2), ("turnout", 2)])
def test_a_kept_page_costs_the_token_and_the_version(api, world, prefix, queries):
    path = f"/api/v1/{prefix}/?election={world.election.pk}"
    first, built = _get(api, path)
    again, kept = _get(api, path)
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"] == "application/json"
    assert again["Vary"] == first["Vary"] and again["Allow"] == first["Allow"]
    assert kept == queries < built  # the token, the version of each table the page shows


@pytest.mark.parametrize("query", ["", "?election={election}"])
def test_aggregation_shows_at_once(api, world, cec_staff, query):
    path = "/api/v1/results/" + query.format(election=world.election.pk)
    before = api.get(path).json()
    station = f.station(world.akmola[2], 2)
    with clock.frozen(clock.now()):  # a run in the same instant: the version must still move
        f.protocol(world.contest_a, station, state="certified", votes={world.cand_a1: 77}, certified_by=cec_staff)
        aggregation.recompute(world.election)
    after = api.get(path).json()
    assert after != before
    akmola = next(r for r in after["results"] if r["contest"] == world.contest_a.pk)
    assert akmola["candidate_results"][0]["votes"] == 77


def test_another_territory_never_gets_a_kept_page(api, regional_api, world):
    path = f"/api/v1/results/?election={world.election.pk}"
    national = api.get(path).json()
    regional = regional_api.get(path).json()
    assert {r["contest"] for r in national["results"]} == {world.contest_k.pk, world.contest_a.pk}
    assert {r["contest"] for r in regional["results"]} == {world.contest_k.pk}
    assert {r["contest"] for r in api.get(path).json()["results"]} == {world.contest_k.pk, world.contest_a.pk}


def test_each_language_has_its_page(api, world):
    world.karaganda[2].name_kk, world.karaganda[2].name_ru = "Қарағанды", "Караганда"
    world.karaganda[2].save()
    path = f"/api/v1/results/?election={world.election.pk}&region=35"
    kk = api.get(path, HTTP_ACCEPT_LANGUAGE="kk").json()["results"][0]["unit"]["name"]
    ru = api.get(path, HTTP_ACCEPT_LANGUAGE="ru").json()["results"][0]["unit"]["name"]
    assert (kk, ru) == ("Қарағанды", "Караганда")


def test_errors_csv_and_other_formats_are_not_kept(api, world):
    path = f"/api/v1/results/?election={world.election.pk}"
    assert api.get(path + "&page=9").status_code == 404
    assert api.get(path + "&page=9").json()["code"] == "page_not_found"
    csv = api.get(path + "&format=csv")
    assert csv["Content-Type"].startswith("text/csv") and b"candidate_results" in csv.getvalue()
    assert api.get(path).json()["count"] == 2
    indented = api.get(path, HTTP_ACCEPT="application/json; indent=2")
    assert indented.content.startswith(b"{\n  ")
    assert not api.get(path).content.startswith(b"{\n")


def test_off_when_api_cache_seconds_is_0(api, world, settings):
    settings.API_CACHE_SECONDS = 0
    path = f"/api/v1/results/?election={world.election.pk}"
    api.get("/api/v1/")  # records the token's use
    _, built = _get(api, path)
    _, again = _get(api, path)
    assert again == built > 2


def test_throttle_and_permission_still_apply_to_kept_pages(api, client_for, world, settings, auditor):
    path = f"/api/v1/results/?election={world.election.pk}"
    assert api.get(path).status_code == 200
    auditor.groups.clear()
    assert api.get(path).status_code == 403
    assert client_for().get(path).status_code == 401


def test_pages_are_kept_apart_from_the_throttle_counters(api, world, settings):
    from django.core.cache import caches

    # Two local-memory caches whatever the run's backend (Redis in CI's second pass), so their keys
    # can be listed: what is under test is which alias each kind of key goes to.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default-under-test"},
        "api-pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages-under-test"},
    }
    assert api.get(f"/api/v1/results/?election={world.election.pk}").status_code == 200
    assert any("api-page:" in key for key in caches["api-pages"]._cache)
    assert not any("api-page:" in key for key in caches["default"]._cache)
    assert any("throttle" in key for key in caches["default"]._cache)


def _winner_votes(client, world):
    rows = client.get(f"/api/v1/results/?election={world.election.pk}").json()["results"]
    return next(r for r in rows if r["contest"] == world.contest_k.pk)["candidate_results"][0]["votes"]


@pytest.mark.postgres
def test_delta_aggregation_shows_at_once(api, world):
    """The delta path rewrites only the rows that change (a candidate row, not always its contest
    row): the version is the election's roll-up rows, which every run writes."""
    from results.models import ProtocolVote

    assert _winner_votes(api, world) == 400
    with clock.frozen(clock.now()):
        ProtocolVote.objects.filter(protocol=world.protocol_k, candidacy=world.cand_k1).update(votes=399)
        aggregation.update(world.election)
    assert _winner_votes(api, world) == 399
