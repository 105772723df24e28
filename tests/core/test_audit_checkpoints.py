"""Signed checkpoints of the audit trail (core/checkpoints.py) and what verify_audit finds with them:
a truncated table, a removed tail, a forged event with a recomputed hash, an update made with the
trigger disabled, an altered checkpoint. The attacks run as the tables' owner on PostgreSQL."""

import base64
import datetime
import hashlib
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from core import audit, checkpoints
from core.models import AuditCheckpoint, AuditEvent

pytestmark = pytest.mark.django_db

KEY, PUBLIC = checkpoints.new_key_pair()


@pytest.fixture(autouse=True)
def signing_key(settings):
    settings.AUDIT_SIGNING_KEY = KEY
    settings.AUDIT_PUBLIC_KEY = ""


def _write(n, object_id=1, reason=""):
    for _ in range(n):
        with transaction.atomic():
            audit.record(actor=None, action="test.event", object_type="test", object_id=object_id, reason=reason)


def _verify(capsys, *args):
    """(exit code, stdout, stderr) of verify_audit."""
    try:
        call_command("verify_audit", *args)
        code = 0
    except SystemExit as exit_info:
        code = exit_info.code
    out = capsys.readouterr()
    return code, out.out, out.err


def _export(tmp_path, checkpoint=None):
    path = tmp_path / "checkpoint.json"
    args = ["--export", str(path)] + (["--id", str(checkpoint.pk)] if checkpoint else [])
    call_command("audit_checkpoint", *args)
    return path


# --- the tree and the signature --------------------------------------------------------------


def test_the_merkle_root_follows_rfc_6962():
    def h(data):
        return hashlib.sha256(data).digest()

    a, b, c = ("a", 1, "1" * 64), ("b", 2, "2" * 64), ("c", 3, "3" * 64)
    la, lb, lc = (h(b"\x00" + f"{s}\n{n}\n{x}".encode()) for s, n, x in (a, b, c))
    assert checkpoints.merkle_root([]) == hashlib.sha256(b"").hexdigest()
    assert checkpoints.merkle_root([a]) == la.hex()
    assert checkpoints.merkle_root([a, b]) == h(b"\x01" + la + lb).hex()
    # Three leaves: the left subtree takes the largest power of two below 3.
    assert checkpoints.merkle_root([c, a, b]) == h(b"\x01" + h(b"\x01" + la + lb) + lc).hex()


def test_leaves_are_ordered_by_the_streams_bytes_not_a_collation():
    leaves = [("results.protocol:10", 1, "a" * 64), ("results.protocol:9", 1, "b" * 64), ("Z", 1, "c" * 64)]
    assert [leaf[0] for leaf in checkpoints.ordered(leaves)] == ["Z", "results.protocol:10", "results.protocol:9"]
    assert checkpoints.merkle_root(leaves) == checkpoints.merkle_root(list(reversed(leaves)))


def test_a_checkpoint_records_size_chains_and_root_and_is_signed():
    _write(3, object_id=1)
    _write(2, object_id=2)
    checkpoint = checkpoints.make_checkpoint()
    events = list(AuditEvent.objects.in_chain_order())
    heads = [("test:1", 3, events[2].hash), ("test:2", 2, events[4].hash)]
    assert (checkpoint.size, checkpoint.chains, checkpoint.last_event_id) == (5, 2, max(e.pk for e in events))
    assert checkpoint.root == checkpoints.merkle_root(heads)
    assert checkpoint.public_key == PUBLIC
    assert checkpoints.signature_valid(PUBLIC, checkpoint.signature, checkpoint.signed_text())
    assert not checkpoints.signature_valid(
        PUBLIC, checkpoint.signature, checkpoint.signed_text().replace("size 5", "size 4")
    )
    assert sorted(checkpoints.leaves_of(checkpoint)) == heads


def test_a_later_checkpoint_stores_only_the_chains_that_changed():
    _write(2, object_id=1)
    _write(1, object_id=2)
    first = checkpoints.make_checkpoint()
    _write(1, object_id=2)
    second = checkpoints.make_checkpoint()
    assert [row[0] for row in second.changes] == ["test:2"]
    assert (second.size, second.chains) == (4, 2)
    assert checkpoints.merkle_root(checkpoints.leaves_of(second)) == second.root
    assert checkpoints.leaves_of(first) != checkpoints.leaves_of(second)


def test_the_export_holds_size_root_signature_key_and_time(tmp_path):
    _write(2)
    path = _export(tmp_path)
    data = json.loads(path.read_text())
    checkpoint = AuditCheckpoint.objects.get()
    assert data["size"] == 2 and data["chains"] == 1 and data["root"] == checkpoint.root
    assert data["public_key"] == PUBLIC and data["signature"] == checkpoint.signature
    assert datetime.datetime.fromisoformat(data["time"]) == checkpoint.created_at
    assert data["heads"] == [["test:1", 2, AuditEvent.objects.order_by("-id").first().hash]]
    assert data["signed_text"].startswith("electadmin audit checkpoint v1\nsize 2\n")


def test_a_key_may_be_given_as_pem(settings):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    settings.AUDIT_SIGNING_KEY = pem.decode()
    assert checkpoints.make_checkpoint().public_key == checkpoints.public_key_b64(key)


def test_without_a_key_production_refuses_and_development_uses_a_throw_away_key(settings, monkeypatch):
    settings.AUDIT_SIGNING_KEY = ""
    settings.DEBUG = False
    with pytest.raises(checkpoints.SigningKeyMissing):
        checkpoints.make_checkpoint()
    with pytest.raises(CommandError, match="AUDIT_SIGNING_KEY is not set"):
        call_command("audit_checkpoint")
    assert not AuditCheckpoint.objects.exists()

    settings.DEBUG = True
    monkeypatch.setattr(checkpoints, "_ephemeral_key", None)
    first, second = checkpoints.make_checkpoint(), checkpoints.make_checkpoint()
    assert first.public_key == second.public_key  # one key per process
    assert checkpoints.trusted_public_key() is None


@pytest.mark.parametrize("raw", ["not base64!", base64.b64encode(b"short").decode()])
def test_a_malformed_key_is_refused(settings, raw):
    settings.AUDIT_SIGNING_KEY = raw
    with pytest.raises(checkpoints.SigningKeyInvalid):
        checkpoints.make_checkpoint()


def test_the_hourly_task_makes_a_checkpoint(settings):
    from core.tasks import make_audit_checkpoint

    _write(1)
    checkpoint_id = make_audit_checkpoint()
    assert AuditCheckpoint.objects.get(pk=checkpoint_id).occasion == "hourly"
    assert settings.CELERY_BEAT_SCHEDULE["audit-checkpoint-hourly"]["task"] == "core.tasks.make_audit_checkpoint"
    settings.AUDIT_SIGNING_KEY, settings.DEBUG = "", False
    assert make_audit_checkpoint() is None


def test_new_key_prints_a_usable_pair(capsys, settings):
    call_command("audit_checkpoint", "--new-key")
    lines = dict(line.split("=", 1) for line in capsys.readouterr().out.split())
    settings.AUDIT_SIGNING_KEY = lines["AUDIT_SIGNING_KEY"]
    assert checkpoints.trusted_public_key() == lines["AUDIT_PUBLIC_KEY"]


# --- verify_audit with checkpoints -----------------------------------------------------------


def test_an_intact_trail_extends_its_checkpoints(capsys, tmp_path):
    _write(3)
    path = _export(tmp_path)
    _write(2)  # later events extend the checkpoint
    _write(1, object_id=2)
    latest = checkpoints.make_checkpoint()
    code, out, err = _verify(capsys, "--checkpoint", str(path))
    assert code == 0, err
    assert "audit chain intact: 6 records verified" in out
    assert f"extends stored checkpoint #{latest.pk}: 6 events in 2 chains" in out
    assert f"extends checkpoint file {path}: 3 events in 1 chains" in out


def test_without_a_checkpoint_verify_audit_says_so(capsys):
    _write(1)
    code, out, err = _verify(capsys)
    assert code == 0 and "no stored checkpoint yet" in err


def test_a_checkpoint_signed_by_another_key_is_reported(capsys, tmp_path, settings):
    _write(1)
    path = _export(tmp_path)
    other_key, other_public = checkpoints.new_key_pair()
    code, _, err = _verify(capsys, "--checkpoint", str(path), "--public-key", other_public)
    assert code == 1
    assert f"signed with the key {PUBLIC}, not the published {other_public}" in err


def test_a_file_that_is_not_a_checkpoint_is_a_clear_error(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"hello": 1}')
    with pytest.raises(CommandError, match="not an electadmin audit checkpoint"):
        call_command("verify_audit", "--checkpoint", str(path))


def test_an_edited_checkpoint_file_is_reported(capsys, tmp_path):
    _write(2)
    path = _export(tmp_path)
    data = json.loads(path.read_text())
    data["size"] = 1
    path.write_text(json.dumps(data))
    code, _, err = _verify(capsys, "--checkpoint", str(path))
    assert code == 1 and "the signature does not match" in err


# --- attacks as the tables' owner (PostgreSQL) -----------------------------------------------


def _as_owner(*statements):
    """Run statements as the tables' owner would: triggers off first (ALTER TABLE ... DISABLE TRIGGER)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own pending FK checks first
        cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER USER")
        cursor.execute("ALTER TABLE core_auditcheckpoint DISABLE TRIGGER USER")
        for sql, params in statements:
            cursor.execute(sql, params)
        cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER USER")
        cursor.execute("ALTER TABLE core_auditcheckpoint ENABLE TRIGGER USER")


@pytest.mark.postgres
@pytest.mark.parametrize("table", ["core_auditevent", "core_auditcheckpoint"])
def test_postgres_refuses_truncate_of_the_audit_tables(table):
    _write(2)
    checkpoints.make_checkpoint()
    refused = pytest.raises(DatabaseError, match=f"append-only: TRUNCATE refused on {table}")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {table}")
    assert AuditEvent.objects.count() == 2 and AuditCheckpoint.objects.count() == 1


@pytest.mark.postgres
def test_postgres_refuses_update_and_delete_of_a_checkpoint():
    _write(1)
    checkpoint = checkpoints.make_checkpoint()
    for sql in ("UPDATE core_auditcheckpoint SET root = 'x'", "DELETE FROM core_auditcheckpoint"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditCheckpoint.objects.get().root == checkpoint.root


@pytest.mark.postgres
def test_a_truncated_table_is_found(capsys, tmp_path):
    _write(3, object_id=1)
    _write(2, object_id=2)
    path = _export(tmp_path)
    stored = AuditCheckpoint.objects.get()
    _as_owner(("TRUNCATE core_auditevent", []))
    code, _, err = _verify(capsys, "--checkpoint", str(path))
    assert code == 1
    assert f"truncated: stored checkpoint #{stored.pk} covers 5 events in 2 chains" in err
    assert f"truncated: checkpoint file {path} covers 5 events in 2 chains" in err
    assert "the table holds 0 of them and 0 events in all" in err


@pytest.mark.postgres
def test_a_removed_tail_is_found_and_its_chain_named(capsys, tmp_path):
    _write(4, object_id=1)
    _write(2, object_id=2)
    path = _export(tmp_path)
    tail = list(AuditEvent.objects.filter(stream="test:1").order_by("-id").values_list("pk", flat=True)[:2])
    _as_owner(("DELETE FROM core_auditevent WHERE id = ANY(%s)", [tail]))
    assert audit.verify_chain()[1] is None  # the chains alone still look intact
    code, _, err = _verify(capsys, "--checkpoint", str(path))
    assert code == 1
    stored = AuditCheckpoint.objects.get()
    assert (
        f"removed tail: chain test:1 has 2 of the 4 events recorded by stored checkpoint #{stored.pk}; the last 2 "
        "are gone" in err
    )
    assert f"removed tail: chain test:1 has 2 of the 4 events recorded by checkpoint file {path}" in err
    assert "test:2" not in err


@pytest.mark.postgres
def test_a_forged_event_with_a_recomputed_hash_is_found(capsys, tmp_path):
    _write(3, object_id=1)
    path = _export(tmp_path)
    last = AuditEvent.objects.filter(stream="test:1").order_by("-id").first()
    last.reason = "forged"
    forged_hash = audit.compute_hash(last.prev_hash, last)
    _as_owner(("UPDATE core_auditevent SET reason = 'forged', hash = %s WHERE id = %s", [forged_hash, last.pk]))
    assert audit.verify_chain() == (3, None)  # the chain verifies: only the checkpoint shows it
    code, _, err = _verify(capsys, "--checkpoint", str(path))
    assert code == 1
    assert f"forged: chain test:1 ends in event {last.pk} with hash {forged_hash}" in err
    assert "an event rewritten with a recomputed hash" in err


@pytest.mark.postgres
def test_an_update_with_the_trigger_disabled_is_found(capsys, tmp_path):
    _write(3)
    path = _export(tmp_path)
    middle = AuditEvent.objects.order_by("id")[1]
    _as_owner(("UPDATE core_auditevent SET reason = 'edited' WHERE id = %s", [middle.pk]))
    code, _, err = _verify(capsys, "--checkpoint", str(path))
    assert code == 1
    assert f"broken at record {middle.pk}" in err
    assert f"altered: event {middle.pk} (chain test:1, test.event): its stored content no longer hashes" in err


@pytest.mark.postgres
def test_an_altered_checkpoint_is_found(capsys):
    _write(2)
    checkpoint = checkpoints.make_checkpoint()
    _as_owner(("UPDATE core_auditcheckpoint SET size = 1 WHERE id = %s", [checkpoint.pk]))
    code, _, err = _verify(capsys)
    assert code == 1
    assert f"stored checkpoint #{checkpoint.pk}: the signature does not match" in err


@pytest.mark.postgres
def test_altered_stored_heads_are_found(capsys):
    _write(2)
    checkpoint = checkpoints.make_checkpoint()
    _as_owner(("UPDATE core_auditcheckpoint SET changes = '[]' WHERE id = %s", [checkpoint.pk]))
    code, _, err = _verify(capsys)
    assert code == 1
    assert f"stored checkpoint #{checkpoint.pk}: its list of chain heads does not give its signed root" in err
