"""Issue 17, point 3: `?format=csv` never writes a name a spreadsheet would run as a formula (both
the streamed list and the rendered detail), and numbers stay numbers."""

import csv
import io

import pytest

from registry.models import Person
from territory.models import AdminUnit

pytestmark = pytest.mark.django_db

STARTS = ["=", "+", "-", "@", "\t", "\r"]


def _rows(response):
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode(), newline="")))


@pytest.mark.parametrize("start", STARTS)
def test_names_in_the_streamed_list_are_neutralised(api, world, start):
    surname = f'{start}HYPERLINK("http://evil.example","x")'
    Person.objects.filter(pk=world.cand_k1.person_id).update(surname=surname)
    rows = _rows(api.get("/api/v1/candidates/?format=csv"))
    surnames = [row["surname"] for row in rows]
    assert "'" + surname in surnames
    assert not any(s.startswith(tuple(STARTS)) for s in surnames)


@pytest.mark.parametrize("start", STARTS)
def test_names_in_a_rendered_detail_and_nested_columns_are_neutralised(api, world, start):
    Person.objects.filter(pk=world.cand_k1.person_id).update(surname=f"{start}2+3")
    AdminUnit.objects.filter(pk=world.karaganda[2].pk).update(
        name_ru=f"{start}cmd", name_kk=f"{start}cmd", name_en=f"{start}cmd"
    )
    detail = _rows(api.get(f"/api/v1/candidates/{world.cand_k1.pk}/?format=csv"))[0]
    assert detail["surname"] == f"'{start}2+3"
    units = _rows(api.get("/api/v1/units/?format=csv"))
    assert f"'{start}cmd" in {row["name"] for row in units}
    contests = _rows(api.get("/api/v1/contests/?format=csv"))
    assert f"'{start}cmd" in {row["unit.name"] for row in contests}


def test_plain_names_and_numbers_are_written_as_they_are(api, world):
    rows = _rows(api.get("/api/v1/candidates/?format=csv"))
    assert {row["surname"] for row in rows} == {"Synthetic"}
    stations = _rows(api.get("/api/v1/polling-stations/?format=csv"))
    assert {row["registered_voters"] for row in stations} == {"1000"}
