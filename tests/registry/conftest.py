"""Fixtures of the registry tests: a small territory, an election in nomination, staff with seats."""

import pytest

from . import factories as f


@pytest.fixture
def units(db):
    return f.small_territory()


@pytest.fixture
def election(db):
    return f.election()


@pytest.fixture
def contest(units, election):
    return f.contest(election, units["35-rd1"], voters=1501)


@pytest.fixture
def other_contest(units, election):
    return f.contest(election, units["39-rd1"], voters=1500)


@pytest.fixture
def cec(db):
    return f.user_with_seat("cec-user", "cec")


@pytest.fixture
def tec35(units):
    return f.user_with_seat("tec35", "regional", units["35"])


@pytest.fixture
def tec39(units):
    return f.user_with_seat("tec39", "regional", units["39"])


@pytest.fixture
def clerk35(units):
    return f.user_with_seat("clerk35", "precinct", units["35-rd1"], role="clerk", staff=False)


@pytest.fixture
def nomination_time():
    from core import clock

    with clock.frozen(f.at(f.E_DAY.replace(day=1), 12)) as moment:
        yield moment


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _registry_permissions(db):
    from registry.roles import sync_registry_groups

    sync_registry_groups()


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English (the source strings), whatever translations are compiled."""
    from django.utils import translation

    with translation.override("en"):
        yield
