"""/api/v1/audit-checkpoints/: the signed checkpoints of the audit trail, read-only, for every token;
what an auditor keeps to prove later that the trail extends it (issue 17, point 4)."""

import json

import pytest
from django.core.management import call_command
from django.db import transaction

from core import audit, checkpoints
from core.models import AuditEvent

KEY, PUBLIC = checkpoints.new_key_pair()


@pytest.fixture
def signed(settings, db):
    settings.AUDIT_SIGNING_KEY = KEY
    for object_id in (1, 1, 2):
        with transaction.atomic():
            audit.record(actor=None, action="test.event", object_type="test", object_id=object_id)
    first = checkpoints.make_checkpoint()
    with transaction.atomic():
        audit.record(actor=None, action="test.event", object_type="test", object_id=3)
    return first, checkpoints.make_checkpoint()


def test_the_list_is_newest_first_with_everything_to_verify(api, signed):
    first, second = signed
    response = api.get("/api/v1/audit-checkpoints/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [second.pk, first.pk]
    row = rows[1]
    # The three test events, plus the issue of the token the client uses (its own chain).
    assert (row["size"], row["chains"], row["last_event_id"]) == (4, 3, first.last_event_id)
    assert (first.size, first.chains) == (4, 3)
    assert row["root"] == first.root and row["public_key"] == PUBLIC and row["occasion"] == "manual"
    assert row["signed_text"] == first.signed_text()
    assert checkpoints.signature_valid(row["public_key"], row["signature"], row["signed_text"])
    assert "heads" not in row and "changes" not in row


def test_a_scoped_token_sees_them_too(regional_api, signed):
    assert len(regional_api.get("/api/v1/audit-checkpoints/").json()["results"]) == 2


def test_the_detail_with_heads_is_the_export_and_verifies(api, signed, tmp_path, capsys):
    first, _ = signed
    body = api.get(f"/api/v1/audit-checkpoints/{first.pk}/?heads=1").json()
    assert body["heads"] == checkpoints.export(first)["heads"] and len(body["heads"]) == 3
    assert "heads" not in api.get(f"/api/v1/audit-checkpoints/{first.pk}/").json()
    # What the API served, saved as it is, is what verify_audit takes back.
    path = tmp_path / "served.json"
    path.write_text(json.dumps(body))
    call_command("verify_audit", "--checkpoint", str(path))
    assert f"extends checkpoint file {path}: 4 events in 3 chains" in capsys.readouterr().out


def test_nothing_can_be_written_and_anonymous_gets_nothing(api, signed, client_for):
    first, _ = signed
    assert api.post("/api/v1/audit-checkpoints/", {}).status_code == 405
    assert api.delete(f"/api/v1/audit-checkpoints/{first.pk}/").status_code == 405
    assert client_for().get("/api/v1/audit-checkpoints/").status_code == 401
    assert AuditEvent.objects.count() >= 4
