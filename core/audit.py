"""Writing and verifying the hash-chained audit trail.

The trail is a set of hash chains, one per audited object (its *stream*, "<object type>:<object
id>", e.g. "results.protocol:12221"): every event's hash covers the previous event of the same
object and its own content, the stream's name included. So the history of each protocol,
candidacy or token is a chain that `verify_chain` walks from a genesis value of its own, and an
edited, inserted or reordered event breaks its object's chain at that row.

Why one chain per object and not one for the whole system: appending to a chain needs its last
hash, so appends to one chain run one at a time (a PostgreSQL advisory lock per stream, held to
commit). With one global chain every audited transaction of the system waited for the one
before it to commit: on election night, every clerk's entry (issue 9 measured 8 workers giving
the throughput of 1). Changes of one object are serialised by its row lock anyway, so a chain
per object costs no parallelism. Tamper evidence is the same: a forger must rewrite every later
hash of the chain (one object's history instead of everyone's), which anyone with write access
to the database could do to either shape; only anchoring chain heads outside the database would
add more, and that holds for both.

Events written before streams existed have stream "" and form the one legacy chain, verified as
before (genesis "0" x 64, no stream in the hashed content).
"""

import datetime
import hashlib
import json

from django.db import connection, transaction
from django.db.models import Max

from . import clock
from .models import AuditEvent, object_type_of
from .reasons import check_reason

GENESIS = "0" * 64
LEGACY_STREAM = ""
SYSTEM_STREAM = "system"
# Streams per query when looking up the heads of many chains (bulk paths).
_HEAD_BATCH = 500


# object type label ("results.protocol") -> function(user, event) giving the event's data as the
# user may see it. The app that owns the objects registers it (core imports no app); the admin
# shows events' data through `data_visible_to`.
DATA_GATES = {}


def register_data_gate(object_type, gate):
    DATA_GATES[object_type] = gate


def data_visible_to(user, event):
    gate = DATA_GATES.get(event.object_type)
    return gate(user, event) if gate is not None else event.data


def stream_for(object_type, object_id):
    """The chain an event about this object belongs to."""
    if not object_type and not object_id:
        return SYSTEM_STREAM
    return f"{object_type}:{object_id}"


def genesis(stream):
    """The value the first event of `stream` links to: distinct per stream, so that the database's
    one-successor-per-hash constraint holds across all chains."""
    if stream == LEGACY_STREAM:
        return GENESIS
    return hashlib.sha256(f"electadmin audit stream {stream}".encode()).hexdigest()


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
    if event.stream != LEGACY_STREAM:
        payload["stream"] = event.stream
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def compute_hash(prev_hash, event):
    return hashlib.sha256((prev_hash + canonical_content(event)).encode()).hexdigest()


def _lock_streams(streams):
    """Hold each stream's append lock to the end of the transaction, taken in one fixed order (so two
    bulk writers cannot deadlock each other). A hash collision of two names only serialises more."""
    if connection.vendor != "postgresql":
        return  # SQLite: writers are serialised by the IMMEDIATE transaction mode (see settings).
    with connection.cursor() as cursor:
        if len(streams) == 1:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [next(iter(streams))])
        else:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(k) FROM "
                "(SELECT DISTINCT hashtextextended(s, 0) AS k FROM unnest(%s::text[]) AS s ORDER BY k) AS keys",
                [sorted(streams)],
            )


def _heads(streams):
    """{stream: hash of its last event} for the streams that have events (call with their locks held)."""
    if len(streams) == 1:
        (stream,) = streams
        last = AuditEvent.objects.filter(stream=stream).order_by("-id").values_list("hash", flat=True).first()
        return {stream: last} if last else {}
    heads = {}
    ordered = sorted(streams)
    for start in range(0, len(ordered), _HEAD_BATCH):
        batch = ordered[start : start + _HEAD_BATCH]
        last_ids = AuditEvent.objects.filter(stream__in=batch).values("stream").annotate(last=Max("id")).values("last")
        heads.update(AuditEvent.objects.filter(pk__in=last_ids).values_list("stream", "hash"))
    return heads


def _event(*, actor, role, commission, created_at, action, object_type, object_id, from_state, to_state, reason, data):
    check_reason(reason or "")  # the trail keeps every reason forever: none above the limit, whatever the path
    object_type, object_id = object_type or "", str(object_id if object_id is not None else "")
    return AuditEvent(
        created_at=created_at,
        actor=actor if actor is not None and actor.pk else None,
        actor_name=getattr(actor, "username", "") or "",
        actor_role=role or "",
        commission=str(commission or ""),
        action=action,
        object_type=object_type,
        object_id=object_id,
        stream=stream_for(object_type, object_id),
        from_state=from_state or "",
        to_state=to_state or "",
        reason=reason or "",
        data=json.loads(json.dumps(data or {}, default=str)),
    )


def _chain(events):
    """Lock the events' streams, link each event to its stream's head, and compute the hashes."""
    streams = {event.stream for event in events}
    _lock_streams(streams)
    heads = _heads(streams)
    for event in events:
        event.prev_hash = heads.get(event.stream) or genesis(event.stream)
        event.hash = compute_hash(event.prev_hash, event)
        heads[event.stream] = event.hash
    return events


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
    """Append one audit event to its object's chain, inside the caller's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record must run inside the transaction of the change it records")
    event = _event(
        actor=actor,
        role=role,
        commission=commission,
        created_at=clock.now().astimezone(datetime.UTC),
        action=action,
        object_type=object_type_of(obj) if obj is not None else object_type,
        object_id=obj.pk if obj is not None else object_id,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data=data,
    )
    _chain([event])
    event.save(force_insert=True)
    return event


def stream_lock_sql(stream_param="%s"):
    """The SQL expression that takes a stream's append lock on PostgreSQL (as `_lock_streams` does), for
    a caller that folds it into a statement of its own (the protocol lock: one round trip fewer)."""
    return f"pg_advisory_xact_lock(hashtextextended({stream_param}, 0))"


def _sql_literal_hash(previous, content_param="%s"):
    """SQL computing `compute_hash(previous, content)`: sha256 over the UTF-8 of the two, as hex."""
    return f"encode(sha256(convert_to({previous} || {content_param}, 'UTF8')), 'hex')"


_APPEND_COLUMNS = (
    "created_at",
    "actor_id",
    "actor_name",
    "actor_role",
    "commission",
    "action",
    "object_type",
    "object_id",
    "stream",
    "from_state",
    "to_state",
    "reason",
    "data",
)
_APPEND_CASTS = {"created_at": "::timestamptz", "actor_id": "::integer", "data": "::jsonb"}


def _append_folded(events, writes):
    """PostgreSQL, one stream: insert `events` in one statement that reads the stream's head, links
    and hashes each event in SQL (the same sha256 over the same canonical content as
    `compute_hash`), after the caller's data-modifying `writes` run as CTEs of the same statement.
    The caller holds the stream's append lock (taken in an earlier statement: the head is read in
    this statement's snapshot, after the lock)."""
    stream = events[0].stream
    ctes, params = [], []
    for i, (sql, write_params) in enumerate(writes):
        ctes.append(f"w{i} AS ({sql})")
        params.extend(write_params)
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    ctes.append(
        f"h0 AS (SELECT COALESCE((SELECT hash FROM {table} WHERE stream = %s ORDER BY id DESC LIMIT 1), %s) AS h)"
    )
    params += [stream, genesis(stream)]
    for i, event in enumerate(events, 1):
        ctes.append(f"h{i} AS (SELECT {_sql_literal_hash(f'h{i - 1}.h')} AS h FROM h{i - 1})")
        params.append(canonical_content(event))
    selects = []
    for i, event in enumerate(events, 1):
        values = ", ".join(f"%s{_APPEND_CASTS.get(c, '')}" for c in _APPEND_COLUMNS)
        selects.append(f"SELECT {values}, h{i - 1}.h, h{i}.h, {i} FROM h{i - 1}, h{i}")
        params += [
            event.created_at,
            event.actor_id,
            event.actor_name,
            event.actor_role,
            event.commission,
            event.action,
            event.object_type,
            event.object_id,
            event.stream,
            event.from_state,
            event.to_state,
            event.reason,
            json.dumps(event.data),
        ]
    columns = ", ".join((*_APPEND_COLUMNS, "prev_hash", "hash"))
    sql = (
        f"WITH {', '.join(ctes)} INSERT INTO {table} ({columns}) SELECT {columns} FROM "
        f"({' UNION ALL '.join(selects)}) AS e({columns}, n) ORDER BY n RETURNING id, prev_hash, hash"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = sorted(cursor.fetchall())
    for event, (pk, prev_hash, hash_) in zip(events, rows, strict=True):
        event.pk, event.prev_hash, event.hash = pk, prev_hash, hash_
        event._state.adding, event._state.db = False, connection.alias
    return events


def record_many(entries, *, actor=None, role="", commission="", writes=(), stream_locked=False):
    """Append one event per entry, inside the caller's transaction: the same records as `record`
    writes one by one (bulk paths: imports, the demo, batch certification), inserted in batches.
    Each entry is a dict with `action`, `obj` and optionally `from_state`, `to_state`, `reason`,
    `data`, and `actor`, `role`, `commission` where they differ from the call's (a bulk path whose
    rows were made by different users keeps one append, in their order).

    `writes`: [(sql, params)] data-modifying statements of the change being recorded, run before
    the append. On PostgreSQL, when the events are of one object and the caller holds its stream's
    append lock (`stream_locked`, taken with `stream_lock_sql`), writes and append are one
    statement (CTEs: they share its snapshot, so no write may need another's effect, nor fire a
    trigger that reads what the others change); otherwise the writes run one by one first."""
    if not connection.in_atomic_block:
        raise RuntimeError("record_many must run inside the transaction of the changes it records")
    if not entries:
        for sql, params in writes:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
        return []
    created_at = clock.now().astimezone(datetime.UTC)
    events = [
        _event(
            actor=entry.get("actor", actor),
            role=entry.get("role", role),
            commission=entry.get("commission", commission),
            created_at=created_at,
            action=entry["action"],
            object_type=object_type_of(entry["obj"]),
            object_id=entry["obj"].pk,
            from_state=entry.get("from_state"),
            to_state=entry.get("to_state"),
            reason=entry.get("reason"),
            data=entry.get("data"),
        )
        for entry in entries
    ]
    if connection.vendor == "postgresql" and stream_locked and len({event.stream for event in events}) == 1:
        return _append_folded(events, writes)
    for sql, params in writes:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    _chain(events)
    if len(events) == 1:
        events[0].save(force_insert=True)  # a single transition: bulk_create's set-up costs more than it saves
    else:
        AuditEvent.objects.bulk_create(events, batch_size=1000)
    return events


def chain_breaks(batch_size=5000, limit=100):
    """Walk every chain as `verify_chain` does, but on past a break: returns (events verified intact,
    [(kind, event), ...] up to `limit`), kind one of "misplaced" (in a stream other than its
    object's), "altered" (its stored content no longer hashes to its stored hash: an update made
    with the trigger disabled) and "unlinked" (it does not link to the event before it in its chain:
    an event was removed before it, or it was inserted)."""
    count = 0
    breaks = []
    stream = None
    expected = None
    with transaction.atomic():
        for event in AuditEvent.objects.order_by("stream", "id").iterator(chunk_size=batch_size):
            if event.stream != stream:
                stream, expected = event.stream, genesis(event.stream)
            if event.stream != LEGACY_STREAM and event.stream != stream_for(event.object_type, event.object_id):
                kind = "misplaced"
            elif compute_hash(event.prev_hash, event) != event.hash:
                kind = "altered"
            elif event.prev_hash != expected:
                kind = "unlinked"
            else:
                kind = None
            expected = event.hash  # carry on from what is stored, to find the breaks after this one
            if kind is None:
                count += 1
                continue
            breaks.append((kind, event))
            if len(breaks) >= limit:
                break
    return count, breaks


def verify_chain(batch_size=5000):
    """Walk every chain, stream by stream in id order. Returns (events verified, id of the first
    broken event or None). An event is broken when it does not link to the previous event of its
    stream (or to the stream's genesis), when its hash does not match its content, or when it sits
    in a stream other than its object's."""
    count = 0
    expected = {}
    with transaction.atomic():
        events = AuditEvent.objects.order_by("stream", "id").iterator(chunk_size=batch_size)
        for event in events:
            stream = event.stream
            if stream != LEGACY_STREAM and stream != stream_for(event.object_type, event.object_id):
                return count, event.pk
            if stream not in expected:
                expected.clear()  # streams come one after another: only the current one is kept
                expected[stream] = genesis(stream)
            if event.prev_hash != expected[stream] or compute_hash(event.prev_hash, event) != event.hash:
                return count, event.pk
            expected[stream] = event.hash
            count += 1
    return count, None
