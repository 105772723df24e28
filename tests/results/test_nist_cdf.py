"""The NIST SP 1500-100 v2 export (results/nist_cdf.py): valid, complete, deterministic, streamed, scoped."""

import json

import jsonschema
import pytest

from results.aggregation import recompute
from results.nist_cdf import SCHEMA_PATH, election_report
from results.services import certify_protocol, save_entry

from .factories import member, user
from .helpers import verified

pytestmark = pytest.mark.django_db

SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def report(election, **kw):
    return "".join(election_report(election, **kw))


@pytest.fixture
def counted(world):
    """Station 1 certified, station 2 verified (not certified), Akmola's station not entered."""
    certify_protocol(verified(world), world.tec)
    a = member(user("p2-clerk-a"), world.precinct2, "clerk")
    b = member(user("p2-clerk-b"), world.precinct2, "clerk")
    values = world.values(voters="800")
    save_entry(world.protocol2, a, values, finish=True)
    save_entry(world.protocol2, b, values, finish=True)
    recompute(world.election)
    return world


def test_smoke(counted):
    text = report(counted.election)
    data = json.loads(text)
    jsonschema.Draft4Validator(SCHEMA).validate(data)
    print(json.dumps(data, indent=1, ensure_ascii=False))
