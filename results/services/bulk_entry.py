"""Finished entries of many protocols in one go: the bulk path of `save_entry` (bulk loads: the demo).

Each submission is checked exactly as `save_entry(..., finish=True)` checks it, with the same
functions (scope and separation of duties, the entry slot, the controls, the acknowledgements of
warnings, the transition table), one after the other in the given order, so a protocol's second
entry sees its first; and it is written as `save_entry` writes it: the entry, the start and finish
events (and for a second entry the comparison: verified with the official figures and votes copied
from the entry, or in discrepancy with the differing fields) with one audit record each, in each
protocol's chain in the same order. What differs is only how: the protocols are locked and their
entries read in a few statements, and the rows are written in batches. All submissions share one
moment (`clock.now()`).

All or nothing: the first refused submission raises its error (the codes `save_entry` raises:
OutOfScope, CertifierMayNotEnter, SameClerk, EntryTakenByOther, EntryNotOpen, ProtocolCertified,
ControlsFailed, WarningsNotAcknowledged) and nothing is written. Unlike `save_entry`, a refused
finish does not keep the figures as a draft: a bulk load has no clerk to come back to it.
"""

from typing import NamedTuple

from django.db import transaction

from core import clock
from core.audit import record_many
from results import controls
from results.models import Protocol, ProtocolEntry, ProtocolVote
from results.permissions import check_enter
from results.selectors import candidacies_of, control_context, entry_slot

from .entry import (
    OFFICIAL_FIELDS,
    clean_acknowledgements,
    finishing_event,
    official_votes,
    refusal,
    set_official_figures,
    stored_values,
)
from .state_machine import _update_grouped, step

_LOCK_BATCH = 500


class Submission(NamedTuple):
    """One clerk's finished entry of one protocol: `values` as `save_entry` takes them,
    `acknowledged` {warning code: explanation}."""

    protocol_id: int
    user: object
    values: dict
    acknowledged: dict | None = None


def _lock_all(ids):
    locked = {}
    for start in range(0, len(ids), _LOCK_BATCH):
        rows = (
            Protocol.objects.select_for_update(of=("self",))
            .select_related("election", "polling_station")
            .filter(pk__in=ids[start : start + _LOCK_BATCH])
            .order_by("pk")
        )
        locked.update((p.pk, p) for p in rows)
    return locked


def _live_entries(locked):
    """{protocol id: {slot: entry}}: `selectors.live_entries` of every locked protocol, in one read per batch."""
    live = {pk: {} for pk in locked}
    ids = sorted(locked)
    for start in range(0, len(ids), _LOCK_BATCH):
        for entry in ProtocolEntry.objects.filter(
            protocol_id__in=ids[start : start + _LOCK_BATCH],
            status__in=[ProtocolEntry.Status.DRAFT, ProtocolEntry.Status.FINISHED],
        ):
            if entry.cycle == locked[entry.protocol_id].cycle:
                live[entry.protocol_id][entry.slot] = entry
    return live


def finish_entries(submissions, *, candidacies=None):
    """Write the finished entries of `submissions` (Submission rows, in the order clerks made them);
    `candidacies` ({contest id: the entry form's candidates}, as `selectors.candidacies_of` gives
    them) spares reading them. Returns {protocol id: its state after the submissions}."""
    submissions = list(submissions)
    candidacies = dict(candidacies or {})
    with transaction.atomic():
        ids = sorted({s.protocol_id for s in submissions})
        locked = _lock_all(ids)
        live = _live_entries(locked)
        now = clock.now()
        initial = {pk: p.state for pk, p in locked.items()}
        official = {}  # protocol id -> the second entry, when two entries agree
        done = []  # (protocol, actor, entry, [(event, data), ...]) in submission order
        drafts = {}  # entries begun before (drafts), finished now
        for sub in submissions:
            protocol = locked.get(sub.protocol_id)
            if protocol is None:
                raise Protocol.DoesNotExist(f"protocol {sub.protocol_id} does not exist")
            actor = check_enter(sub.user, protocol.polling_station)
            entries = live[protocol.pk]
            slot, start_event = entry_slot(protocol, sub.user, entries)
            if protocol.contest_id not in candidacies:
                candidacies[protocol.contest_id] = candidacies_of(protocol.contest_id)
            context = control_context(protocol, candidacies[protocol.contest_id])
            report = controls.run_controls(sub.values, **context)
            refused = refusal(report, sub.acknowledged)
            if refused is not None:
                refused.details["protocol"] = protocol
                raise refused
            acks = clean_acknowledgements(sub.acknowledged, report.warnings)
            stored = stored_values(report, context["candidacies"], context["against_all"])
            if start_event:
                kind = ProtocolEntry.Kind.FIRST if slot == 1 else ProtocolEntry.Kind.SECOND
                entry = ProtocolEntry(
                    protocol=protocol, cycle=protocol.cycle, slot=slot, kind=kind, clerk=sub.user, started_at=now
                )
            else:
                entry = entries[slot]
                drafts[entry.pk] = entry
            entry.values, entry.acknowledged, entry.updated_at, entry.submission = stored, acks, now, ""
            entry.status, entry.finished_at = ProtocolEntry.Status.FINISHED, now
            entries[slot] = entry
            data = {"slot": slot, "values": stored, "acknowledged": acks}
            steps = [(start_event, None)] if start_event else []
            event, event_data = finishing_event(slot, entries, stored, data)
            if event == "finish_second_equal":
                official[protocol.pk] = entry
            steps.append((event, event_data))
            records = []
            for event, event_data in steps:
                from_state, to_state = step(protocol, event)
                records.append((event, event_data, from_state, to_state, protocol.version))
            done.append((protocol, actor, entry, records))

        # The entries first (the audit records name them), then the protocols, votes and records.
        ProtocolEntry.objects.bulk_create([entry for _p, _a, entry, _r in done if entry.pk is None], batch_size=1000)
        for entry in drafts.values():
            entry.save()
        _write_protocols(locked, initial, official, now)
        _write_records(done)
    return {pk: p.state for pk, p in locked.items()}


def _write_protocols(locked, initial, official, now):
    plain, figured = [], []
    for pk, protocol in locked.items():
        if protocol.state != initial[pk]:
            protocol.state_changed_at = now
        if pk in official:
            set_official_figures(protocol, official[pk])
            figured.append(protocol)
        else:
            plain.append(protocol)
    base = ["state", "version", "state_changed_at"]
    _update_grouped(plain, base)
    _update_grouped(figured, [*base, *OFFICIAL_FIELDS])
    ProtocolVote.objects.filter(protocol_id__in=list(official)).delete()
    ProtocolVote.objects.bulk_create(
        [
            ProtocolVote(protocol_id=pk, candidacy_id=cid, votes=n)
            for pk, entry in official.items()
            for cid, n in official_votes(entry)
        ],
        batch_size=1000,
    )


def _write_records(done):
    """The audit records in the order the submissions made them, each with its own acting user,
    role and commission, in one append."""
    records = []
    for protocol, actor, entry, steps in done:
        for event, data, from_state, to_state, version in steps:
            records.append(
                {
                    "action": f"protocol.{event}",
                    "obj": protocol,
                    "from_state": from_state,
                    "to_state": to_state,
                    "reason": "",
                    "data": {
                        "version": version,
                        "cycle": protocol.cycle,
                        **({"entry": entry.pk, **data} if data else {}),
                    },
                    "actor": actor.user,
                    "role": actor.role,
                    "commission": actor.commission,
                }
            )
    record_many(records)
