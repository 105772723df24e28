"""The API's JSON renderer (orjson) writes DRF's bytes: for the data the API renders, the pages of the
measured resources, and whatever orjson refuses (through DRF's renderer)."""

import datetime
import decimal
import uuid

import pytest
from django.utils.translation import gettext_lazy
from rest_framework import renderers

from api.renderers import JSONRenderer

pytestmark = pytest.mark.django_db

ALMATY = datetime.timezone(datetime.timedelta(hours=5))
SAMPLES = [
    {"count": 3, "next": None, "results": [{"id": 1, "name": "Ақмола облысы", "share": "12.50", "ok": True}]},
    {
        "at": datetime.datetime(2021, 7, 25, 20, 0, 0, 123456, tzinfo=datetime.UTC),
        "local": datetime.datetime(2021, 7, 25, 20, 0, tzinfo=ALMATY),
    },
    {"day": datetime.date(2021, 7, 25), "time": datetime.time(18, 0), "delta": datetime.timedelta(minutes=5)},
    {"decimal": decimal.Decimal("63.45"), "lazy": gettext_lazy("Unknown token."), "uuid": uuid.UUID(int=7)},
    {"line": "a\u2028b\u2029c", "quote": 'say "hi"\\\n\t', "control": "\x01\x1f", "float": 61.8, "zero": 0.0},
    [1, 2.5, None, (3, 4), {"nested": [{"x": []}]}],
    {"set": {5}},
    {1: "integer key", "b": 2},  # orjson refuses non-text keys: DRF's renderer writes them
    {"big": 2**70},  # beyond 64 bits: DRF's renderer
]


@pytest.mark.parametrize("data", SAMPLES)
def test_the_same_bytes_as_drfs_renderer(data):
    assert JSONRenderer().render(data) == renderers.JSONRenderer().render(data)


def test_indented_output_is_drfs():
    data = {"a": [1, {"b": "ә"}]}
    media = "application/json; indent=4"
    assert JSONRenderer().render(data, media, {}) == renderers.JSONRenderer().render(data, media, {})
    assert JSONRenderer().render(None) == b""


@pytest.mark.parametrize("prefix", ["results", "protocols", "candidates", "contests", "units", "turnout"])
def test_a_page_is_byte_for_byte_drfs(api, world, monkeypatch, prefix):
    ours = api.get(f"/api/v1/{prefix}/?page_size=5")
    monkeypatch.setattr(JSONRenderer, "render", renderers.JSONRenderer.render)
    from api import cache

    cache.clear()
    theirs = api.get(f"/api/v1/{prefix}/?page_size=5")
    assert ours.status_code == theirs.status_code == 200
    assert ours.content == theirs.content


def test_pages_and_errors_are_written_by_orjson(api, world, monkeypatch):
    import orjson

    from api import renderers as api_renderers

    calls, dumps = [], orjson.dumps
    monkeypatch.setattr(api_renderers.orjson, "dumps", lambda *a, **k: calls.append(1) or dumps(*a, **k))
    assert api.get("/api/v1/candidates/").status_code == 200
    assert api.get("/api/v1/candidates/?nope=1").status_code == 400
    assert api.get("/api/v1/candidates/?format=csv&page_size=0").status_code == 400  # errors of CSV are JSON
    assert len(calls) == 3
