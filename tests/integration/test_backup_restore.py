"""Backup and restore, following docs/OPERATIONS.md section 8: `pg_dump -Fc` of the test database,
`pg_restore --list` (readable), restore into a fresh database with `pg_restore --no-owner
--exit-on-error -j 4`, then `manage.py migrate --check` and `manage.py verify_audit` against the
restored copy (subprocesses with DATABASE_URL pointing at it). The scratch database is dropped
afterwards.

The test's data is committed (transaction=True) so that pg_dump, another session, sees it.
"""

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from core import clock
from core.models import AuditEvent
from results import aggregation_hook
from results.models import Protocol
from results.services import certify_protocol, create_protocols_for_contest
from tests.results.factories import COUNTING, World
from tests.results.helpers import verified

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(settings.BASE_DIR)


def pg_args():
    db = settings.DATABASES["default"]
    return ["-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432), "-U", db.get("USER") or "postgres"]


def pg_env():
    env = {**os.environ}
    if settings.DATABASES["default"].get("PASSWORD"):
        env["PGPASSWORD"] = settings.DATABASES["default"]["PASSWORD"]
    return env


def url_for(name):
    db = settings.DATABASES["default"]
    auth = db.get("USER") or "postgres"
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"


def run(cmd, env=None, check=True):
    result = subprocess.run(cmd, cwd=ROOT, env=env or pg_env(), capture_output=True, text=True, timeout=300)
    if check:
        assert result.returncode == 0, f"{cmd[0]} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture
def scratch_database():
    if not (shutil.which("pg_dump") and shutil.which("pg_restore") and shutil.which("createdb")):
        pytest.fail("pg_dump, pg_restore and createdb are needed (postgresql-client)")
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    yield name
    run(["dropdb", *pg_args(), "--if-exists", "--force", name], check=False)


def test_dump_restore_and_verify_the_audit_chain(scratch_database, tmp_path):
    with aggregation_hook.suppressed():
        w = World()
        with clock.frozen(COUNTING):
            create_protocols_for_contest(w.contest, w.cec)
            protocol = Protocol.objects.get(contest=w.contest, polling_station=w.station)
            certify_protocol(verified(w, protocol), w.tec)
    events = AuditEvent.objects.count()
    assert events >= 5

    dump = tmp_path / "electadmin.dump"
    run(["pg_dump", "-Fc", *pg_args(), "-d", settings.DATABASES["default"]["NAME"], "-f", str(dump)])
    listing = run(["pg_restore", "--list", str(dump)])
    assert "core_auditevent" in listing.stdout

    run(["createdb", *pg_args(), scratch_database])
    run(["pg_restore", *pg_args(), "-d", scratch_database, "--no-owner", "--exit-on-error", "-j", "4", str(dump)])

    env = {**pg_env(), "DATABASE_URL": url_for(scratch_database), "DEBUG": "1", "CONN_MAX_AGE": "0"}
    env.pop("CELERY_BROKER_URL", None)
    run([sys.executable, "manage.py", "migrate", "--check"], env=env)
    verify = run([sys.executable, "manage.py", "verify_audit"], env=env)
    # The command speaks LANGUAGE_CODE (Russian): "the chain is intact, N records verified", one line.
    assert verify.stdout.strip() == f"цепочка аудита не нарушена: проверено записей: {events}"

    # The restored table still refuses changes (the trigger came with the dump), and a change
    # smuggled past it is found by verify_audit.
    psql = ["psql", *pg_args(), "-d", scratch_database, "-v", "ON_ERROR_STOP=1", "-c"]
    last = AuditEvent.objects.order_by("-id").values_list("pk", flat=True).first()
    refused = run([*psql, f"UPDATE core_auditevent SET reason = 'x' WHERE id = {last}"], check=False)
    assert refused.returncode != 0
    run(
        [
            *psql,
            "BEGIN; SET LOCAL session_replication_role = replica; "
            f"UPDATE core_auditevent SET reason = 'edited' WHERE id = {last}; COMMIT;",
        ]
    )
    broken = run([sys.executable, "manage.py", "verify_audit"], env=env, check=False)
    assert broken.returncode == 1
    assert f"нарушена на записи {last}" in broken.stderr  # "broken at record N", in LANGUAGE_CODE
