"""Read-only by construction (every resource of the router) and territory scoping of auditors."""

import pytest

from api.urls import router
from results.models import ContestResult, TurnoutRollup

pytestmark = pytest.mark.django_db

RESOURCES = [prefix for prefix, _viewset, _basename in router.registry]


def test_every_resource_is_covered_by_the_tests_below():
    assert set(RESOURCES) == {
        "units",
        "polling-stations",
        "elections",
        "contests",
        "parties",
        "candidates",
        "office-terms",
        "protocols",
        "protocol-entries",
        "protocol-attachments",
        "results",
        "turnout",
        "anomaly-flags",
        "audit-events",
        "audit-checkpoints",
    }


@pytest.mark.parametrize("prefix", RESOURCES)
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_are_refused_on_list_and_detail(api, world, prefix, method):
    list_response = getattr(api, method)(f"/api/v1/{prefix}/", {}, format="json")
    detail_response = getattr(api, method)(f"/api/v1/{prefix}/1/", {}, format="json")
    assert list_response.status_code == 405, list_response.content
    assert detail_response.status_code in (403, 404, 405), detail_response.content
    assert list_response.json()["code"] == "method_not_allowed"


@pytest.mark.parametrize("prefix", RESOURCES)
def test_anonymous_is_401_on_every_resource(client_for, world, prefix):
    response = client_for().get(f"/api/v1/{prefix}/")
    assert response.status_code == 401
    assert response.json()["status"] == 401


def _objects(world):
    """(resource, Karaganda object id, Akmola object id) for every resource with a territory."""
    result_k = ContestResult.objects.get(contest=world.contest_k, basis="official").pk
    result_a = ContestResult.objects.get(contest=world.contest_a, basis="official").pk
    turnout_k = TurnoutRollup.objects.get(level="region", unit=world.karaganda[0], basis="official").pk
    turnout_a = TurnoutRollup.objects.get(level="region", unit=world.akmola[0], basis="official").pk
    return [
        ("units", world.karaganda[3].pk, world.akmola[3].pk),
        ("polling-stations", world.station_k.pk, world.station_a.pk),
        ("contests", world.contest_k.pk, world.contest_a.pk),
        ("candidates", world.cand_k1.pk, world.cand_a1.pk),
        ("office-terms", world.term_k.pk, world.term_a.pk),
        ("protocols", world.protocol_k.pk, world.protocol_a.pk),
        ("results", result_k, result_a),
        ("turnout", turnout_k, turnout_a),
        ("audit-events", world.event_k.pk, world.event_a.pk),
    ]


def test_scoped_auditor_sees_only_their_region(regional_api, api, world):
    for prefix, mine, other in _objects(world):
        listed = {row["id"] for row in regional_api.get(f"/api/v1/{prefix}/?page_size=1000").json()["results"]}
        assert mine in listed, prefix
        assert other not in listed, prefix
        assert regional_api.get(f"/api/v1/{prefix}/{mine}/").status_code == 200, prefix
        response = regional_api.get(f"/api/v1/{prefix}/{other}/")
        assert response.status_code == 404, prefix
        assert response.json()["code"] == "not_found"
        # ...while a national auditor sees both.
        assert api.get(f"/api/v1/{prefix}/{other}/").status_code == 200, prefix


def test_scoped_auditor_filtering_for_another_region_gets_nothing(regional_api, world):
    assert regional_api.get("/api/v1/candidates/?region=11").json()["results"] == []
    assert regional_api.get("/api/v1/protocols/?region=11").json()["results"] == []


def test_scoped_auditor_does_not_see_the_national_rollup(regional_api, world):
    rows = regional_api.get("/api/v1/turnout/?level=election").json()["results"]
    assert rows == []


def test_scoped_auditor_entries_exclude_other_regions(regional_api, world, cec_staff):
    from . import factories as f

    protocol = f.protocol(
        world.contest_a,
        f.station(world.akmola[2], 2),
        state="certified",
        votes={world.cand_a1: 5},
        certified_by=cec_staff,
    )
    other = f.entry(protocol, world.clerk)
    listed = {row["id"] for row in regional_api.get("/api/v1/protocol-entries/").json()["results"]}
    assert listed == {world.entry_k.pk}
    assert regional_api.get(f"/api/v1/protocol-entries/{other.pk}/").status_code == 404
