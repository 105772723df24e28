"""Fixtures of the results tests: the frozen counting-night clock and a small world with protocols."""

import pytest

from core import clock
from results.models import Protocol
from results.services import create_protocols_for_contest

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
