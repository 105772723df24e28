"""Resolving a discrepancy: keep one entry, discard both for fresh entries, or enter corrected figures.

By the precinct commission's chair (or deputy) or a territorial commission. The entries are
never changed: a kept entry becomes the official one, discarded ones are marked discarded, and
corrected figures are a third entry (slot 3) with the supervisor's reason.
"""

from django.db import transaction

from core import clock
from core.reasons import clean_reason
from results.errors import NoSuchEntry, ReasonRequired
from results.models import Protocol, ProtocolEntry
from results.models import ProtocolState as S
from results.permissions import check_resolve
from results.selectors import live_entries

from .entry import check_values, differences, make_official, stored_values
from .state_machine import lock, refuse, transition


def _locked_discrepancy(protocol, user, expected_version, event):
    protocol_id = protocol.pk if isinstance(protocol, Protocol) else int(protocol)
    protocol = lock(protocol_id, expected_version)
    actor = check_resolve(user, protocol.polling_station)
    if protocol.state != S.IN_DISCREPANCY:
        raise refuse(protocol, event)
    return protocol, actor, live_entries(protocol)


def resolve_keep_entry(protocol, user, slot, *, reason="", expected_version=None):
    """Make entry `slot` (1 or 2) of the current cycle the official figures."""
    reason = clean_reason(reason)
    with transaction.atomic():
        protocol, actor, entries = _locked_discrepancy(protocol, user, expected_version, "resolve_keep_entry")
        try:
            entry = entries[int(slot)]
        except (KeyError, TypeError, ValueError):
            raise NoSuchEntry(details={"slot": slot}) from None
        if entry.status != ProtocolEntry.Status.FINISHED or entry.slot not in (1, 2):
            raise NoSuchEntry(details={"slot": slot})
        # The kept values must still pass the controls against today's candidate list.
        check_values(protocol, entry.values, finish=True, acknowledged=entry.acknowledged)
        fields = make_official(protocol, entry, None)
        transition(
            protocol,
            "resolve_keep_entry",
            actor=actor,
            reason=reason,
            data={"kept_entry": entry.pk, "slot": entry.slot, "values": entry.values},
            extra_fields=fields,
        )
        return protocol


def resolve_discard_both(protocol, user, *, reason="", expected_version=None):
    """Discard both entries (kept as discarded) and send the protocol back for two fresh entries."""
    reason = clean_reason(reason)
    with transaction.atomic():
        protocol, actor, entries = _locked_discrepancy(protocol, user, expected_version, "resolve_discard_both")
        now = clock.now()
        discarded = []
        for entry in entries.values():
            entry.status = ProtocolEntry.Status.DISCARDED
            entry.discarded_at = now
            entry.save(update_fields=["status", "discarded_at"])
            discarded.append(entry.pk)
        transition(protocol, "resolve_discard_both", actor=actor, reason=reason, data={"discarded": discarded})
        return protocol


def resolve_with_corrected_figures(protocol, user, values, *, reason, acknowledged=None, expected_version=None):
    """Record the supervisor's corrected figures (all controls apply) with a mandatory reason."""
    reason = clean_reason(reason)
    with transaction.atomic():
        protocol, actor, entries = _locked_discrepancy(protocol, user, expected_version, "resolve_corrected")
        if not reason:
            raise ReasonRequired()
        report, context, acks = check_values(protocol, values, finish=True, acknowledged=acknowledged)
        stored = stored_values(report, context["candidacies"], context["against_all"])
        now = clock.now()
        entry = ProtocolEntry.objects.create(
            protocol=protocol,
            cycle=protocol.cycle,
            slot=3,
            kind=ProtocolEntry.Kind.CORRECTION,
            status=ProtocolEntry.Status.FINISHED,
            clerk=user,
            values=stored,
            acknowledged=acks,
            reason=reason,
            started_at=now,
            updated_at=now,
            finished_at=now,
        )
        fields = make_official(protocol, entry, context["candidacies"])
        transition(
            protocol,
            "resolve_corrected",
            actor=actor,
            reason=reason,
            data={
                "entry": entry.pk,
                "values": stored,
                "differs_from_first": differences(entries[1].values, stored) if 1 in entries else None,
                "differs_from_second": differences(entries[2].values, stored) if 2 in entries else None,
            },
            extra_fields=fields,
        )
        return protocol, entry
