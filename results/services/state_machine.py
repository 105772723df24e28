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
from core.audit import record_many
from results.errors import ProtocolCertified, StaleForm
from results.models import Protocol
from results.models import ProtocolState as S

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


def lock(protocol_id, expected_version=None):
    """Lock the protocol row for the rest of the transaction; refuse a stale form."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock() must run inside transaction.atomic()")
    protocol = (
        Protocol.objects.select_for_update(of=("self",))
        .select_related("election", "polling_station")
        .get(pk=protocol_id)
    )
    if expected_version is not None:
        try:
            stale = int(expected_version) != protocol.version
        except (TypeError, ValueError):
            stale = True
        if stale:
            raise StaleForm(details={"expected": str(expected_version)[:20], "current": protocol.version})
    return protocol


def transition_many(protocols, event, *, actor, reason="", data_for=None, extra_fields=()):
    """`transition` for many locked protocols at once (bulk paths): the same row changes and the same
    audit records, written with one UPDATE per batch and chained audit inserts in batches."""
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
    Protocol.objects.bulk_update(protocols, ["state", "version", "state_changed_at", *extra_fields], batch_size=500)
    record_many(entries, actor=actor.user, role=actor.role, commission=actor.commission)
    return protocols


def transition(protocol, event, *, actor, reason="", data=None, extra_fields=()):
    """Apply `event` to the locked `protocol`, save it and write its audit record."""
    return advance(protocol, [(event, data)], actor=actor, reason=reason, extra_fields=extra_fields)


def advance(protocol, steps, *, actor, reason="", extra_fields=()):
    """Apply several events to the locked `protocol` in order ([(event, data), ...], e.g. a clerk's
    first entry started and finished in one submission): each is checked against the table from
    the state the one before left, bumps the version and gets its own audit record, exactly as
    one `transition` after another would write them; the row is written with one UPDATE and the
    records with one batched append (entry makes three transactions per protocol on election
    night: every round trip counts)."""
    now = clock.now()
    initial, records = protocol.state, []
    for event, data in steps:
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
    protocol.save(update_fields=fields)
    record_many(records, actor=actor.user, role=actor.role, commission=actor.commission)
    return protocol
