"""Appending many audit events at once, for bulk paths (import, demo): the same records as
`core.audit.record` writes one by one, chained in the same way, inserted in batches."""

import datetime
import json

from django.db import connection

from core import audit, clock
from core.models import AuditEvent


def record_many(entries, *, actor=None, role="", commission=""):
    """Append one event per entry, inside the caller's transaction. Each entry is a dict with
    `action`, `obj` and optionally `from_state`, `to_state`, `reason`, `data`."""
    if not connection.in_atomic_block:
        raise RuntimeError("record_many must run inside the transaction of the changes it records")
    if not entries:
        return []
    audit._lock_chain()
    prev = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or audit.GENESIS
    created_at = clock.now().astimezone(datetime.UTC)
    actor_obj = actor if actor is not None and actor.pk else None
    events = []
    for entry in entries:
        obj = entry["obj"]
        event = AuditEvent(
            created_at=created_at,
            actor=actor_obj,
            actor_name=getattr(actor, "username", "") or "",
            actor_role=role,
            commission=str(commission or ""),
            action=entry["action"],
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            from_state=entry.get("from_state") or "",
            to_state=entry.get("to_state") or "",
            reason=entry.get("reason") or "",
            data=json.loads(json.dumps(entry.get("data") or {}, default=str)),
            prev_hash=prev,
        )
        event.hash = audit.compute_hash(prev, event)
        prev = event.hash
        events.append(event)
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    return events
