"""The admin changelists cost a constant number of queries, however many rows they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from territory.kato import Kind

from .factories import station, unit

pytestmark = pytest.mark.django_db


def _grow(world, n, start):
    """n more villages (with a station each) under the Karaganda rural district."""
    for i in range(start, start + n):
        village = unit(f"352031{200 + i:03d}", Kind.VILLAGE, world.kar_rural)
        station(village, 100 + i)


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"all": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return len(captured), len(response.context["cl"].result_list)


@pytest.mark.parametrize("username", ["cec", "tec-karaganda"])
@pytest.mark.parametrize(
    "url_name",
    [
        "admin:territory_adminunit_changelist",
        "admin:territory_pollingstation_changelist",
        "admin:territory_commission_changelist",
        "admin:territory_membership_changelist",
    ],
)
def test_changelist_queries_do_not_grow_with_rows(client, world, username, url_name):
    client.force_login(world.cec_user if username == "cec" else world.tec_user)
    url = reverse(url_name)
    _grow(world, 5, start=0)
    small, shown_small = _queries(client, url)
    _grow(world, 45, start=5)
    large, shown_large = _queries(client, url)
    if url_name.endswith(("adminunit_changelist", "pollingstation_changelist")):
        assert shown_large >= shown_small + 45
    assert large == small
