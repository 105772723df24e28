"""Clerks' double entry: save a draft, finish an entry, abandon one; compare the two entries.

The first finished entry takes slot 1, the second (by a different user) slot 2. When the second
is finished the two are compared field by field: equal makes the protocol verified (official
figures copied from the entry), different puts it in discrepancy for a supervisor.
"""

from django.db import transaction
from django.utils.translation import gettext as _g

from core import clock
from core.text import check_storable
from results import controls
from results.errors import (
    ControlsFailed,
    EntryTakenByOther,
    ReasonRequired,
    ReasonTooLong,
    WarningsNotAcknowledged,
)
from results.models import Protocol, ProtocolEntry, ProtocolVote
from results.models import ProtocolState as S
from results.permissions import check_abandon_others_draft, check_enter
from results.selectors import control_context, entry_slot, live_entries

from .state_machine import advance, lock, refuse, transition

# Codes that make even a draft unsavable: the value itself is unreadable.
FORMAT_CODES = {
    "protocol.malformed",
    "figure.not_integer",
    "figure.negative",
    "figure.too_large",
    "against_all.not_on_ballot",
    "votes.malformed",
    "candidate.unknown",
}
MAX_EXPLANATION = 1000


def stored_values(report, candidacies, against_all):
    """What an entry stores: every figure (null when empty in a draft) and every candidate's count."""
    values = {name: report.clean.get(name) for name in controls.FIGURE_NAMES}
    if against_all:
        values["against_all"] = report.clean.get("against_all")
    votes = report.clean.get("votes", {})
    values["votes"] = {str(cid): votes.get(cid) for cid in candidacies}
    return values


def clean_acknowledgements(acknowledged, warnings):
    """{code: explanation} for the warnings present, explanations stripped; unknown codes dropped."""
    acknowledged = acknowledged if isinstance(acknowledged, dict) else {}
    out = {}
    for warning in warnings:
        text = acknowledged.get(warning.code)
        if isinstance(text, str) and text.strip():
            out[warning.code] = check_storable(text.strip(), _g("The explanation of a warning"))[:MAX_EXPLANATION]
    return out


def differences(a, b):
    """Field paths where two entries' values differ (figures, then votes.<id>)."""
    paths = [name for name in (*controls.FIGURE_NAMES, "against_all") if a.get(name) != b.get(name)]
    votes_a, votes_b = a.get("votes", {}), b.get("votes", {})
    paths += [
        f"votes.{cid}" for cid in sorted(set(votes_a) | set(votes_b), key=str) if votes_a.get(cid) != votes_b.get(cid)
    ]
    return paths


def check_values(protocol, values, *, finish, acknowledged=None, candidacies=None):
    """Run the controls; raise ControlsFailed / WarningsNotAcknowledged. Returns (report, context, acks)."""
    context = control_context(protocol, candidacies)
    report = controls.run_controls(values, **context)
    if finish:
        if report.errors:
            raise ControlsFailed(details={"report": report})
        acks = clean_acknowledgements(acknowledged, report.warnings)
        missing = [w.code for w in report.warnings if w.code not in acks]
        if missing:
            raise WarningsNotAcknowledged(details={"report": report, "missing": missing})
        return report, context, acks
    if any(r.code in FORMAT_CODES for r in report.errors):
        raise ControlsFailed(details={"report": report})
    return report, context, clean_acknowledgements(acknowledged, report.warnings)


def make_official(protocol, entry, candidacies):
    """Copy an entry's values into the protocol's official figures and votes (caller transitions)."""
    values = entry.values
    for name in controls.FIGURE_NAMES:
        setattr(protocol, name, values[name])
    protocol.against_all = values.get("against_all") if protocol.election.against_all else None
    protocol.official_entry = entry
    ProtocolVote.objects.filter(protocol=protocol).delete()
    ProtocolVote.objects.bulk_create(
        [ProtocolVote(protocol=protocol, candidacy_id=int(cid), votes=n) for cid, n in values["votes"].items()]
    )
    return [*controls.FIGURE_NAMES, "against_all", "official_entry"]


def save_entry(protocol, user, values, *, finish=False, acknowledged=None, expected_version=None, candidacies=None):
    """Save `user`'s entry of `protocol` as a draft, or finish it. Returns (protocol, entry, report).

    Raises OutOfScope (station not the user's), SameClerk, EntryTakenByOther, EntryNotOpen,
    ProtocolCertified, StaleForm, ControlsFailed (with the report), WarningsNotAcknowledged.
    Nothing is written when it raises.
    """
    protocol_id = protocol.pk if isinstance(protocol, Protocol) else int(protocol)
    with transaction.atomic():
        protocol = lock(protocol_id, expected_version)
        actor = check_enter(user, protocol.polling_station)
        # An empty protocol has no live entries: one query fewer on the first clerk's submission.
        entries = {} if protocol.state == S.EMPTY else live_entries(protocol, with_clerks=False)
        slot, start_event = entry_slot(protocol, user, entries)
        report, context, acks = check_values(
            protocol, values, finish=finish, acknowledged=acknowledged, candidacies=candidacies
        )
        stored = stored_values(report, context["candidacies"], context["against_all"])
        now = clock.now()
        if start_event:
            kind = ProtocolEntry.Kind.FIRST if slot == 1 else ProtocolEntry.Kind.SECOND
            entry = ProtocolEntry(
                protocol=protocol, cycle=protocol.cycle, slot=slot, kind=kind, clerk=user, started_at=now
            )
        else:
            entry = entries[slot]
        entry.values = stored
        entry.acknowledged = acks
        entry.updated_at = now
        # The start of an entry and what follows in the same submission are written together
        # (one UPDATE of the protocol, one batched audit append), in the order they happen.
        steps = [(start_event, None)] if start_event else []
        if not finish:
            entry.save()
            if not start_event:
                steps.append(("save_draft", {"entry": entry.pk, "slot": slot}))
            advance(protocol, steps, actor=actor)
            return protocol, entry, report
        entry.status = ProtocolEntry.Status.FINISHED
        entry.finished_at = now
        entry.save()
        data = {"entry": entry.pk, "slot": slot, "values": stored, "acknowledged": acks}
        fields = ()
        if slot == 1:
            steps.append(("finish_first", data))
        else:
            diff = differences(entries[1].values, stored)
            if diff:
                steps.append(("finish_second_different", {**data, "differences": diff}))
            else:
                fields = make_official(protocol, entry, context["candidacies"])
                steps.append(("finish_second_equal", data))
        advance(protocol, steps, actor=actor, extra_fields=fields)
        return protocol, entry, report


def abandon_entry(protocol, user, *, expected_version=None):
    """The clerk gives up their unfinished entry; it is kept as discarded and the slot frees."""
    protocol_id = protocol.pk if isinstance(protocol, Protocol) else int(protocol)
    with transaction.atomic():
        protocol = lock(protocol_id, expected_version)
        actor = check_enter(user, protocol.polling_station)
        entries = live_entries(protocol)
        if protocol.state == S.FIRST_ENTRY_IN_PROGRESS:
            slot, event = 1, "abandon_first"
        elif protocol.state == S.SECOND_ENTRY_IN_PROGRESS:
            slot, event = 2, "abandon_second"
        else:
            raise refuse(protocol, "abandon_first")
        entry = entries[slot]
        if entry.clerk_id != user.pk:
            raise EntryTakenByOther()
        entry.status = ProtocolEntry.Status.DISCARDED
        entry.discarded_at = clock.now()
        entry.save(update_fields=["status", "discarded_at"])
        transition(protocol, event, actor=actor, data={"entry": entry.pk, "values": entry.values})
        return protocol


MAX_ABANDON_REASON = 2000


def abandon_draft_of_other(protocol, user, *, reason, expected_version=None):
    """The precinct chair or a territorial commission abandons the unfinished entry (draft) that
    locks a protocol, whoever's it is, with a mandatory reason: kept as discarded, the slot frees,
    and the audit record names the draft's clerk, its values and the reason.

    Raises ReasonRequired, TextNotStorable (a NUL), ReasonTooLong, OutOfScope, NotPermitted, InvalidTransition
    (no draft in progress), StaleForm. Nothing is written when it raises."""
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        raise ReasonRequired(_g("Abandoning another clerk's draft needs a reason."))
    check_storable(reason, _g("The reason"))
    if len(reason) > MAX_ABANDON_REASON:
        raise ReasonTooLong(
            _g("The reason is %(length)d characters long; at most %(limit)d are kept.")
            % {"length": len(reason), "limit": MAX_ABANDON_REASON}
        )
    protocol_id = protocol.pk if isinstance(protocol, Protocol) else int(protocol)
    with transaction.atomic():
        protocol = lock(protocol_id, expected_version)
        actor = check_abandon_others_draft(user, protocol.polling_station)
        if protocol.state == S.FIRST_ENTRY_IN_PROGRESS:
            slot, event = 1, "abandon_first"
        elif protocol.state == S.SECOND_ENTRY_IN_PROGRESS:
            slot, event = 2, "abandon_second"
        else:
            raise refuse(protocol, "abandon_first")
        entry = live_entries(protocol)[slot]
        entry.status = ProtocolEntry.Status.DISCARDED
        entry.discarded_at = clock.now()
        entry.save(update_fields=["status", "discarded_at"])
        transition(
            protocol,
            event,
            actor=actor,
            reason=reason,
            data={"entry": entry.pk, "clerk": entry.clerk_id, "values": entry.values, "by_other": True},
        )
        return protocol, entry
