"""/api/v1/anomaly-flags/: the flags the aggregation wrote, filtered, scoped to the token's
territory, explained in the request's language, in the OpenAPI schema."""

import pytest

from results.aggregation import recompute
from results.models import AnomalyFlag

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged(world, cec_staff):
    """A second station at 100% turnout in each region's contest: near-full flags on both sides."""
    full_k = f.protocol(
        world.contest_k,
        f.station(world.karaganda[2], 2),
        state="certified",
        voters=410,
        votes={world.cand_k1: 400},
        certified_by=cec_staff,
    )
    full_a = f.protocol(
        world.contest_a,
        f.station(world.akmola[2], 2),
        state="certified",
        voters=20,
        votes={world.cand_a1: 10},
        certified_by=cec_staff,
    )
    recompute(world.election)
    return (
        AnomalyFlag.objects.get(polling_station=full_k.polling_station, code="turnout.near_full"),
        AnomalyFlag.objects.get(polling_station=full_a.polling_station, code="turnout.near_full"),
    )


def test_lists_the_flags_with_their_figures_and_explanation(api, world, flagged):
    mine, _other = flagged
    rows = api.get(f"/api/v1/anomaly-flags/?election={world.election.pk}&code=turnout.near_full&region=35").json()
    assert [r["id"] for r in rows["results"]] == [mine.pk]
    (row,) = rows["results"]
    assert row["station_number"] == 2 and row["contest"] == world.contest_k.pk
    assert row["values"] == {"percent": "100.00", "part": 410, "whole": 410}
    assert row["label"] == "turnout at or near 100%"
    assert row["explanation"] == (
        "Turnout is 100.00% (ballots issued: 410; voters on the list: 410); flagged from 99%. "
        "This is a signal for a closer look, never a verdict: honest counts can show it too."
    )


def test_explained_in_the_requests_language(api, flagged):
    mine, _other = flagged
    row = api.get(f"/api/v1/anomaly-flags/{mine.pk}/", HTTP_ACCEPT_LANGUAGE="ru").json()
    assert row["explanation"] == (
        "Явка 100,00% (выдано бюллетеней: 410; избирателей в списке: 410); отмечается от 99%. "
        "Это сигнал для более внимательной проверки, а не вердикт: такое бывает и при честном подсчёте."
    )


def test_scoped_auditor_sees_only_their_region(regional_api, api, flagged):
    mine, other = flagged
    listed = {r["id"] for r in regional_api.get("/api/v1/anomaly-flags/?page_size=1000").json()["results"]}
    assert mine.pk in listed and other.pk not in listed
    assert regional_api.get(f"/api/v1/anomaly-flags/{other.pk}/").status_code == 404
    assert api.get(f"/api/v1/anomaly-flags/{other.pk}/").status_code == 200


def test_filters_refuse_unknown_codes(api, flagged):
    response = api.get("/api/v1/anomaly-flags/?code=turnout.suspicious")
    assert response.status_code == 400
    assert "code" in response.content.decode()


def test_in_the_schema(api):
    schema = api.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/anomaly-flags/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"election", "contest", "code", "region", "district"}


def test_list_queries_do_not_grow_with_the_flags(api, world, flagged, cec_staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/v1/anomaly-flags/?page_size=1000").status_code == 200
        return len(ctx.captured_queries)

    count()  # warm (the token's and the page cache's first reads)
    few = count()
    for number in (3, 4, 5):
        f.protocol(
            world.contest_k,
            f.station(world.karaganda[2], number),
            state="certified",
            voters=410,
            votes={world.cand_k1: 400},
            certified_by=cec_staff,
        )
    recompute(world.election)
    assert AnomalyFlag.objects.count() > 4
    count()
    assert count() == few
