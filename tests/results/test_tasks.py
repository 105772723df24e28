"""Celery tasks of aggregation, called as plain functions (the real worker runs in tests/integration)."""

import logging

import pytest
from celery.exceptions import Retry
from kombu.exceptions import OperationalError

from results import tasks
from results.aggregation.locks import AggregationBusy
from results.models import ContestResult, ProtocolState

from . import aggregation_data as data

pytestmark = pytest.mark.django_db


@pytest.fixture
def contest():
    region = data.region()
    election = data.election()
    c, cands, stations = data.contest(election, data.rural_district(data.district(region)))
    data.simple_protocol(c, stations[0], cands, [10, 4])
    return c


def test_broker_failure_is_logged_and_never_raises(contest, monkeypatch, caplog, django_capture_on_commit_callbacks):
    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(tasks.aggregate_contests, "apply_async", down)
    with caplog.at_level(logging.ERROR, logger="results.tasks"), django_capture_on_commit_callbacks(execute=True):
        tasks.enqueue_aggregation(contest.election_id, [contest.pk])
    assert "nightly run will catch up" in caplog.text
    assert not ContestResult.objects.exists()


def test_enqueue_sends_only_after_commit(contest, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(tasks.aggregate_contests, "apply_async", lambda args, **kw: sent.append(args))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tasks.enqueue_aggregation(contest.election_id, [contest.pk, contest.pk])
    assert sent == []
    for callback in callbacks:
        callback()
    assert sent == [[contest.election_id, [contest.pk]]]


def test_enqueue_with_no_contests_sends_nothing(contest, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(tasks.aggregate_contests, "apply_async", lambda args, **kw: sent.append(args))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        tasks.enqueue_aggregation(contest.election_id, [])
    assert callbacks == []
    assert sent == []


def test_a_busy_election_retries_later_instead_of_dropping_its_contests(contest, monkeypatch):
    def busy(election_id, contest_ids=None, **kwargs):
        raise AggregationBusy(election_id)

    retried = {}

    def fake_retry(**kwargs):
        retried.update(kwargs)
        return Retry("later")

    monkeypatch.setattr(tasks, "update_by_id", busy)
    monkeypatch.setattr(tasks.aggregate_contests, "retry", fake_retry)
    with pytest.raises(Retry):
        tasks.aggregate_contests.run(contest.election_id, [contest.pk])
    assert retried == {"countdown": tasks.LOCK_RETRY_COUNTDOWN, "max_retries": tasks.LOCK_RETRIES}
    assert not ContestResult.objects.exists()


def test_a_missing_election_is_a_no_op():
    assert tasks.aggregate_contests.run(987654, [1]) is None


def test_aggregate_contests_writes_the_tables(contest):
    summary = tasks.aggregate_contests.run(contest.election_id, [contest.pk])
    assert summary["contests"] == 1
    assert ContestResult.objects.get(contest=contest, basis="official").ballots_issued == 14


def test_aggregate_all_enqueues_every_open_election_only(contest, monkeypatch):
    closed = data.election(status="closed")
    sent = []
    monkeypatch.setattr(tasks.aggregate_contests, "delay", lambda *args: sent.append(args))
    ids = tasks.aggregate_all.run()
    assert ids == [contest.election_id]
    assert sent == [(contest.election_id, None)]
    assert closed.pk not in ids


def test_task_options_for_a_robust_worker():
    task = tasks.aggregate_contests
    assert task.acks_late is True
    assert task.max_retries == tasks.DB_RETRIES
    assert task.time_limit and task.soft_time_limit < task.time_limit
    from django.db import DatabaseError

    assert DatabaseError in task.autoretry_for


def test_nightly_schedule_is_two_oclock_in_almaty(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["aggregate-all-nightly"]
    assert entry["task"] == "results.tasks.aggregate_all"
    # Asia/Almaty is UTC+5: 02:00 local is 21:00 UTC.
    assert entry["schedule"].hour == {21}
    assert entry["schedule"].minute == {0}


def test_full_run_covers_every_contest_of_the_election(contest):
    other, _, stations = data.contest(contest.election, data.rural_district(contest.unit.parent))
    data.protocol(other, stations[0], ProtocolState.FIRST_ENTRY_DONE)
    tasks.aggregate_contests.run(contest.election_id, None)
    assert ContestResult.objects.filter(election=contest.election, basis="official").count() == 2
    assert ContestResult.objects.get(contest=other, basis="official").protocols_counted == 0


def test_certification_succeeds_when_the_broker_is_down(world, monkeypatch, caplog, django_capture_on_commit_callbacks):
    from results.models import Protocol
    from results.services import certify_protocol

    from .helpers import verified

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(tasks.aggregate_contests, "apply_async", down)
    protocol = verified(world)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True) as callbacks:
        certify_protocol(protocol, world.tec)
    assert len(callbacks) >= 1
    assert Protocol.objects.get(pk=protocol.pk).state == ProtocolState.CERTIFIED
    assert "nightly run will catch up" in caplog.text


def test_busy_retries_wait_longer_each_time_up_to_a_cap(contest, monkeypatch):
    def busy(election_id, contest_ids=None, **kwargs):
        raise AggregationBusy(election_id)

    countdowns = []

    def fake_retry(**kwargs):
        countdowns.append(kwargs["countdown"])
        return Retry("later")

    monkeypatch.setattr(tasks, "update_by_id", busy)
    monkeypatch.setattr(tasks.aggregate_contests, "retry", fake_retry)
    for retries in (0, 1, 5, 50):
        tasks.aggregate_contests.push_request(retries=retries)
        try:
            with pytest.raises(Retry):
                tasks.aggregate_contests.run(contest.election_id, [contest.pk])
        finally:
            tasks.aggregate_contests.pop_request()
    assert countdowns == [10, 20, 60, tasks.LOCK_RETRY_COUNTDOWN_MAX]


def test_without_a_broker_certifying_updates_the_tables_in_process(world, settings, django_capture_on_commit_callbacks):
    """`make run` (no broker): the task runs eagerly once the certification commits."""
    from results.services import certify_protocol

    from .helpers import verified

    if settings.CELERY_BROKER_URL:
        pytest.skip("a broker is configured: the real worker is tested in tests/integration")
    with django_capture_on_commit_callbacks(execute=True):
        certify_protocol(verified(world), world.tec)
    row = ContestResult.objects.get(contest=world.contest, basis="official")
    assert (row.protocols_counted, row.ballots_issued) == (1, 750)
