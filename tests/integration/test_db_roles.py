"""Least privilege in the database (PostgreSQL): the application role made by `setup_db_roles` may
read and write rows, append to the audit trail and sign checkpoints, but cannot truncate or alter
the audit table, disable its triggers, rewrite its rows or change the schema; /readyz warns when
the application connects as the audit table's owner."""

import json

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import Client

from core import audit, checkpoints
from core.health import database_role_warnings
from core.models import AuditEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def app_role(settings):
    """A login role of its own for this test database (roles are cluster-wide), dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_app"[:60]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE ROLE "{name}" LOGIN PASSWORD %s', ["app-password"])
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f'DROP OWNED BY "{name}"')
        cursor.execute(f'DROP ROLE "{name}"')


def _connect_as(role):
    params = connection.get_connection_params()
    return psycopg.connect(
        host=params.get("host") or "127.0.0.1",
        port=params.get("port") or 5432,
        dbname=params["dbname"],
        user=role,
        password="app-password",
        autocommit=True,
    )


def _refused(conn, sql):
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as excinfo:
        conn.execute(sql)
    return str(excinfo.value)


def test_the_application_role_writes_rows_but_cannot_touch_the_audit_table_or_schema(app_role, capsys):
    with transaction.atomic():
        audit.record(actor=None, action="test.event", object_type="test", object_id=1)
    call_command("setup_db_roles", "--app-role", app_role)
    assert f"role {app_role}: row access to every table" in capsys.readouterr().out

    with _connect_as(app_role) as conn:
        assert "core_auditevent" in _refused(conn, "TRUNCATE core_auditevent")
        assert "must be owner" in _refused(conn, "ALTER TABLE core_auditevent DISABLE TRIGGER USER")
        assert "must be owner" in _refused(conn, "ALTER TABLE core_auditevent ADD COLUMN evil text")
        assert "must be owner" in _refused(conn, "DROP TRIGGER core_auditevent_no_update_delete ON core_auditevent")
        _refused(conn, "UPDATE core_auditevent SET reason = 'x'")
        _refused(conn, "DELETE FROM core_auditevent")
        _refused(conn, "UPDATE core_auditcheckpoint SET root = 'x'")
        _refused(conn, "TRUNCATE core_auditcheckpoint")
        assert "schema public" in _refused(conn, "CREATE TABLE evil (id int)")
        _refused(conn, "TRUNCATE django_session")
        # Ordinary writes work.
        conn.execute(
            "INSERT INTO django_session (session_key, session_data, expire_date) "
            "VALUES ('k1', 'd', now() + interval '1 day')"
        )
        conn.execute("UPDATE django_session SET session_data = 'e' WHERE session_key = 'k1'")
        conn.execute("DELETE FROM django_session WHERE session_key = 'k1'")
        assert conn.execute("SELECT count(*) FROM core_auditevent").fetchone()[0] == 1

    # The application's own code as that role: append to the trail, sign a checkpoint (its cut
    # takes a SHARE lock through the owner's function), and /readyz sees no owner.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f'SET LOCAL ROLE "{app_role}"')
        audit.record(actor=None, action="test.event", object_type="test", object_id=1)
        assert database_role_warnings() == []
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f'SET LOCAL ROLE "{app_role}"')
        from django.test import override_settings

        with override_settings(AUDIT_SIGNING_KEY=checkpoints.new_key_pair()[0]):
            checkpoint = checkpoints.make_checkpoint()
    assert checkpoint.size == 2 and AuditEvent.objects.count() == 2
    assert audit.verify_chain() == (2, None)


def test_setup_db_roles_refuses_the_owner_itself_and_unknown_roles():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (owner,) = cursor.fetchone()
    with pytest.raises(CommandError, match="is the owner this command runs as"):
        call_command("setup_db_roles", "--app-role", owner)
    with pytest.raises(CommandError, match="does not exist"):
        call_command("setup_db_roles", "--app-role", "no_such_role_h")


def test_readyz_warns_when_the_app_connects_as_the_audit_tables_owner():
    # The test suite connects as the owner (and a superuser): exactly what the warning is for.
    response = Client().get("/readyz")
    body = json.loads(response.content)
    assert response.status_code == 200 and body["status"] == "ok"
    assert "database_role_owns_audit_table" in body["warnings"]
