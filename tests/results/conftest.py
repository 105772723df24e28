"""Fixtures of the results tests: the frozen counting-night clock and a small world with protocols."""

import pytest

from core import clock
from results.models import Protocol, ProtocolState
from results.services import create_protocols_for_contest

from . import aggregation_data as data
from .factories import COUNTING, World


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def counting_night():
    with clock.frozen(COUNTING) as moment:
        yield moment


@pytest.fixture
def world(db, counting_night):
    w = World()
    create_protocols_for_contest(w.contest, w.cec)
    create_protocols_for_contest(w.other_contest, w.cec)
    w.protocol = Protocol.objects.get(contest=w.contest, polling_station=w.station)
    w.protocol2 = Protocol.objects.get(contest=w.contest, polling_station=w.station2)
    w.other_protocol = Protocol.objects.get(contest=w.other_contest)
    return w


@pytest.fixture
def district_of_seven():
    """Seven one-station contests in one district: turnout 49, 49, 50, 50, 51, 51% and 100% (the
    last one verified, the others certified); the leader takes 60% everywhere."""
    region = data.region()
    district = data.district(region)
    election = data.election()
    made = []
    for i, issued in enumerate([490, 490, 500, 500, 510, 510, 1000]):
        contest, cands, (station,) = data.contest(election, data.rural_district(district), candidates=2)
        leader = issued * 6 // 10
        state = ProtocolState.VERIFIED if i == 6 else ProtocolState.CERTIFIED
        made.append(
            (contest, station, data.simple_protocol(contest, station, cands, [leader, issued - leader], state=state))
        )
    return election, district, made
