"""Fixtures of the API tests: a small two-region world, auditors with tokens, API clients."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from api import cache as page_cache
from api import tokens
from results import aggregation

from . import factories as f

MOMENT = datetime.datetime(2021, 7, 20, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _clear_throttle_cache(settings):
    settings.API_THROTTLE_RATE = "100000/min"
    cache.clear()
    page_cache.clear()
    yield
    cache.clear()
    page_cache.clear()


@pytest.fixture
def world(db):
    karaganda = f.region_tree("35", "Karaganda")
    akmola = f.region_tree("11", "Akmola")
    w = SimpleNamespace(karaganda=karaganda, akmola=akmola)
    w.station_k = f.station(karaganda[2], 1)
    w.station_a = f.station(akmola[2], 1)
    w.election = f.election()
    w.contest_k = f.contest(w.election, karaganda[2])
    w.contest_a = f.contest(w.election, akmola[2])
    w.party = f.party("AMANAT")
    w.people = [
        f.person(datetime.date(1980, 3, 14), "M"),
        f.person(datetime.date(1975, 11, 2), "F"),
        f.person(datetime.date(1990, 1, 30), "M"),
    ]
    w.cand_k1 = f.candidacy(w.contest_k, w.people[0], party=w.party)
    w.cand_k2 = f.candidacy(w.contest_k, w.people[1], status="withdrawn")
    w.cand_a1 = f.candidacy(w.contest_a, w.people[2])
    w.event_k = f.transition(w.cand_k1, "candidacy.register", "nominated", "registered")
    w.event_a = f.transition(w.cand_a1, "candidacy.register", "nominated", "registered")
    clerk = f.user("clerk-k", staff=True)
    w.clerk = clerk
    w.protocol_k = f.protocol(w.contest_k, w.station_k, state="certified", votes={w.cand_k1: 400}, certified_by=clerk)
    w.protocol_a = f.protocol(w.contest_a, w.station_a, state="first_entry_done")
    w.entry_k = f.entry(w.protocol_k, clerk, values={"voters": 1000, "votes": {str(w.cand_k1.pk): 400}})
    w.entry_a = f.entry(w.protocol_a, clerk)
    w.event_pk = f.transition(w.protocol_k, "protocol.certify", "verified", "certified")
    w.event_pa = f.transition(w.protocol_a, "protocol.finish_first", "first_entry_in_progress", "first_entry_done")
    aggregation.recompute(w.election)
    w.term_k = f.term(w.cand_k1)
    w.term_a = f.term(w.cand_a1)
    return w


@pytest.fixture
def cec_staff(db):
    return f.user("cec", staff=True, superuser=True)


@pytest.fixture
def auditor(db):
    return f.user("auditor", auditor=True)


def _client(raw=None):
    client = APIClient()
    if raw:
        client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


@pytest.fixture
def national_token(auditor, cec_staff):
    token, raw = tokens.issue_token(auditor, cec_staff, 365)
    return SimpleNamespace(token=token, raw=raw)


@pytest.fixture
def api(national_token):
    """A client with a national auditor's token."""
    return _client(national_token.raw)


@pytest.fixture
def regional_api(world, cec_staff):
    """A client with a token of an auditor limited to Karaganda (35)."""
    account = f.user("karaganda-observer", auditor=True)
    _, raw = tokens.issue_token(account, cec_staff, 365, scope_unit=world.karaganda[0])
    return _client(raw)


@pytest.fixture
def client_for():
    return _client
