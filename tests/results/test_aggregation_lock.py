"""The per-election lock on PostgreSQL: a second run skips while another connection holds it, and
the lock goes away with the connection that held it (a dead worker never blocks aggregation)."""

import time

import psycopg
import pytest
from django.db import connection

from results.aggregation import AggregationBusy, recompute
from results.aggregation.locks import NAMESPACE
from results.models import ContestResult

from . import aggregation_data as data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def other_connection():
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    params.pop("server_side_binding", None)
    return psycopg.connect(**params, autocommit=True)


def wait_until_unlocked(key, seconds=10):
    with connection.cursor() as cursor:
        for _ in range(seconds * 20):
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND objid = %s",
                [NAMESPACE, key],
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.05)
    pytest.fail("the advisory lock outlived its connection")


@pytest.fixture
def election():
    region = data.region()
    election = data.election()
    c, cands, stations = data.contest(election, data.rural_district(data.district(region)))
    data.simple_protocol(c, stations[0], cands, [7, 3])
    return election


def test_a_second_run_skips_while_the_first_holds_the_lock_and_runs_once_it_is_gone(election):
    other = other_connection()
    try:
        other.execute("SELECT pg_advisory_lock(%s, %s)", [NAMESPACE, election.pk])
        with pytest.raises(AggregationBusy):
            recompute(election)
        assert not ContestResult.objects.filter(election=election).exists()
        # Another election is not blocked.
        region = data.region()
        free = data.election()
        data.contest(free, data.rural_district(data.district(region)))
        recompute(free)
    finally:
        other.close()  # the "worker" dies: the server drops its locks as its backend exits
    wait_until_unlocked(election.pk)
    recompute(election)
    assert ContestResult.objects.filter(election=election).count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_lock_is_released_at_the_end_of_the_run(election):
    recompute(election)
    other = other_connection()
    try:
        got = other.execute("SELECT pg_try_advisory_lock(%s, %s)", [NAMESPACE, election.pk]).fetchone()[0]
        assert got is True
    finally:
        other.close()
