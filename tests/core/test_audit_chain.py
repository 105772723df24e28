"""The audit trail: hash chain, verification, append-only on PostgreSQL."""

import datetime

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from core import audit, clock
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _write(n, actor=None):
    for i in range(n):
        with transaction.atomic():
            audit.record(actor=actor, action="test.event", object_type="test", object_id=i, to_state="x")


@pytest.mark.django_db(transaction=True)
def test_record_outside_transaction_is_refused():
    with pytest.raises(RuntimeError):
        audit.record(actor=None, action="test.event", object_type="test", object_id=1)
    assert AuditEvent.objects.count() == 0


def test_chain_links_each_record_to_the_previous(django_user_model):
    user = django_user_model.objects.create_user("u1")
    _write(3, actor=user)
    events = list(AuditEvent.objects.in_chain_order())
    assert events[0].prev_hash == audit.GENESIS
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert events[0].actor_name == "u1"
    assert audit.verify_chain() == (3, None)


def test_frozen_clock_in_local_time_still_verifies():
    local = datetime.datetime(2021, 7, 14, 18, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=6)))
    with clock.frozen(local):
        _write(2)
    assert audit.verify_chain() == (2, None)
    assert AuditEvent.objects.first().created_at == local


def test_an_edited_row_breaks_the_chain_there(capsys):
    _write(4)
    third = AuditEvent.objects.in_chain_order()[2]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A tamperer with superuser rights must first disable the trigger.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_no_update_delete")
        cursor.execute("UPDATE core_auditevent SET reason = 'edited' WHERE id = %s", [third.pk])
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
