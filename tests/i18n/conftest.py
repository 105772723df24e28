"""Fixtures of the i18n tests: the results tests' small world (one district of Karaganda) with protocols."""

import pytest
from django.conf import settings

from core import clock
from results.models import Protocol
from results.services import create_protocols_for_contest
from tests.results.factories import COUNTING, World

LANGUAGES = ("kk", "ru", "en")


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _production_default_language(settings, _english_by_default):
    """The suite's conftest makes English the default; these tests check the real default, Russian."""
    settings.LANGUAGE_CODE = "ru"


@pytest.fixture
def world(db):
    with clock.frozen(COUNTING):
        w = World()
        create_protocols_for_contest(w.contest, w.cec)
        w.protocol = Protocol.objects.get(contest=w.contest, polling_station=w.station)
        yield w


@pytest.fixture
def in_language(client):
    """Choose the language the way a browser does after the switcher: the language cookie."""

    def choose(language):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client

    return choose
