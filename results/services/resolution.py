"""Resolving a discrepancy: keep one entry, discard both for fresh entries, or enter corrected figures.

By the precinct commission's chair (or deputy) or a territorial commission. The entries are
never changed: a kept entry becomes the official one, discarded ones are marked discarded, and
corrected figures are a third entry (slot 3) with the supervisor's reason.

Every resolution needs a reason, and the two entries and the resolution come from three different
people: whoever made either entry may not resolve (`ResolverMadeAnEntry`). The one exception, off
unless `settings.RESULTS_TWO_MEMBER_CHAIR_MAY_RESOLVE` is on, is the chair of a precinct commission
of two active members, who then necessarily made one of the entries; the audit record says so.

`review_resolution` runs every check of a resolution without making it and says what would become
official: the pages show it and ask for an explicit confirmation before calling `resolve`.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from core import clock
from core.models import AuditEvent
from core.reasons import clean_reason
from results.errors import NoSuchEntry, ReasonRequired, ResolverMadeAnEntry
from results.models import Protocol, ProtocolEntry
from results.models import ProtocolState as S
from results.permissions import check_resolve
from results.selectors import live_entries
from territory.models import Commission, Membership

from .entry import check_values, clean_submission, differences, make_official, stored_values
from .state_machine import check_version, lock, refuse, transition

CHOICES = ("keep_1", "keep_2", "discard", "correct")
EVENTS = {
    "keep_1": "resolve_keep_entry",
    "keep_2": "resolve_keep_entry",
    "discard": "resolve_discard_both",
    "correct": "resolve_corrected",
}


@dataclass
class ResolutionPlan:
    """What a resolution would do: the choice, the entry kept (keep), the figures that would become
    official (keep, correct; None for discard), and the entries of the cycle by slot."""

    choice: str
    entries: dict
    kept: ProtocolEntry | None = None
    official: dict | None = None
    changes: list = field(default_factory=list)  # field paths where `official` differs from an entry


def _reason(reason):
    """The resolution's reason, required, within core.reasons' limit (never cut silently)."""
    reason = clean_reason(reason)
    if not reason:
        raise ReasonRequired()
    return reason


def _two_member_chair(user, protocol):
    """With the switch on: `user` chairs the protocol's precinct commission, which has two active members."""
    if not getattr(settings, "RESULTS_TWO_MEMBER_CHAIR_MAY_RESOLVE", False):
        return False
    active = Membership.objects.active_on(clock.now().date()).filter(
        commission__kind=Commission.Kind.PRECINCT, commission__polling_station_id=protocol.polling_station_id
    )
    if not active.filter(user=user, role=Membership.Role.CHAIR).exists():
        return False
    return active.values("user").distinct().count() == 2


def _check_three_people(actor, protocol, entries):
    """Refuse a resolver who made an entry of this cycle; returns True when the two-member exception applies."""
    clerks = {e.clerk_id for e in entries.values() if e.slot in (1, 2)}
    if actor.user.pk not in clerks:
        return False
    if _two_member_chair(actor.user, protocol):
        return True
    raise ResolverMadeAnEntry()


def _replayed(protocol, user, submission):
    """This very form already resolved the protocol (a double click, a retry): the protocol, else None."""
    if not submission or protocol.state == S.IN_DISCREPANCY:
        return None
    resolved = (
        AuditEvent.objects.for_object(protocol)
        .filter(action__startswith="protocol.resolve_", actor=user, data__submission=submission)
        .exists()
    )
    return protocol if resolved else None


def _locked_discrepancy(protocol, user, expected_version, event, submission=""):
    """(protocol, actor, entries, exception flag, replayed): the protocol locked, every common check made."""
    protocol_id = protocol.pk if isinstance(protocol, Protocol) else int(protocol)
    protocol = lock(protocol_id)
    actor = check_resolve(user, protocol.polling_station)
    if _replayed(protocol, user, submission) is not None:
        return protocol, actor, {}, False, True
    check_version(protocol, expected_version)
    if protocol.state != S.IN_DISCREPANCY:
        raise refuse(protocol, event)
    entries = live_entries(protocol)
    exception = _check_three_people(actor, protocol, entries)
    return protocol, actor, entries, exception, False


def _kept_entry(entries, slot):
    try:
        entry = entries[int(slot)]
    except (KeyError, TypeError, ValueError):
        raise NoSuchEntry(details={"slot": slot}) from None
    if entry.status != ProtocolEntry.Status.FINISHED or entry.slot not in (1, 2):
        raise NoSuchEntry(details={"slot": slot})
    return entry


def _audit_data(exception, submission, **data):
    if exception:
        data["two_member_exception"] = True
    if submission:
        data["submission"] = submission
    return data


def _changes(official, entries):
    paths = set()
    for slot in (1, 2):
        if slot in entries:
            paths.update(differences(entries[slot].values, official))
    return sorted(paths)


def review_resolution(protocol, user, choice, *, reason, values=None, acknowledged=None, expected_version=None):
    """Every check `resolve` makes, nothing written: a ResolutionPlan, or the error `resolve` would raise."""
    if choice not in CHOICES:
        raise NoSuchEntry(details={"choice": str(choice)[:20]})
    with transaction.atomic():
        protocol, _actor, entries, _exc, _replay = _locked_discrepancy(protocol, user, expected_version, EVENTS[choice])
        _reason(reason)
        if choice == "discard":
            return ResolutionPlan(choice, entries)
        if choice == "correct":
            report, context, _acks = check_values(protocol, values, finish=True, acknowledged=acknowledged)
            official = stored_values(report, context["candidacies"], context["against_all"])
            return ResolutionPlan(choice, entries, official=official, changes=_changes(official, entries))
        entry = _kept_entry(entries, choice[-1])
        check_values(protocol, entry.values, finish=True, acknowledged=entry.acknowledged)
        return ResolutionPlan(
            choice, entries, kept=entry, official=entry.values, changes=_changes(entry.values, entries)
        )


def resolve(protocol, user, choice, *, reason, values=None, acknowledged=None, expected_version=None, submission=None):
    """Make the resolution `choice` (one of CHOICES). Returns the protocol."""
    if choice in ("keep_1", "keep_2"):
        return resolve_keep_entry(
            protocol, user, int(choice[-1]), reason=reason, expected_version=expected_version, submission=submission
        )
    if choice == "discard":
        return resolve_discard_both(
            protocol, user, reason=reason, expected_version=expected_version, submission=submission
        )
    if choice == "correct":
        return resolve_with_corrected_figures(
            protocol,
            user,
            values,
            reason=reason,
            acknowledged=acknowledged,
            expected_version=expected_version,
            submission=submission,
        )[0]
    raise NoSuchEntry(details={"choice": str(choice)[:20]})


def resolve_keep_entry(protocol, user, slot, *, reason="", expected_version=None, submission=None):
    """Make entry `slot` (1 or 2) of the current cycle the official figures."""
    submission = clean_submission(submission)
    with transaction.atomic():
        protocol, actor, entries, exception, replay = _locked_discrepancy(
            protocol, user, expected_version, "resolve_keep_entry", submission
        )
        if replay:
            return protocol
        reason = _reason(reason)
        entry = _kept_entry(entries, slot)
        # The kept values must still pass the controls against today's candidate list.
        check_values(protocol, entry.values, finish=True, acknowledged=entry.acknowledged)
        fields = make_official(protocol, entry)
        transition(
            protocol,
            "resolve_keep_entry",
            actor=actor,
            reason=reason,
            data=_audit_data(
                exception, submission, kept_entry=entry.pk, slot=entry.slot, clerk=entry.clerk_id, values=entry.values
            ),
            extra_fields=fields,
        )
        return protocol


def resolve_discard_both(protocol, user, *, reason="", expected_version=None, submission=None):
    """Discard both entries (kept as discarded) and send the protocol back for two fresh entries."""
    submission = clean_submission(submission)
    with transaction.atomic():
        protocol, actor, entries, exception, replay = _locked_discrepancy(
            protocol, user, expected_version, "resolve_discard_both", submission
        )
        if replay:
            return protocol
        reason = _reason(reason)
        now = clock.now()
        discarded = []
        for entry in entries.values():
            entry.status = ProtocolEntry.Status.DISCARDED
            entry.discarded_at = now
            entry.save(update_fields=["status", "discarded_at"])
            discarded.append(entry.pk)
        transition(
            protocol,
            "resolve_discard_both",
            actor=actor,
            reason=reason,
            data=_audit_data(exception, submission, discarded=discarded),
        )
        return protocol


def resolve_with_corrected_figures(
    protocol, user, values, *, reason, acknowledged=None, expected_version=None, submission=None
):
    """Record the supervisor's corrected figures (all controls apply) with a mandatory reason."""
    submission = clean_submission(submission)
    with transaction.atomic():
        protocol, actor, entries, exception, replay = _locked_discrepancy(
            protocol, user, expected_version, "resolve_corrected", submission
        )
        if replay:
            return protocol, protocol.official_entry
        reason = _reason(reason)
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
            submission=submission,
        )
        fields = make_official(protocol, entry)
        transition(
            protocol,
            "resolve_corrected",
            actor=actor,
            reason=reason,
            data=_audit_data(
                exception,
                submission,
                entry=entry.pk,
                values=stored,
                differs_from_first=differences(entries[1].values, stored) if 1 in entries else None,
                differs_from_second=differences(entries[2].values, stored) if 2 in entries else None,
            ),
            extra_fields=fields,
        )
        return protocol, entry
