"""A protocol's turnout in the API rounds as the result tables do (core.numbers.percent, half up):
13 of 800 voters is 1.625%, shown 1.63 (binary floats and round() gave 1.62)."""

from . import factories as f


def _k_protocol(world, number, voters, valid):
    station = f.station(world.karaganda[2], number, voters=voters)
    # The factory issues valid + 10 ballots.
    return f.protocol(
        world.contest_k,
        station,
        state="certified",
        votes={world.cand_k1: valid},
        voters=voters,
        certified_by=world.clerk,
    )


def test_detail_and_list_round_a_half_up(api, world):
    protocol = _k_protocol(world, 2, 800, 3)
    assert round(13 / 800 * 100, 2) == 1.62  # what the float rounding gave
    assert api.get(f"/api/v1/protocols/{protocol.pk}/").json()["turnout_percent"] == 1.63
    rows = api.get("/api/v1/protocols/?state=certified").json()["results"]
    assert {row["id"]: row["turnout_percent"] for row in rows} == {world.protocol_k.pk: 41.0, protocol.pk: 1.63}


def test_either_side_of_the_half(api, world):
    up = _k_protocol(world, 2, 1600, 8)  # 18 / 1600 = 1.125% -> 1.13
    down = _k_protocol(world, 3, 1600, 7)  # 17 / 1600 = 1.0625% -> 1.06
    assert api.get(f"/api/v1/protocols/{up.pk}/").json()["turnout_percent"] == 1.13
    assert api.get(f"/api/v1/protocols/{down.pk}/").json()["turnout_percent"] == 1.06
