"""A protocol's turnout in the API comes from results (results.selectors.protocol_turnout_percent),
on the detail page and on the fast list page alike; the API computes no turnout of its own."""

import pytest

from api.resources import results_protocols
from results.selectors import protocol_turnout_percent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("voters", "station", "mobile", "expected"),
    [
        (None, 10, 0, None),  # no figures
        (0, 0, 0, None),  # an empty list: no share
        (1000, None, None, None),  # Is not entered
        (1, 0, 0, 0.0),
        (1000, 400, 10, 41.0),
        (3, 1, 0, 33.33),  # rounded down below .005
        (3, 2, 0, 66.67),  # rounded up from .005 on
        (1000, 900, 100, 100.0),
        (100, 90, 20, 110.0),  # above the list: published as it is, the controls flag it
    ],
)
def test_protocol_turnout_percent(voters, station, mobile, expected):
    assert protocol_turnout_percent(voters, station, mobile) == expected


def test_the_api_publishes_the_turnout_results_gives(api, world, monkeypatch):
    seen = []

    def turnout(voters, station, mobile):
        seen.append((voters, station, mobile))
        return 12.34

    monkeypatch.setattr(results_protocols, "protocol_turnout_percent", turnout)
    detail = api.get(f"/api/v1/protocols/{world.protocol_k.pk}/").json()
    listed = {row["id"]: row for row in api.get("/api/v1/protocols/").json()["results"]}
    assert detail["turnout_percent"] == 12.34
    assert listed[world.protocol_k.pk]["turnout_percent"] == 12.34
    # Not asked for a protocol without published figures, which shows none.
    assert listed[world.protocol_a.pk]["turnout_percent"] is None
    protocol = world.protocol_k
    assert seen == [(protocol.voters, protocol.issued_station, protocol.issued_mobile)] * 2
