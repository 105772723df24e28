"""Constant queries per list whatever the page size; no IIN or birth date in any response."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.urls import router
from core.models import AuditCheckpoint
from registry.models import Person
from results import aggregation
from results.models import ProtocolAttachment
from territory.kato import Kind

from . import factories as f

pytestmark = pytest.mark.django_db

RESOURCES = [prefix for prefix, _viewset, _basename in router.registry]


@pytest.fixture
def crowd(world, cec_staff):
    """50 more contests in Karaganda, each with a station, a candidate, a certified protocol, an
    entry and audit events; then the result tables."""
    district = world.karaganda[1]
    for n in range(50):
        rural = f.unit(f"3520{n + 40:02d}000", Kind.RURAL_DISTRICT, district)
        station = f.station(rural, 100 + n)
        contest = f.contest(world.election, rural)
        candidacy = f.candidacy(contest, f.person(datetime.date(1970, 1, 1) + datetime.timedelta(days=n * 97)))
        protocol = f.protocol(contest, station, state="certified", votes={candidacy: 300 + n}, certified_by=cec_staff)
        f.entry(protocol, world.clerk)
        f.term(candidacy)
        f.transition(candidacy, "candidacy.register", "nominated", "registered")
        f.transition(protocol, "protocol.certify", "verified", "certified")
        # A photograph of the signed paper (the row only: the list never opens the file).
        ProtocolAttachment.objects.create(
            protocol=protocol,
            file=f"protocols/{protocol.pk}/{n:064x}.png",
            sha256=f"{n:064x}",
            content_type="image/png",
            size=1000 + n,
            original_name=f"protocol-{n}.png",
            cycle=1,
            uploaded_by=world.clerk,
            uploaded_at=datetime.datetime(2021, 7, 25, 21, 0, tzinfo=datetime.UTC),
        )
    aggregation.recompute(world.election)
    # Signed checkpoints of the trail, as the runs and the hourly task leave them (not verified here).
    AuditCheckpoint.objects.bulk_create(
        AuditCheckpoint(
            created_at=datetime.datetime(2021, 7, 26, tzinfo=datetime.UTC) + datetime.timedelta(hours=n),
            occasion="hourly",
            size=n,
            chains=1,
            last_event_id=n,
            root="0" * 64,
            signature="s",
            public_key="k",
        )
        for n in range(60)
    )
    return world


def _queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), len(response.json()["results"])


@pytest.mark.parametrize("prefix", RESOURCES)
def test_list_queries_do_not_grow_with_page_size(api, regional_api, crowd, prefix):
    for client in (api, regional_api):
        client.get(f"/api/v1/{prefix}/")  # warm-up: records the token's use
        small, rows_small = _queries(client, f"/api/v1/{prefix}/?page_size=5")
        large, rows_large = _queries(client, f"/api/v1/{prefix}/?page_size=50")
        assert rows_large > rows_small or prefix in ("elections", "parties")
        assert small == large, f"{prefix}: {small} queries for 5 rows, {large} for 50"
        assert large <= 8, prefix


IIN_LIKE = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")


def _forbidden_strings():
    strings = set()
    for iin, born in Person.objects.values_list("iin", "birth_date"):
        strings |= {
            iin,
            born.isoformat(),
            born.strftime("%d.%m.%Y"),
            born.strftime("%Y%m%d"),
            born.strftime("%d/%m/%Y"),
        }
    return strings


def _scan(text, forbidden, where):
    assert not IIN_LIKE.search(text), f"12-digit number in {where}: {IIN_LIKE.search(text).group()}"
    for value in forbidden:
        assert value not in text, f"{value} in {where}"


def test_no_response_contains_an_iin_or_a_birth_date(api, crowd):
    forbidden = _forbidden_strings()
    assert len(forbidden) > 100
    for prefix in RESOURCES:
        for fmt in ("json", "csv"):
            response = api.get(f"/api/v1/{prefix}/?page_size=1000&format={fmt}")
            assert response.status_code == 200
            text = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
            _scan(text, forbidden, f"{prefix} ({fmt})")
        for row in api.get(f"/api/v1/{prefix}/?page_size=1000").json()["results"]:
            detail = api.get(f"/api/v1/{prefix}/{row['id']}/")
            _scan(detail.content.decode(), forbidden, f"{prefix}/{row['id']}")
    _scan(api.get("/api/schema/").content.decode(), forbidden, "schema")
