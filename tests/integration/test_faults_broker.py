"""Fault: the broker (Redis) is down while a protocol is certified.

The broker is not stopped (the Redis server is shared): this process's Celery app is pointed at a
loopback port that refuses connections, exactly what a dead Redis looks like to a client.
Certification still commits (protocol certified, audit record written), the failed enqueue is
logged, and nothing is computed. Once the broker is back, the nightly run (`aggregate_all`,
called directly as beat would) enqueues a full recomputation that a real worker runs, and the
official tables include the protocol.
"""

import contextlib
import logging
import socket

import pytest

from core import clock
from core.models import AuditEvent
from electadmin.celery import app as celery_app
from results.models import ContestResult, Protocol, ProtocolState
from results.services import certify_protocol, create_protocols_for_contest
from results.tasks import aggregate_all
from tests.integration.test_celery_worker import wait_for, worker_queue  # noqa: F401 (fixture)
from tests.results.factories import COUNTING, World
from tests.results.helpers import verified

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _reset_connections():
    celery_app._pool = None
    with contextlib.suppress(AttributeError, KeyError):
        celery_app.__dict__["amqp"]._producer_pool = None


@contextlib.contextmanager
def broker_down():
    """This process's broker connections go to a bound, never listening loopback port."""
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
    port = closed.getsockname()[1]
    saved = celery_app.conf.get("broker_write_url")
    # The write URL is what publishing uses (broker_url itself is read from the environment first).
    celery_app.conf.broker_write_url = f"redis://127.0.0.1:{port}/0"
    _reset_connections()
    try:
        yield port
    finally:
        celery_app.conf.broker_write_url = saved
        _reset_connections()
        closed.close()


def official(contest):
    return ContestResult.objects.filter(contest=contest, basis="official").first()


def test_certification_survives_a_dead_broker_and_the_nightly_run_catches_up(worker_queue, caplog):  # noqa: F811
    process, log_name = worker_queue
    assert celery_app.conf.task_always_eager is False
    with clock.frozen(COUNTING):
        w = World()
        create_protocols_for_contest(w.contest, w.cec)
        protocol = verified(w, Protocol.objects.get(contest=w.contest, polling_station=w.station))

        with broker_down(), caplog.at_level(logging.ERROR, logger="results"):
            certify_protocol(protocol, w.tec)

    protocol.refresh_from_db()
    assert protocol.state == ProtocolState.CERTIFIED
    certified = AuditEvent.objects.for_object(protocol).filter(to_state=ProtocolState.CERTIFIED)
    assert certified.count() == 1
    failures = [r for r in caplog.records if "nightly run will catch up" in r.getMessage()]
    assert failures, "the failed enqueue was not logged"
    assert str(w.election.pk) in failures[0].getMessage()
    assert official(w.contest) is None, "nothing could have been computed"

    # The broker is back: the nightly run enqueues a full recomputation, the worker runs it.
    assert aggregate_all() == [w.election.pk]
    wait_for(lambda: official(w.contest) is not None, process, log_name, "run the nightly aggregation")
    row = official(w.contest)
    assert (row.protocols_counted, row.protocols_expected, row.ballots_issued) == (1, 2, 750)
