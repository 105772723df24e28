"""Issue 20, point 5: the schema says exactly what the server accepts (bounds, patterns, empty values,
CSV bodies, JSON errors); scripts/api_conformance.sh checks it over HTTP with schemathesis."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    return client.get("/api/schema/?format=json").json()


def _parameter(schema, path, name):
    return next(p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name)


def test_filters_declare_their_bounds_and_patterns(schema):
    year = _parameter(schema, "/api/v1/elections/", "year")["schema"]
    assert (year["type"], year["minimum"], year["maximum"]) == ("integer", 1991, 2999)
    assert _parameter(schema, "/api/v1/candidates/", "party")["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 2**63 - 1,
    }
    assert _parameter(schema, "/api/v1/contests/", "region")["schema"]["pattern"] == "^([0-9]{2}|[0-9]{9})$"
    assert _parameter(schema, "/api/v1/contests/", "district")["schema"]["pattern"] == "^([0-9]{4}|[0-9]{9})$"
    assert _parameter(schema, "/api/v1/units/", "kato")["schema"]["pattern"] == "^[0-9]{1,9}$"
    assert _parameter(schema, "/api/v1/polling-stations/", "number")["schema"]["type"] == "integer"
    assert _parameter(schema, "/api/v1/results/", "page")["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 999_999_999,
    }
    assert "registry.contest" in _parameter(schema, "/api/v1/audit-events/", "object_type")["schema"]["enum"]


def test_an_empty_value_is_allowed_where_it_means_no_filter(schema, api, world):
    assert _parameter(schema, "/api/v1/audit-checkpoints/", "until")["allowEmptyValue"] is True
    assert api.get("/api/v1/audit-checkpoints/?until=").status_code == 200
    # An empty choice of a multiple-choice filter is invalid: not declared allowed.
    assert "allowEmptyValue" not in _parameter(schema, "/api/v1/units/", "kind")
    assert api.get("/api/v1/units/?kind=").status_code == 400


@pytest.mark.parametrize(
    "path, status",
    [
        ("/api/v1/elections/?year=1990", 400),
        ("/api/v1/elections/?year=1991", 200),
        ("/api/v1/elections/?year=2999", 200),
        ("/api/v1/elections/?year=3000", 400),
        ("/api/v1/polling-stations/?number=0.5", 400),
        ("/api/v1/polling-stations/?number=1", 200),
        ("/api/v1/polling-stations/?number=9223372036854775808", 400),
        ("/api/v1/results/?page=999999999", 404),
        ("/api/v1/results/?page=1000000000", 400),
    ],
)
def test_bounds_on_both_sides(api, world, path, status):
    assert api.get(path).status_code == status


def test_csv_bodies_are_declared_by_their_columns_and_errors_are_json_only(schema):
    responses = schema["paths"]["/api/v1/protocols/"]["get"]["responses"]
    rows = responses["200"]["content"]["text/csv"]["schema"]
    assert rows["type"] == "array"
    assert rows["items"]["required"][-2:] == ["votes.candidacy", "votes.votes"]
    assert set(rows["items"]["properties"]["id"]) == {"type"}
    for status in ("400", "401", "403", "404", "429"):
        assert list(responses[status]["content"]) == ["application/json"]


@pytest.mark.parametrize(
    "language, message",
    [
        ("en", "Give this parameter once."),
        ("ru", "Укажите этот параметр один раз."),
        ("kk", "Бұл параметрді бір рет беріңіз."),
    ],
)
def test_a_single_valued_parameter_given_twice_is_400(api, world, language, message):
    response = api.get("/api/v1/parties/?short_name=A&short_name=B", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert response.json()["errors"] == {"short_name": [message]}


def test_a_multiple_choice_filter_may_be_repeated(api, world):
    assert api.get("/api/v1/protocols/?state=certified&state=verified").status_code == 200


@pytest.mark.parametrize(
    "path, status",
    [
        ("/api/v1/parties/?format=csv&page_size=1001", 400),
        ("/api/v1/parties/?format=csv&page_size=1000", 200),
        ("/api/v1/parties/?format=csv&page=0", 400),
        ("/api/v1/protocols/?format=csv&cursor=garbage", 404),
    ],
)
def test_csv_checks_the_paging_parameters_it_does_not_use(api, world, path, status):
    assert api.get(path).status_code == status
