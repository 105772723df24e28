"""The protocol state machine: the one transition table, and the one function that changes state.

Every service that moves a protocol calls `transition()` (or `advance()` for several events in one
go, `transition_many()` for many protocols), which refuses any (state, event) pair
not in `TRANSITIONS`, bumps the version, stamps `state_changed_at` and writes the audit record
in the caller's transaction. Nothing else assigns `Protocol.state`; the one exception is
`results.fixtures`, which development tooling (the benchmark) uses to load protocols in bulk
directly in the states this table reaches from `empty`, with the versions its paths give, and
says so in the audit trail.
"""

from django.db import transaction
from django.utils.translation import gettext as _g

from core import clock
from core.audit import record_many, stream_lock_sql
from registry.models import Candidacy, Election, Party, Person
from results.errors import ProtocolCertified, StaleForm
from results.models import Protocol, ProtocolEntry
from results.models import ProtocolState as S
from territory.models import PollingStation

TRANSITIONS = {
    (S.EMPTY, "start_first"): S.FIRST_ENTRY_IN_PROGRESS,
    (S.FIRST_ENTRY_IN_PROGRESS, "finish_first"): S.FIRST_ENTRY_DONE,
    (S.FIRST_ENTRY_IN_PROGRESS, "abandon_first"): S.EMPTY,
    (S.FIRST_ENTRY_DONE, "start_second"): S.SECOND_ENTRY_IN_PROGRESS,
    (S.SECOND_ENTRY_IN_PROGRESS, "abandon_second"): S.FIRST_ENTRY_DONE,
    (S.SECOND_ENTRY_IN_PROGRESS, "finish_second_equal"): S.VERIFIED,
    (S.SECOND_ENTRY_IN_PROGRESS, "finish_second_different"): S.IN_DISCREPANCY,
    (S.IN_DISCREPANCY, "resolve_keep_entry"): S.VERIFIED,
    (S.IN_DISCREPANCY, "resolve_corrected"): S.VERIFIED,
    (S.IN_DISCREPANCY, "resolve_discard_both"): S.EMPTY,
    (S.VERIFIED, "certify"): S.CERTIFIED,
    (S.VERIFIED, "reopen"): S.EMPTY,
    (S.CERTIFIED, "reopen"): S.EMPTY,
}

# Events a service may apply without the state changing (still versioned and audited).
SAME_STATE_EVENTS = {
    (S.FIRST_ENTRY_IN_PROGRESS, "save_draft"),
    (S.SECOND_ENTRY_IN_PROGRESS, "save_draft"),
}


def can(protocol, event):
    return (protocol.state, event) in TRANSITIONS or (protocol.state, event) in SAME_STATE_EVENTS


def refuse(protocol, event):
    """The error for an event not allowed in the protocol's state."""
    from core.errors import InvalidTransition

    if protocol.state == S.CERTIFIED:
        return ProtocolCertified()
    return InvalidTransition(
        _g("This action (%(event)s) is not allowed while the protocol is %(state)s.")
        % {"event": event, "state": protocol.get_state_display()},
        details={"state": protocol.state, "event": event},
    )


def lock(protocol_id, expected_version=None, *, with_candidacies=False, reserve_entry_id=False):
    """Lock the protocol row for the rest of the transaction (with its election and polling station
    read); refuse a stale form. Raises Protocol.DoesNotExist.

    On PostgreSQL one statement also takes the protocol's audit stream lock (after the row lock,
    the order every writer takes them in) and, `with_candidacies`, reads the contest's registered
    candidates as `selectors.candidacies_of` does (`protocol._candidacies`): what entry's controls
    need, in one round trip; `reserve_entry_id` takes the id of the entry about to be written
    (`protocol._entry_id`; unused when the entry is refused or exists: a gap in the ids, as a
    rolled-back insert leaves). Elsewhere: the ORM query, and the audit append takes its lock itself."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("lock() must run inside transaction.atomic()")
    if connection.vendor == "postgresql" and ONE_STATEMENT:
        protocol = _lock_in_one_statement(connection, int(protocol_id), with_candidacies, reserve_entry_id)
    else:
        protocol = (
            Protocol.objects.select_for_update(of=("self",))
            .select_related("election", "polling_station")
            .get(pk=protocol_id)
        )
    check_version(protocol, expected_version)
    return protocol


# PostgreSQL's one-statement lock and transition (`lock`, `advance`); tests turn it off to compare
# its writes with the ORM path's.
ONE_STATEMENT = True
_LOCK_SQL = {}


def _lock_sql(connection, with_candidacies, reserve_entry_id):
    """The one locking statement (built once per process): the protocol row FOR UPDATE in a
    materialised CTE, then its election and station, the stream lock and the candidates."""
    key = (with_candidacies, reserve_entry_id)
    if key in _LOCK_SQL:
        return _LOCK_SQL[key]
    qn = connection.ops.quote_name
    models = (Protocol, Election, PollingStation)
    columns = []
    for alias, model in zip("pes", models, strict=True):
        columns += [f"{alias}.{qn(f.column)}" for f in model._meta.concrete_fields]
    candidacies = "NULL"
    if with_candidacies:
        candidacies = (
            "(SELECT json_agg(json_build_array(c.id, per.surname, per.given_name, pa.short_name) "
            "ORDER BY per.surname, per.given_name, c.id) "
            f"FROM {qn(Candidacy._meta.db_table)} c "
            f"JOIN {qn(Person._meta.db_table)} per ON per.id = c.person_id "
            f"LEFT JOIN {qn(Party._meta.db_table)} pa ON pa.id = c.party_id "
            f"WHERE c.contest_id = p.contest_id AND c.status = '{Candidacy.Status.REGISTERED}')"
        )
    entry_id = "NULL"
    if reserve_entry_id:
        entry_id = f"nextval(pg_get_serial_sequence('{ProtocolEntry._meta.db_table}', 'id'))"
    sql = (
        f"WITH p AS MATERIALIZED (SELECT * FROM {qn(Protocol._meta.db_table)} WHERE id = %s FOR UPDATE) "
        f"SELECT {', '.join(columns)}, {stream_lock_sql()}, {candidacies}, {entry_id} FROM p "
        f"JOIN {qn(Election._meta.db_table)} e ON e.id = p.election_id "
        f"JOIN {qn(PollingStation._meta.db_table)} s ON s.id = p.polling_station_id"
    )
    _LOCK_SQL[key] = sql
    return sql


def _lock_in_one_statement(connection, protocol_id, with_candidacies, reserve_entry_id):
    with connection.cursor() as cursor:
        sql = _lock_sql(connection, with_candidacies, reserve_entry_id)
        cursor.execute(sql, [protocol_id, f"results.protocol:{protocol_id}"])
        row = cursor.fetchone()
    if row is None:
        raise Protocol.DoesNotExist("Protocol matching query does not exist.")
    instances, start = [], 0
    for model in (Protocol, Election, PollingStation):
        fields = model._meta.concrete_fields
        names = [f.attname for f in fields]
        instances.append(model.from_db(connection.alias, names, row[start : start + len(fields)]))
        start += len(fields)
    protocol, election, station = instances
    Protocol.election.field.set_cached_value(protocol, election)
    Protocol.polling_station.field.set_cached_value(protocol, station)
    # The stream lock lasts as long as the transaction: so does the mark (`advance` reads it).
    protocol._audit_stream_locked = True
    transaction.on_commit(lambda: setattr(protocol, "_audit_stream_locked", False), using=connection.alias)
    if with_candidacies:
        protocol._candidacies = _candidacy_names(row[start + 1] or [])
    if reserve_entry_id:
        protocol._entry_id = row[start + 2]
    return protocol


def _candidacy_names(rows):
    """{candidacy id: "Surname Given name (party)"} as `selectors.candidacies_of` names them."""
    out = {}
    for pk, surname, given_name, party in rows:
        name = f"{surname} {given_name}".strip()
        out[pk] = f"{name} ({party})" if party is not None else name
    return out


def check_version(protocol, expected_version):
    """Refuse a form opened at another version of the protocol (None: no check)."""
    if expected_version is None:
        return
    try:
        stale = int(expected_version) != protocol.version
    except (TypeError, ValueError):
        stale = True
    if stale:
        raise StaleForm(details={"expected": str(expected_version)[:20], "current": protocol.version})


def transition_many(protocols, event, *, actor, reason="", data_for=None, extra_fields=()):
    """`transition` for many locked protocols at once (bulk paths): the same row changes and the same
    audit records, written with one UPDATE per set of equal values and chained audit inserts in batches."""
    now = clock.now()
    entries = []
    for protocol in protocols:
        key = (protocol.state, event)
        if key not in TRANSITIONS:
            raise refuse(protocol, event)
        from_state = protocol.state
        protocol.state = TRANSITIONS[key]
        protocol.version += 1
        if protocol.state != from_state:
            protocol.state_changed_at = now
        entries.append(
            {
                "action": f"protocol.{event}",
                "obj": protocol,
                "from_state": from_state,
                "to_state": protocol.state,
                "reason": reason,
                "data": {
                    "version": protocol.version,
                    "cycle": protocol.cycle,
                    **((data_for(protocol) if data_for else None) or {}),
                },
            }
        )
    _update_grouped(protocols, ["state", "version", "state_changed_at", *extra_fields])
    record_many(entries, actor=actor.user, role=actor.role, commission=actor.commission)
    return protocols


def _update_grouped(protocols, fields, batch_size=500):
    """Write `fields` of `protocols` with one UPDATE ... WHERE id IN (...) per set of equal values
    (per batch): the rows of a bulk transition mostly share them (a queue certified together: one
    state, one version, one moment, one certifier), and `bulk_update`'s per-row CASE WHEN costs
    seconds of Python for a thousand rows."""
    attnames = [Protocol._meta.get_field(name).attname for name in fields]
    groups = {}
    for protocol in protocols:
        groups.setdefault(tuple(getattr(protocol, name) for name in attnames), []).append(protocol.pk)
    for values, ids in groups.items():
        for start in range(0, len(ids), batch_size):
            Protocol.objects.filter(pk__in=ids[start : start + batch_size]).update(
                **dict(zip(attnames, values, strict=True))
            )


def step(protocol, event):
    """Apply `event` to `protocol` in memory as `advance` does (checked against the table, version
    bumped); the caller writes the row and the record (the bulk entry path). Returns (from, to)."""
    key = (protocol.state, event)
    if key in TRANSITIONS:
        to_state = TRANSITIONS[key]
    elif key in SAME_STATE_EVENTS:
        to_state = protocol.state
    else:
        raise refuse(protocol, event)
    from_state = protocol.state
    protocol.state = to_state
    protocol.version += 1
    return from_state, to_state


def transition(protocol, event, *, actor, reason="", data=None, extra_fields=()):
    """Apply `event` to the locked `protocol`, save it and write its audit record."""
    return advance(protocol, [(event, data)], actor=actor, reason=reason, extra_fields=extra_fields)


def advance(protocol, steps, *, actor, reason="", extra_fields=(), writes=()):
    """Apply several events to the locked `protocol` in order ([(event, data), ...], e.g. a clerk's
    first entry started and finished in one submission): each is checked against the table from
    the state the one before left, bumps the version and gets its own audit record, exactly as
    one `transition` after another would write them; the row is written with one UPDATE and the
    records with one batched append (entry makes three transactions per protocol on election
    night: every round trip counts).

    `writes`: [(sql, params)] other writes of the same change (entry's new entry row), run with
    the row's UPDATE: in its statement on PostgreSQL (see `core.audit.record_many`), before it
    elsewhere. None of them may fire a trigger reading the protocol (the statement's CTEs share
    one snapshot)."""
    now = clock.now()
    initial, records = protocol.state, []
    for event, data in steps:
        from_state, to_state = step(protocol, event)
        records.append(
            {
                "action": f"protocol.{event}",
                "obj": protocol,
                "from_state": from_state,
                "to_state": to_state,
                "reason": reason,
                "data": {"version": protocol.version, "cycle": protocol.cycle, **(data or {})},
            }
        )
    fields = ["state", "version", *extra_fields]
    if protocol.state != initial:
        protocol.state_changed_at = now
        fields.append("state_changed_at")
    stream_locked = getattr(protocol, "_audit_stream_locked", False)
    if stream_locked:
        # PostgreSQL (see `lock`): the row's UPDATE joins the append's statement.
        writes = [*writes, _update_sql(protocol, fields)]
    else:
        for sql, params in writes:
            with transaction.get_connection().cursor() as cursor:
                cursor.execute(sql, params)
        writes = ()
        protocol.save(update_fields=fields)
    record_many(
        records,
        actor=actor.user,
        role=actor.role,
        commission=actor.commission,
        writes=writes,
        stream_locked=stream_locked,
    )
    return protocol


def _update_sql(protocol, names):
    """The UPDATE `protocol.save(update_fields=names)` sends, as (sql, params)."""
    connection = transaction.get_connection()
    qn = connection.ops.quote_name
    fields = [Protocol._meta.get_field(name) for name in names]
    sets = ", ".join(f"{qn(f.column)} = %s" for f in fields)
    params = [f.get_db_prep_save(getattr(protocol, f.attname), connection) for f in fields]
    return f"UPDATE {qn(Protocol._meta.db_table)} SET {sets} WHERE id = %s", [*params, protocol.pk]
