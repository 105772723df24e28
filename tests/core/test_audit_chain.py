"""The audit trail: hash chain, verification, append-only on PostgreSQL."""

import datetime

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from core import audit, clock
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _write(n, actor=None, object_id=1):
    for _ in range(n):
        with transaction.atomic():
            audit.record(actor=actor, action="test.event", object_type="test", object_id=object_id, to_state="x")


@pytest.mark.django_db(transaction=True)
def test_record_outside_transaction_is_refused():
    with pytest.raises(RuntimeError):
        audit.record(actor=None, action="test.event", object_type="test", object_id=1)
    assert AuditEvent.objects.count() == 0


def test_chain_links_each_record_to_the_previous_of_its_object(django_user_model):
    user = django_user_model.objects.create_user("u1")
    _write(3, actor=user)
    events = list(AuditEvent.objects.in_chain_order())
    assert {e.stream for e in events} == {"test:1"}
    assert events[0].prev_hash == audit.genesis("test:1") != audit.GENESIS
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert events[0].actor_name == "u1"
    assert audit.verify_chain() == (3, None)


def test_each_object_has_its_own_chain_interleaved_in_time():
    for object_id in (1, 2, 1, 3, 2, 1):
        _write(1, object_id=object_id)
    by_stream = {}
    for event in AuditEvent.objects.order_by("id"):
        by_stream.setdefault(event.stream, []).append(event)
    assert sorted(by_stream) == ["test:1", "test:2", "test:3"]
    for stream, events in by_stream.items():
        assert events[0].prev_hash == audit.genesis(stream)
        assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert audit.verify_chain() == (6, None)


def test_events_without_an_object_share_the_system_chain():
    with transaction.atomic():
        first = audit.record(actor=None, action="test.login")
        second = audit.record(actor=None, action="test.login")
    assert first.stream == second.stream == audit.SYSTEM_STREAM
    assert second.prev_hash == first.hash
    assert audit.verify_chain() == (2, None)


def test_record_many_continues_each_objects_chain(django_user_model):
    users = [django_user_model.objects.create_user(f"u{i}") for i in range(3)]
    with transaction.atomic():
        before = audit.record(actor=None, action="test.one", obj=users[0])
    with transaction.atomic():
        events = audit.record_many([{"action": "test.bulk", "obj": u} for u in (*users, users[0])])
    assert events[0].prev_hash == before.hash
    assert events[3].prev_hash == events[0].hash
    assert events[1].prev_hash == audit.genesis(f"auth.user:{users[1].pk}")
    assert audit.verify_chain() == (5, None)


def _tamper(sql, params):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A tamperer with superuser rights must first disable the trigger.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_no_update_delete")
        cursor.execute(sql, params)


def test_an_event_moved_to_another_objects_chain_is_broken():
    _write(2, object_id=1)
    _write(1, object_id=2)
    moved = AuditEvent.objects.get(stream="test:2")
    # Relabelled as object 1's, with the stream to match: its hash no longer covers its content.
    _tamper("UPDATE core_auditevent SET object_id = '1', stream = 'test:1' WHERE id = %s", [moved.pk])
    count, broken = audit.verify_chain()
    assert broken == moved.pk


def test_an_event_in_the_wrong_stream_is_broken():
    _write(1, object_id=1)
    event = AuditEvent.objects.get()
    _tamper("UPDATE core_auditevent SET stream = 'test:9' WHERE id = %s", [event.pk])
    assert audit.verify_chain() == (0, event.pk)


def test_legacy_events_of_the_one_global_chain_still_verify():
    """Events written before chains were per object have stream "" and chain globally from GENESIS."""
    created = clock.now()
    prev = audit.GENESIS
    for i in range(3):
        event = AuditEvent(created_at=created, action="legacy", object_type="test", object_id=str(i), prev_hash=prev)
        event.hash = audit.compute_hash(prev, event)
        with transaction.atomic():
            event.save(force_insert=True)
        prev = event.hash
    _write(2)
    assert audit.verify_chain() == (5, None)


def test_frozen_clock_in_local_time_still_verifies():
    local = datetime.datetime(2021, 7, 14, 18, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=6)))
    with clock.frozen(local):
        _write(2)
    assert audit.verify_chain() == (2, None)
    assert AuditEvent.objects.first().created_at == local


def test_an_edited_row_breaks_the_chain_there(capsys):
    _write(4)
    third = AuditEvent.objects.in_chain_order()[2]
    _tamper("UPDATE core_auditevent SET reason = 'edited' WHERE id = %s", [third.pk])
    assert audit.verify_chain() == (2, third.pk)
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit")
    assert exit_info.value.code == 1
    assert f"broken at record {third.pk}" in capsys.readouterr().err


def test_verify_audit_reports_the_count(capsys):
    _write(5)
    call_command("verify_audit")
    assert "5 records verified" in capsys.readouterr().out


@pytest.mark.postgres
def test_postgres_refuses_update_and_delete():
    _write(1)
    for sql in ("UPDATE core_auditevent SET reason = 'x'", "DELETE FROM core_auditevent"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.get().reason == ""
