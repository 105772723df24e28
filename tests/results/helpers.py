"""Small helpers of the results tests: refresh, audit actions, driving a protocol to a state."""

from core.models import AuditEvent
from results.models import Protocol
from results.services import resolve_keep_entry, save_entry


def fresh(protocol):
    return Protocol.objects.get(pk=protocol.pk)


def actions(protocol):
    return list(AuditEvent.objects.for_object(protocol).order_by("id").values_list("action", flat=True))


def snapshot(protocol):
    """Everything a refused action must leave unchanged."""
    p = fresh(protocol)
    return (
        p.state,
        p.version,
        p.cycle,
        [(e.pk, e.status, e.values) for e in p.entries.order_by("pk")],
        list(p.votes.values_list("candidacy_id", "votes")),
        AuditEvent.objects.count(),
    )


def first_done(w, protocol=None, **overrides):
    save_entry(protocol or w.protocol, w.clerk1, w.values(**overrides), finish=True)
    return fresh(protocol or w.protocol)


def verified(w, protocol=None):
    first_done(w, protocol)
    save_entry(protocol or w.protocol, w.clerk2, w.values(), finish=True)
    return fresh(protocol or w.protocol)


def in_discrepancy(w, protocol=None):
    first_done(w, protocol)
    save_entry(protocol or w.protocol, w.clerk2, w.values(spoiled="11", unused="239"), finish=True)
    return fresh(protocol or w.protocol)


def resolved(w):
    in_discrepancy(w)
    resolve_keep_entry(w.protocol, w.chair, 1, reason="checked against the paper")
    return fresh(w.protocol)
