"""Concurrent writers on PostgreSQL never fork the audit hash chain.

Threads (each with its own database connection) append events at the same moment, through both
write paths (`core.audit.record` and `core.audit.record_many`); afterwards the chain
verifies, every event is there, and no two events share a predecessor.
"""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from core import audit
from core.audit import record_many
from core.models import AuditEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8
PER_THREAD = 15
BULK = 3  # events per record_many call


def _writer(index, barrier, errors, obj):
    try:
        barrier.wait(timeout=30)
        for n in range(PER_THREAD):
            with transaction.atomic():
                if index % 2:
                    audit.record(actor=None, action="test.concurrent", object_type="test", object_id=f"{index}-{n}")
                else:
                    record_many(
                        [
                            {"action": "test.concurrent_bulk", "obj": obj, "data": {"thread": index, "n": n, "k": k}}
                            for k in range(BULK)
                        ]
                    )
    except Exception as error:  # reported by the test
        errors.append(repr(error))
    finally:
        connection.close()


def test_concurrent_writers_keep_one_chain(django_user_model):
    assert connection.vendor == "postgresql"
    obj = django_user_model.objects.create_user("audit-subject", password=None)
    before = AuditEvent.objects.count()
    barrier = threading.Barrier(THREADS)
    errors = []
    threads = [threading.Thread(target=_writer, args=(i, barrier, errors, obj)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []

    single = (THREADS // 2) * PER_THREAD
    bulk = (THREADS - THREADS // 2) * PER_THREAD * BULK
    assert AuditEvent.objects.count() == before + single + bulk
    count, broken = audit.verify_chain()
    assert broken is None
    assert count == before + single + bulk
    prev_hashes = list(AuditEvent.objects.values_list("prev_hash", flat=True))
    assert len(prev_hashes) == len(set(prev_hashes)), "two events share a predecessor: the chain forked"


def test_a_fork_is_refused_by_the_database():
    """The check above can fail: an event written on an already used predecessor is refused."""
    with transaction.atomic():
        first = audit.record(actor=None, action="test.one", object_type="test", object_id="1")
    fork = AuditEvent(
        created_at=first.created_at,
        action="test.fork",
        object_type="test",
        object_id="2",
        data={},
        prev_hash=first.prev_hash,
    )
    fork.hash = audit.compute_hash(fork.prev_hash, fork)
    with pytest.raises(IntegrityError), transaction.atomic():
        fork.save(force_insert=True)
    assert audit.verify_chain() == (AuditEvent.objects.count(), None)


def test_appends_to_different_objects_do_not_wait_for_each_other():
    """One open transaction holding an event of object A must not block an event of object B (with
    one global chain it did: every audited transaction waited for the one before it to commit),
    while a second writer to A waits until A's transaction ends."""
    holding, release = threading.Event(), threading.Event()
    errors = []

    def hold_a():
        try:
            with transaction.atomic():
                audit.record(actor=None, action="test.hold", object_type="test", object_id="A")
                holding.set()
                release.wait(timeout=30)
        except Exception as error:  # reported by the test
            errors.append(repr(error))
        finally:
            connection.close()

    def write(object_id, done):
        try:
            with transaction.atomic():
                audit.record(actor=None, action="test.other", object_type="test", object_id=object_id)
            done.set()
        except Exception as error:  # reported by the test
            errors.append(repr(error))
        finally:
            connection.close()

    holder = threading.Thread(target=hold_a)
    holder.start()
    assert holding.wait(timeout=30)
    b_done, a_done = threading.Event(), threading.Event()
    other = threading.Thread(target=write, args=("B", b_done))
    same = threading.Thread(target=write, args=("A", a_done))
    other.start()
    same.start()
    try:
        assert b_done.wait(timeout=10), "an append to another object's chain waited for an unrelated transaction"
        assert not a_done.wait(timeout=0.5), "two appends to one chain ran at once"
    finally:
        release.set()
        for t in (holder, other, same):
            t.join(timeout=30)
    assert errors == []
    assert a_done.is_set()
    assert audit.verify_chain() == (AuditEvent.objects.count(), None)
