"""Races on PostgreSQL with real threads: two second entries at once, and an entry racing certification.

Each service call runs in its own thread with its own connection. A short sleep is injected
after the row lock is taken (inside the controls step), so the racers really overlap: the
second one waits on `select_for_update` and then sees the winner's state.
"""

import threading
import time

import pytest
from django.db import connection

from core import clock
from core.errors import DomainError
from core.models import AuditEvent
from results.models import Protocol, ProtocolEntry, ProtocolState
from results.services import certify_protocol, create_protocols_for_contest, save_entry
from results.services import entry as entry_module

from .factories import COUNTING, World

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tx_world(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with clock.frozen(COUNTING):
        w = World()
        create_protocols_for_contest(w.contest, w.cec)
        w.protocol = Protocol.objects.get(contest=w.contest, polling_station=w.station)
        yield w


@pytest.fixture
def slow_controls(monkeypatch):
    # After the row lock: every entry (and a kept entry's re-check) reads the controls' context.
    original = entry_module.control_context

    def slow(*args, **kwargs):
        time.sleep(0.3)
        return original(*args, **kwargs)

    monkeypatch.setattr(entry_module, "control_context", slow)


def race(*calls):
    """Run the calls at once; returns each one's result or the DomainError it raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except DomainError as error:
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


@pytest.mark.parametrize("with_version", [True, False])
def test_two_clerks_finishing_the_second_entry_at_once(tx_world, slow_controls, with_version):
    w = tx_world
    save_entry(w.protocol, w.clerk1, w.values(), finish=True)
    version = Protocol.objects.get(pk=w.protocol.pk).version if with_version else None
    results = race(
        lambda: save_entry(w.protocol, w.clerk2, w.values(), finish=True, expected_version=version),
        lambda: save_entry(
            w.protocol, w.clerk3, w.values(spoiled="11", unused="239"), finish=True, expected_version=version
        ),
    )
    errors = [r for r in results if isinstance(r, DomainError)]
    assert len(errors) == 1, results
    assert errors[0].code in ("stale_form", "entry_not_open")
    protocol = Protocol.objects.get(pk=w.protocol.pk)
    assert protocol.state in (ProtocolState.VERIFIED, ProtocolState.IN_DISCREPANCY)
    finished = ProtocolEntry.objects.filter(protocol=protocol, status="finished")
    assert sorted(finished.values_list("slot", flat=True)) == [1, 2]  # both entries kept, no third
    outcomes = AuditEvent.objects.for_object(protocol).filter(action__startswith="protocol.finish_second")
    assert outcomes.count() == 1


def test_the_same_clerk_submitting_twice_at_once(tx_world, slow_controls):
    w = tx_world
    save_entry(w.protocol, w.clerk1, w.values(), finish=True)
    save_entry(w.protocol, w.clerk2, {"voters": "1000"})
    results = race(
        lambda: save_entry(w.protocol, w.clerk2, w.values(), finish=True),
        lambda: save_entry(w.protocol, w.clerk2, w.values(), finish=True),
    )
    assert sum(isinstance(r, DomainError) for r in results) == 1
    assert Protocol.objects.get(pk=w.protocol.pk).state == ProtocolState.VERIFIED
    assert AuditEvent.objects.filter(action="protocol.finish_second_equal").count() == 1


def test_the_same_form_sent_twice_at_once_makes_one_entry(tx_world, slow_controls):
    """A double click or a retry after a time-out: both requests succeed, one entry is written."""
    w = tx_world
    token = "double-click-token"
    results = race(
        lambda: save_entry(w.protocol, w.clerk1, w.values(), finish=True, expected_version=0, submission=token),
        lambda: save_entry(w.protocol, w.clerk1, w.values(), finish=True, expected_version=0, submission=token),
    )
    assert not any(isinstance(r, DomainError) for r in results), results
    assert results[0][1].pk == results[1][1].pk
    assert ProtocolEntry.objects.filter(protocol=w.protocol).count() == 1
    assert Protocol.objects.get(pk=w.protocol.pk).state == ProtocolState.FIRST_ENTRY_DONE
    assert AuditEvent.objects.filter(action="protocol.finish_first").count() == 1


def test_an_entry_racing_a_certification(tx_world, slow_controls):
    """The second entry and the TEC's certification at once: whichever order, never a certified
    protocol without its verified figures, and no entry lost."""
    w = tx_world
    save_entry(w.protocol, w.clerk1, w.values(), finish=True)
    save_entry(w.protocol, w.clerk2, {"voters": "1000"})
    results = race(
        lambda: save_entry(w.protocol, w.clerk2, w.values(), finish=True),
        lambda: certify_protocol(w.protocol, w.tec),
    )
    protocol = Protocol.objects.get(pk=w.protocol.pk)
    assert not isinstance(results[0], DomainError)  # the entry never loses
    assert protocol.entries.filter(status="finished").count() == 2
    if isinstance(results[1], DomainError):
        assert results[1].code == "invalid_transition"
        assert protocol.state == ProtocolState.VERIFIED
    else:
        assert protocol.state == ProtocolState.CERTIFIED and protocol.voters == 1000
        actions = list(AuditEvent.objects.for_object(protocol).order_by("id").values_list("action", flat=True))
        assert actions.index("protocol.finish_second_equal") < actions.index("protocol.certify")


def test_a_late_entry_into_a_protocol_being_certified(tx_world, monkeypatch):
    """A third clerk's entry racing the certification of a verified protocol is refused either way."""
    w = tx_world
    save_entry(w.protocol, w.clerk1, w.values(), finish=True)
    save_entry(w.protocol, w.clerk2, w.values(), finish=True)
    results = race(
        lambda: certify_protocol(w.protocol, w.tec),
        lambda: save_entry(w.protocol, w.clerk3, w.values(), finish=True),
    )
    assert not isinstance(results[0], DomainError)
    assert results[1].code in ("entry_not_open", "protocol_certified")
    protocol = Protocol.objects.get(pk=w.protocol.pk)
    assert protocol.state == ProtocolState.CERTIFIED
    assert protocol.entries.count() == 2
