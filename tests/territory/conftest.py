"""Fixtures of the territory tests: a fast password hasher and a small two-region world."""

import pytest
from django.utils import translation

from .factories import World


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English (the source strings), whatever translations exist."""
    with translation.override("en"):
        yield


@pytest.fixture
def world(db):
    return World()
