"""Every aggregation run that commits is followed by a signed checkpoint of the audit trail."""

import logging

import pytest

from core import checkpoints
from core.models import AuditCheckpoint
from results.aggregation import AggregationBusy, recompute


@pytest.fixture
def key(settings):
    settings.AUDIT_SIGNING_KEY = checkpoints.new_key_pair()[0]


def test_a_run_makes_a_checkpoint_once_it_commits(world, key, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        recompute(world.contest.election)
    assert not AuditCheckpoint.objects.exists()  # nothing before the commit
    for callback in callbacks:
        callback()
    checkpoint = AuditCheckpoint.objects.get()
    assert checkpoint.occasion == "aggregation"
    assert checkpoints.signature_valid(checkpoint.public_key, checkpoint.signature, checkpoint.signed_text())


def test_a_busy_run_makes_none(world, key, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr("results.aggregation.run.lock_election", lambda *args, **kwargs: False)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(AggregationBusy):
        recompute(world.contest.election)
    assert not AuditCheckpoint.objects.exists()


def test_without_a_key_in_production_the_run_stands_and_the_log_says_why(
    world, settings, caplog, django_capture_on_commit_callbacks
):
    settings.AUDIT_SIGNING_KEY, settings.DEBUG = "", False
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        summary = recompute(world.contest.election)
    assert summary.contests == 2
    assert not AuditCheckpoint.objects.exists()
    assert "audit checkpoint not made: AUDIT_SIGNING_KEY is not set" in caplog.text
