"""Moment filters (since, until, changed_since) take any UTC offset Python parses and compare in UTC.

PostgreSQL refuses an offset beyond ±15:59 ("time zone displacement out of range"); before the
filters cleaned to UTC, such a request was a database error that ended the request's transaction
(found by schemathesis on PostgreSQL: `until=1755-11-07T17:47:50+21:55`).
"""

import datetime

import pytest
from django.db import connection

from api.filters import InstantField
from results.models import Protocol

ENDPOINTS = [
    "/api/v1/audit-checkpoints/?until={}",
    "/api/v1/audit-checkpoints/?since={}",
    "/api/v1/audit-events/?since={}",
    "/api/v1/audit-events/?until={}",
    "/api/v1/protocols/?changed_since={}",
]


def test_an_offset_beyond_postgresqls_range_is_the_same_moment_in_utc():
    moment = InstantField().clean("1755-11-07T17:47:50+21:55")
    assert moment == datetime.datetime(1755, 11, 6, 19, 52, 50, tzinfo=datetime.UTC)
    assert moment.utcoffset() == datetime.timedelta(0)


def test_a_moment_without_offset_stays_as_given():
    # Django makes it aware in the current time zone afterwards, as for any form field.
    moment = InstantField().clean("2021-07-25T20:00:00+06:00")
    assert moment == datetime.datetime(2021, 7, 25, 14, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize("raw", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"])
def test_a_moment_outside_the_calendar_in_utc_is_refused(raw):
    from django import forms

    with pytest.raises(forms.ValidationError) as refused:
        InstantField().clean(raw)
    assert refused.value.code == "out_of_range"


@pytest.mark.parametrize("template", ENDPOINTS)
@pytest.mark.parametrize("raw", ["1755-11-07T17%3A47%3A50%2B21%3A55", "1755-11-07T23%3A36%3A12.040-15%3A33"])
def test_far_offsets_answer_200_and_leave_the_connection_usable(api, world, template, raw):
    response = api.get(template.format(raw))
    assert response.status_code == 200, response.content[:300]
    with connection.cursor() as cursor:  # the transaction is not aborted
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


@pytest.mark.parametrize("template", ENDPOINTS)
def test_a_moment_outside_the_calendar_is_a_400_naming_the_parameter(api, world, template):
    response = api.get(template.format("0001-01-01T00%3A00%3A00%2B05%3A00"))
    assert response.status_code == 400
    parameter = template.split("?")[1].split("=")[0]
    print(response.json())
    assert parameter in str(response.json())


def test_the_filter_compares_in_utc(api, world):
    changed = Protocol.objects.exclude(state_changed_at=None).order_by("id").first()
    moment = changed.state_changed_at.astimezone(datetime.timezone(datetime.timedelta(hours=21, minutes=55)))

    def ids(at):
        raw = at.isoformat().replace("+", "%2B").replace(":", "%3A")
        response = api.get(f"/api/v1/protocols/?changed_since={raw}&page_size=500")
        assert response.status_code == 200, response.content[:300]
        return {row["id"] for row in response.json()["results"]}

    assert changed.pk in ids(moment - datetime.timedelta(seconds=1))
    assert changed.pk not in ids(moment)
