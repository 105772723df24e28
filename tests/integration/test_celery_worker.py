"""A real Celery worker (a separate process, on Redis and the test PostgreSQL database) updates the
result tables after protocols are certified and reopened through the services.

The worker listens on a queue named for this run only, so no stale task from an earlier run is
picked up, and it is terminated before the test database is flushed.
"""

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from core import clock
from devtools.loadtest.server import database_url
from electadmin.celery import app as celery_app
from results.models import ContestResult, Protocol
from results.services import certify_protocol, create_protocols_for_contest, reopen_protocol
from tests.results.factories import COUNTING, World
from tests.results.helpers import verified

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 60
BASE_DIR = Path(settings.BASE_DIR)


def use_routes(routes):
    """Set the task routes. Celery builds its router from them at the first publish in the process
    and caches it (a test before this one, certifying through a page, may have published): flush it."""
    celery_app.conf.task_routes = routes
    celery_app.amqp.flush_routes()
    celery_app.amqp.__dict__.pop("router", None)


@pytest.fixture
def worker_queue():
    """Route the aggregation task to a fresh queue and run a real worker on it."""
    queue = f"test-aggregation-{uuid.uuid4().hex[:12]}"
    previous_routes = celery_app.conf.task_routes
    use_routes({"results.tasks.aggregate_contests": {"queue": queue}})
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "DEBUG": "1",
        "PYTHONUNBUFFERED": "1",
    }
    celery = Path(sys.executable).parent / "celery"
    log = tempfile.NamedTemporaryFile("w+", prefix="celery-worker-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(
        [
            str(celery),
            "-A",
            "electadmin",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            queue,
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"{queue}@%h",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process, log.name
    finally:
        use_routes(previous_routes)
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)
        log.close()
        os.unlink(log.name)


def wait_for(predicate, process, log_name, what):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if predicate():
            return
        if process.poll() is not None:
            break
        time.sleep(0.5)
    output = Path(log_name).read_text()[-4000:]
    pytest.fail(f"the worker did not {what} within {WAIT_SECONDS}s (exit code {process.poll()}):\n{output}")


def official(contest):
    return ContestResult.objects.filter(contest=contest, basis="official").first()


def test_a_real_worker_aggregates_after_certification_and_reopening(worker_queue):
    process, log_name = worker_queue
    assert settings.CELERY_BROKER_URL
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    assert celery_app.conf.task_always_eager is False

    with clock.frozen(COUNTING):
        w = World()
        create_protocols_for_contest(w.contest, w.cec)
        protocol = Protocol.objects.get(contest=w.contest, polling_station=w.station)
        certify_protocol(verified(w, protocol), w.tec)

    # The service committed and enqueued; nothing ran in this process.
    wait_for(lambda: official(w.contest) is not None, process, log_name, "write the contest's results")
    row = official(w.contest)
    assert (row.protocols_counted, row.protocols_expected) == (1, 2)
    assert row.ballots_issued == 750
    assert row.outcome == "incomplete"

    with clock.frozen(COUNTING):
        reopen_protocol(protocol, w.tec, reason="recount ordered")

    def reopened():
        r = official(w.contest)
        return r is not None and r.protocols_counted == 0

    wait_for(reopened, process, log_name, "take the reopened protocol out of the official totals")
    assert official(w.contest).ballots_issued == 0
