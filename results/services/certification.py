"""Certification of verified protocols by a territorial commission, and audited reopening.

Certifying locks a protocol; reopening (mandatory reason) clears its official figures (kept in
the audit record and in the entries, which are never deleted) and restarts entry in a new
cycle. Both ask for a recomputation of the contest's results once the transaction commits.
"""

from django.db import transaction
from django.utils.translation import gettext as _g

from core import clock
from core.errors import DomainError, OutOfScope
from core.reasons import clean_reason
from results import aggregation_hook
from results.controls import FIGURE_NAMES
from results.errors import ReasonRequired, StaleForm
from results.models import Protocol, ProtocolVote
from results.models import ProtocolState as S
from results.permissions import check_certify

from .state_machine import lock, refuse, transition, transition_many


def _id(protocol):
    return protocol.pk if isinstance(protocol, Protocol) else int(protocol)


def _certify_locked(protocol_id, user, expected_version):
    protocol = lock(protocol_id, expected_version)
    actor = check_certify(user, protocol.polling_station)
    if protocol.state != S.VERIFIED:
        raise refuse(protocol, "certify")
    protocol.certified_at = clock.now()
    protocol.certified_by = user
    transition(
        protocol,
        "certify",
        actor=actor,
        data={"figures": protocol.official_figures()},
        extra_fields=["certified_at", "certified_by"],
    )
    return protocol


def certify_protocol(protocol, user, *, expected_version=None):
    """Certify one verified protocol. Raises OutOfScope, NotPermitted, InvalidTransition, StaleForm."""
    with transaction.atomic():
        protocol = _certify_locked(_id(protocol), user, expected_version)
        aggregation_hook.enqueue_aggregation(protocol.election_id, [protocol.contest_id])
    return protocol


def _stale(protocol, expected_version):
    try:
        return int(expected_version) != protocol.version
    except (TypeError, ValueError):
        return True


def certify_protocols(protocols, user, *, expected_versions=None):
    """Certify many (the TEC queue, the admin action, the demo) in one transaction: every row is
    locked and checked as `certify_protocol` does; those that pass are certified together (same
    rows, one audit record each, written in batches); one aggregation request per election.

    `expected_versions` ({protocol id: version} of the figures the user confirmed) refuses, with
    StaleForm, a protocol that changed since: it is not certified, the others are.

    Returns [(protocol id, None | DomainError)] in the given order.
    """
    expected_versions = expected_versions or {}
    ids = list(dict.fromkeys(_id(p) for p in protocols))
    outcome = {}
    with transaction.atomic():
        locked = {
            p.pk: p
            for p in Protocol.objects.select_for_update(of=("self",))
            .select_related("election", "polling_station")
            .filter(pk__in=ids)
            .order_by("pk")
        }
        now = clock.now()
        groups = {}
        for pid in ids:
            protocol = locked.get(pid)
            try:
                if protocol is None:
                    raise OutOfScope()
                actor = check_certify(user, protocol.polling_station)
                if protocol.state != S.VERIFIED:
                    raise refuse(protocol, "certify")
                if pid in expected_versions and _stale(protocol, expected_versions[pid]):
                    raise StaleForm(details={"expected": str(expected_versions[pid])[:20], "current": protocol.version})
            except DomainError as error:
                outcome[pid] = error
                continue
            protocol.certified_at = now
            protocol.certified_by = user
            groups.setdefault((actor.role, actor.commission), (actor, []))[1].append(protocol)
            outcome[pid] = None
        touched = {}
        for actor, rows in groups.values():
            transition_many(
                rows,
                "certify",
                actor=actor,
                data_for=lambda p: {"figures": p.official_figures()},
                extra_fields=["certified_at", "certified_by"],
            )
            for p in rows:
                touched.setdefault(p.election_id, set()).add(p.contest_id)
        for election_id, contest_ids in touched.items():
            aggregation_hook.enqueue_aggregation(election_id, contest_ids)
    return [(pid, outcome[pid]) for pid in ids]


def reopen_protocol(protocol, user, *, reason, expected_version=None):
    """Send a certified (or verified) protocol back to entry, with a mandatory reason."""
    reason = clean_reason(reason)
    with transaction.atomic():
        protocol = lock(_id(protocol), expected_version)
        actor = check_certify(user, protocol.polling_station)
        if protocol.state not in (S.CERTIFIED, S.VERIFIED):
            raise refuse(protocol, "reopen")
        if not reason:
            raise ReasonRequired(_g("Reopening a protocol needs a reason."))
        old = {
            "figures": protocol.official_figures(),
            "votes": {
                str(cid): n
                for cid, n in ProtocolVote.objects.filter(protocol=protocol).values_list("candidacy_id", "votes")
            },
            "official_entry": protocol.official_entry_id,
            "certified_at": protocol.certified_at,
            "certified_by": protocol.certified_by_id,
            "cycle": protocol.cycle,
        }
        ProtocolVote.objects.filter(protocol=protocol).delete()
        for name in (*FIGURE_NAMES, "against_all"):
            setattr(protocol, name, None)
        protocol.official_entry = None
        protocol.certified_at = None
        protocol.certified_by = None
        protocol.cycle += 1
        transition(
            protocol,
            "reopen",
            actor=actor,
            reason=reason,
            data={"previous": old},
            extra_fields=[*FIGURE_NAMES, "against_all", "official_entry", "certified_at", "certified_by", "cycle"],
        )
        # Verified figures are aggregated too (marked as such): both kinds of reopen matter.
        aggregation_hook.enqueue_aggregation(protocol.election_id, [protocol.contest_id])
    return protocol
