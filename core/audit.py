"""Writing and verifying the hash-chained audit trail."""

import datetime
import hashlib
import json

from django.db import connection, transaction

from . import clock
from .models import AuditEvent

GENESIS = "0" * 64
# Any constant: the key of the PostgreSQL advisory lock that serialises chain appends.
_CHAIN_LOCK_KEY = 7_215_2021


def canonical_content(event):
    """The exact bytes the hash covers: every recorded field, in a fixed order."""
    payload = {
        "created_at": event.created_at.astimezone(datetime.UTC).isoformat(),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "actor_role": event.actor_role,
        "commission": event.commission,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "reason": event.reason,
        "data": event.data,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def compute_hash(prev_hash, event):
    return hashlib.sha256((prev_hash + canonical_content(event)).encode()).hexdigest()


def _lock_chain():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    # SQLite: writers are serialised by the IMMEDIATE transaction mode (see settings).


def record(
    *,
    actor,
    action,
    obj=None,
    object_type="",
    object_id="",
    from_state="",
    to_state="",
    reason="",
    data=None,
    role="",
    commission="",
):
    """Append one audit event to the chain, inside the caller's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record must run inside the transaction of the change it records")
    _lock_chain()
    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    event = AuditEvent(
        created_at=clock.now().astimezone(datetime.UTC),
        actor=actor if actor is not None and actor.pk else None,
        actor_name=getattr(actor, "username", "") or "",
        actor_role=role,
        commission=str(commission or ""),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else object_type,
        object_id=str(obj.pk) if obj is not None else str(object_id),
        from_state=from_state or "",
        to_state=to_state or "",
        reason=reason or "",
        data=json.loads(json.dumps(data or {}, default=str)),
        prev_hash=last or GENESIS,
    )
    event.hash = compute_hash(event.prev_hash, event)
    event.save(force_insert=True)
    return event


def verify_chain(batch_size=5000):
    """Walk the chain in id order. Returns (count verified, id of the first broken record or None)."""
    expected_prev = GENESIS
    count = 0
    with transaction.atomic():
        for event in AuditEvent.objects.in_chain_order().iterator(chunk_size=batch_size):
            if event.prev_hash != expected_prev or compute_hash(event.prev_hash, event) != event.hash:
                return count, event.pk
            expected_prev = event.hash
            count += 1
    return count, None
