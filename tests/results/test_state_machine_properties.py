"""Property: any sequence of actions by any users leaves a protocol in a consistent state.

Hypothesis drives random sequences (drafts, finishes with equal, different or broken values,
abandon, the three resolutions, certify, reopen) by clerks, the chair, the TEC and an outsider.
Refused actions raise a DomainError and change nothing; after every step the invariants hold.
"""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from core.errors import DomainError
from core.models import AuditEvent
from results.models import Protocol, ProtocolEntry, ProtocolState
from results.services import (
    abandon_entry,
    certify_protocol,
    reopen_protocol,
    resolve_discard_both,
    resolve_keep_entry,
    resolve_with_corrected_figures,
    save_entry,
)

from .helpers import first_done, in_discrepancy, verified

pytestmark = pytest.mark.django_db

USERS = ["clerk1", "clerk2", "clerk3", "chair", "tec", "outsider"]
VARIANTS = {
    "same": {},
    "other": {"spoiled": "11", "unused": "239"},
    "broken": {"invalid": "31"},
    "text": {"voters": "many"},
}


def act(w, action, who, variant, slot):
    p, user, values = w.protocol, getattr(w, who), w.values(**VARIANTS[variant])
    if action == "draft":
        save_entry(p, user, values)
    elif action == "finish":
        save_entry(p, user, values, finish=True)
    elif action == "abandon":
        abandon_entry(p, user)
    elif action == "keep":
        resolve_keep_entry(p, user, slot, reason="paper")
    elif action == "discard":
        resolve_discard_both(p, user, reason="again")
    elif action == "correct":
        resolve_with_corrected_figures(p, user, values, reason="recount")
    elif action == "certify":
        certify_protocol(p, user)
    elif action == "reopen":
        reopen_protocol(p, user, reason="check")


def check_invariants(w, candidates):
    p = Protocol.objects.get(pk=w.protocol.pk)
    live = {
        e.slot: e for e in ProtocolEntry.objects.filter(protocol=p, cycle=p.cycle, status__in=["draft", "finished"])
    }
    if p.state == ProtocolState.EMPTY:
        assert live == {}
    if p.state == ProtocolState.FIRST_ENTRY_IN_PROGRESS:
        assert set(live) == {1} and live[1].status == "draft"
    if p.state == ProtocolState.FIRST_ENTRY_DONE:
        assert set(live) == {1} and live[1].status == "finished"
    if p.state == ProtocolState.SECOND_ENTRY_IN_PROGRESS:
        assert set(live) == {1, 2} and live[2].status == "draft"
    if p.state in (ProtocolState.IN_DISCREPANCY, ProtocolState.VERIFIED, ProtocolState.CERTIFIED):
        assert live[1].status == "finished" and live[2].status == "finished"
        assert live[1].clerk_id != live[2].clerk_id
    if p.state == ProtocolState.IN_DISCREPANCY:
        assert live[1].values != live[2].values and p.voters is None
    if p.state in (ProtocolState.VERIFIED, ProtocolState.CERTIFIED):
        assert p.official_entry.status == "finished" and p.official_entry.cycle == p.cycle
        assert p.voters == p.official_entry.values["voters"]
        assert p.votes.count() == candidates
    else:
        assert p.voters is None and not p.votes.exists()
    assert (p.state == ProtocolState.CERTIFIED) == (p.certified_at is not None)
    last = AuditEvent.objects.for_object(p).exclude(to_state="").order_by("-id").first()
    assert (last.to_state if last else ProtocolState.EMPTY) == p.state


def _certified(w):
    verified(w)
    certify_protocol(w.protocol, w.tec)


STARTS = {
    "empty": lambda w: None,
    "first_done": first_done,
    "in_discrepancy": in_discrepancy,
    "verified": verified,
    "certified": _certified,
}

step = st.tuples(
    st.sampled_from(
        ["draft", "finish", "finish", "finish", "abandon", "keep", "discard", "correct", "certify", "reopen"]
    ),
    st.sampled_from([*USERS, "clerk1", "clerk2", "tec"]),  # weighted towards progress
    st.sampled_from([*VARIANTS, "same", "same"]),
    st.sampled_from([1, 2]),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(list(STARTS)), st.lists(step, min_size=1, max_size=20))
def test_any_sequence_of_actions_keeps_the_protocol_consistent(world, start, steps):
    with transaction.atomic():
        STARTS[start](world)
        for action, who, variant, slot in steps:
            try:
                with transaction.atomic():
                    act(world, action, who, variant, slot)
            except DomainError:
                pass
            check_invariants(world, candidates=3)
            event(f"reached {Protocol.objects.values_list('state', flat=True).get(pk=world.protocol.pk)}")
        transaction.set_rollback(True)
