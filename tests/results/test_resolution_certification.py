"""Resolution of discrepancies, certification, reopening, creation and the transition table."""

import datetime
import logging

import pytest

from core import clock
from core.errors import InvalidTransition, NotPermitted, OutOfScope
from core.models import AuditEvent
from results import aggregation_hook
from results.errors import CandidatesNotFinal, NoSuchEntry, ReasonRequired, StaleForm
from results.models import Protocol, ProtocolEntry, ProtocolState, ProtocolVote
from results.permissions import Actor
from results.services import (
    certify_protocol,
    certify_protocols,
    create_protocols_for_contest,
    reopen_protocol,
    resolve_discard_both,
    resolve_keep_entry,
    resolve_with_corrected_figures,
    save_entry,
)
from results.services import state_machine as sm

from .helpers import actions, fresh, in_discrepancy, snapshot, verified

pytestmark = pytest.mark.django_db


# --- resolution --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["clerk1", "clerk3"])
def test_a_clerk_cannot_resolve(world, who):
    in_discrepancy(world)
    before = snapshot(world.protocol)
    with pytest.raises(NotPermitted):
        resolve_keep_entry(world.protocol, getattr(world, who), 1)
    assert snapshot(world.protocol) == before


def test_a_supervisor_elsewhere_cannot_resolve(world):
    in_discrepancy(world)
    with pytest.raises(OutOfScope):
        resolve_keep_entry(world.protocol, world.outsider_tec, 1)


def test_resolution_needs_a_discrepancy(world):
    verified(world)
    before = snapshot(world.protocol)
    with pytest.raises(InvalidTransition):
        resolve_keep_entry(world.protocol, world.chair, 1)
    assert snapshot(world.protocol) == before


@pytest.mark.parametrize("slot", [0, 3, "x", None])
def test_keeping_a_non_existent_entry_is_refused(world, slot):
    in_discrepancy(world)
    with pytest.raises(NoSuchEntry):
        resolve_keep_entry(world.protocol, world.chair, slot)


@pytest.mark.parametrize(("slot", "spoiled"), [(1, 10), (2, 11)])
def test_keep_one_entry(world, slot, spoiled):
    in_discrepancy(world)
    protocol = resolve_keep_entry(world.protocol, world.chair, slot, reason="checked the paper")
    protocol = fresh(protocol)
    assert protocol.state == ProtocolState.VERIFIED
    assert protocol.spoiled == spoiled
    assert protocol.official_entry.slot == slot
    assert protocol.votes.count() == 3
    event = AuditEvent.objects.for_object(protocol).order_by("-id").first()
    assert (event.action, event.actor_role, event.reason) == (
        "protocol.resolve_keep_entry",
        "chair",
        "checked the paper",
    )


def test_a_tec_member_may_resolve(world):
    in_discrepancy(world)
    resolve_keep_entry(world.protocol, world.regional, 1)
    assert fresh(world.protocol).state == ProtocolState.VERIFIED


def test_discard_both_asks_for_fresh_entries(world):
    in_discrepancy(world)
    resolve_discard_both(world.protocol, world.chair, reason="both wrong")
    protocol = fresh(world.protocol)
    assert protocol.state == ProtocolState.EMPTY
    assert list(protocol.entries.values_list("status", flat=True)) == ["discarded", "discarded"]
    event = AuditEvent.objects.for_object(protocol).order_by("-id").first()
    assert (event.action, event.from_state, event.to_state, event.reason) == (
        "protocol.resolve_discard_both",
        "in_discrepancy",
        "empty",
        "both wrong",
    )
    # Fresh entries, by anyone (even the same clerks, in either order).
    save_entry(protocol, world.clerk2, world.values(), finish=True)
    save_entry(protocol, world.clerk1, world.values(), finish=True)
    assert fresh(protocol).state == ProtocolState.VERIFIED
    assert protocol.entries.count() == 4


def test_corrected_figures_need_a_reason_and_pass_the_controls(world):
    in_discrepancy(world)
    before = snapshot(world.protocol)
    with pytest.raises(ReasonRequired):
        resolve_with_corrected_figures(world.protocol, world.chair, world.values(), reason="  ")
    from results.errors import ControlsFailed

    with pytest.raises(ControlsFailed):
        resolve_with_corrected_figures(world.protocol, world.chair, world.values(invalid="31"), reason="typo")
    assert snapshot(world.protocol) == before
    values = world.values(spoiled="12", unused="238")
    protocol, entry = resolve_with_corrected_figures(world.protocol, world.chair, values, reason="recounted")
    protocol = fresh(protocol)
    assert protocol.state == ProtocolState.VERIFIED and protocol.spoiled == 12
    assert (entry.kind, entry.slot, entry.reason, entry.clerk) == ("correction", 3, "recounted", world.chair)
    event = AuditEvent.objects.for_object(protocol).order_by("-id").first()
    assert event.data["differs_from_first"] == ["spoiled", "unused"]
    assert (event.action, event.reason, event.to_state) == ("protocol.resolve_corrected", "recounted", "verified")


def test_resolution_refuses_a_stale_form(world):
    version = in_discrepancy(world).version
    resolve_keep_entry(world.protocol, world.chair, 1, expected_version=version)
    with pytest.raises(StaleForm):
        resolve_discard_both(world.protocol, world.regional, expected_version=version)


# --- certification and reopening ---------------------------------------------------------------


@pytest.mark.parametrize("who", ["chair", "clerk1"])
def test_only_a_tec_certifies(world, who):
    verified(world)
    before = snapshot(world.protocol)
    with pytest.raises(NotPermitted):
        certify_protocol(world.protocol, getattr(world, who))
    assert snapshot(world.protocol) == before


def test_certify_outside_the_territory(world):
    verified(world)
    with pytest.raises(OutOfScope):
        certify_protocol(world.protocol, world.outsider_tec)


@pytest.mark.parametrize("state_of", [None, in_discrepancy])
def test_only_verified_protocols_are_certified(world, state_of):
    if state_of:
        state_of(world)
    before = snapshot(world.protocol)
    with pytest.raises(InvalidTransition):
        certify_protocol(world.protocol, world.tec)
    assert snapshot(world.protocol) == before


def test_certify_locks_and_records(world, django_capture_on_commit_callbacks, monkeypatch):
    calls = []
    monkeypatch.setattr("results.tasks.enqueue_aggregation", lambda e, c: calls.append((e, c)))
    verified(world)
    with django_capture_on_commit_callbacks(execute=True):
        protocol = certify_protocol(world.protocol, world.tec)
    protocol = fresh(protocol)
    assert protocol.state == ProtocolState.CERTIFIED
    assert protocol.certified_by == world.tec and protocol.certified_at == clock.now()
    assert calls == [(world.election.pk, [world.contest.pk])]
    event = AuditEvent.objects.for_object(protocol).order_by("-id").first()
    assert (event.action, event.from_state, event.to_state, event.actor_role) == (
        "protocol.certify",
        "verified",
        "certified",
        "chair",
    )
    assert event.data["figures"]["voters"] == 1000


def test_certification_succeeds_when_scheduling_aggregation_fails(world, monkeypatch, caplog):
    def broken(*_a, **_k):
        raise ConnectionError("broker down")

    monkeypatch.setattr("results.tasks.enqueue_aggregation", broken)
    verified(world)
    with caplog.at_level(logging.ERROR, logger=aggregation_hook.__name__):
        certify_protocol(world.protocol, world.tec)
    assert fresh(world.protocol).state == ProtocolState.CERTIFIED
    assert "could not schedule the aggregation" in caplog.text


def test_bulk_certification_reports_per_row(world):
    verified(world)
    result = certify_protocols([world.protocol, world.protocol2, world.other_protocol], world.tec)
    codes = [(pid, err.code if err else None) for pid, err in result]
    assert codes == [
        (world.protocol.pk, None),
        (world.protocol2.pk, "invalid_transition"),
        (world.other_protocol.pk, "out_of_scope"),
    ]
    assert fresh(world.protocol).state == ProtocolState.CERTIFIED


def test_bulk_certification_writes_the_same_rows_and_audit_records(world):
    from core import audit

    verified(world)
    save_entry(world.protocol2, world.tec, world.values(), finish=True)  # TEC staff may enter too
    save_entry(world.protocol2, world.regional, world.values(), finish=True)
    result = certify_protocols([world.protocol2.pk, world.protocol.pk, world.protocol.pk], world.tec)
    assert [err for _pid, err in result] == [None, None]
    for p in (world.protocol, world.protocol2):
        p = fresh(p)
        assert (p.state, p.certified_by, p.certified_at, p.state_changed_at) == (
            ProtocolState.CERTIFIED,
            world.tec,
            clock.now(),
            clock.now(),
        )
        event = AuditEvent.objects.for_object(p).order_by("-id").first()
        assert (event.action, event.from_state, event.to_state, event.actor_name, event.actor_role) == (
            "protocol.certify",
            "verified",
            "certified",
            "tec-district",
            "chair",
        )
        assert event.data["figures"]["voters"] == p.voters and event.data["version"] == p.version
    assert audit.verify_chain()[1] is None


def test_reopen_needs_a_tec_and_a_reason(world):
    verified(world)
    certify_protocol(world.protocol, world.tec)
    before = snapshot(world.protocol)
    with pytest.raises(ReasonRequired):
        reopen_protocol(world.protocol, world.tec, reason=" ")
    with pytest.raises(NotPermitted):
        reopen_protocol(world.protocol, world.chair, reason="x")
    assert snapshot(world.protocol) == before


def test_reopen_of_an_empty_protocol_is_refused(world):
    with pytest.raises(InvalidTransition):
        reopen_protocol(world.protocol, world.tec, reason="x")


def test_reopen_keeps_history_and_restarts_entry(world):
    verified(world)
    certify_protocol(world.protocol, world.tec)
    old_entries = list(fresh(world.protocol).entries.values_list("pk", "status"))
    protocol = reopen_protocol(world.protocol, world.regional, reason="complaint upheld")
    protocol = fresh(protocol)
    assert (protocol.state, protocol.cycle, protocol.voters, protocol.certified_at) == (
        ProtocolState.EMPTY,
        2,
        None,
        None,
    )
    assert not ProtocolVote.objects.filter(protocol=protocol).exists()
    assert list(protocol.entries.values_list("pk", "status")) == old_entries  # kept, untouched
    event = AuditEvent.objects.for_object(protocol).order_by("-id").first()
    assert (event.action, event.reason) == ("protocol.reopen", "complaint upheld")
    assert event.data["previous"]["figures"]["voters"] == 1000
    assert event.data["previous"]["votes"] == {str(world.c1.pk): 400, str(world.c2.pk): 200, str(world.c3.pk): 120}
    # Entry restarts in cycle 2, the same clerks may enter again.
    save_entry(protocol, world.clerk1, world.values(), finish=True)
    save_entry(protocol, world.clerk2, world.values(), finish=True)
    protocol = fresh(protocol)
    assert protocol.state == ProtocolState.VERIFIED
    assert protocol.entries.filter(cycle=2).count() == 2


def test_every_transition_is_audited_in_order(world):
    in_discrepancy(world)
    resolve_keep_entry(world.protocol, world.chair, 2)
    certify_protocol(world.protocol, world.tec)
    reopen_protocol(world.protocol, world.tec, reason="recount")
    assert actions(world.protocol) == [
        "protocol.start_first",
        "protocol.finish_first",
        "protocol.start_second",
        "protocol.finish_second_different",
        "protocol.resolve_keep_entry",
        "protocol.certify",
        "protocol.reopen",
    ]
    states = list(AuditEvent.objects.for_object(world.protocol).order_by("id").values_list("from_state", "to_state"))
    assert all(a == b for (_f, a), (b, _t) in zip(states, states[1:], strict=False))


# --- the transition table ----------------------------------------------------------------------


EVENTS = sorted({event for (_s, event) in sm.TRANSITIONS} | {"save_draft", "bogus"})


@pytest.mark.parametrize("state", list(ProtocolState.values))
def test_transition_refuses_every_pair_outside_the_table(world, state):
    actor = Actor(world.cec)
    for event in EVENTS:
        if (state, event) in sm.TRANSITIONS or (state, event) in sm.SAME_STATE_EVENTS:
            continue
        protocol = fresh(world.protocol)
        protocol.state = state
        with pytest.raises(InvalidTransition):
            sm.transition(protocol, event, actor=actor)
    assert fresh(world.protocol).state == ProtocolState.EMPTY


def test_every_state_is_reachable_and_left():
    states = set(ProtocolState.values)
    assert {s for (s, _e) in sm.TRANSITIONS} == states
    assert set(sm.TRANSITIONS.values()) == states


def test_state_is_assigned_only_in_the_state_machine():
    import pathlib

    import results

    root = pathlib.Path(results.__file__).parent
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if ".state = " in path.read_text() and path.name != "state_machine.py"
    ]
    assert offenders == []


# --- creation ----------------------------------------------------------------------------------


def test_protocols_wait_for_final_candidates(db):
    from .factories import World

    w = World()
    with clock.frozen(datetime.datetime(2021, 7, 20, 12, 0, tzinfo=datetime.UTC)), pytest.raises(CandidatesNotFinal):
        create_protocols_for_contest(w.contest, w.cec)
    assert not Protocol.objects.exists()


def test_creation_covers_the_units_subtree_and_is_idempotent(world):
    stations = set(Protocol.objects.filter(contest=world.contest).values_list("polling_station_id", flat=True))
    assert stations == {world.station.pk, world.station2.pk}
    assert create_protocols_for_contest(world.contest, world.cec) == 0
    p = Protocol.objects.get(pk=world.protocol.pk)
    assert (p.election_id, p.region_id, p.district_id) == (world.election.pk, world.region.pk, world.district.pk)
    assert AuditEvent.objects.filter(action="protocol.created").count() == 2


def test_no_two_live_entries_in_one_slot(world):
    from django.db import IntegrityError, transaction

    save_entry(world.protocol, world.clerk1, {"voters": "1"})
    now = clock.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProtocolEntry.objects.create(
            protocol=world.protocol, cycle=1, slot=1, kind="first", clerk=world.clerk2, started_at=now, updated_at=now
        )


def test_a_verified_protocol_may_be_reopened_before_certification(world):
    verified(world)
    protocol = reopen_protocol(world.protocol, world.tec, reason="wrong station's sheet")
    assert (fresh(protocol).state, fresh(protocol).cycle) == (ProtocolState.EMPTY, 2)
    event = AuditEvent.objects.for_object(protocol).order_by("-id").first()
    assert (event.action, event.from_state, event.to_state) == ("protocol.reopen", "verified", "empty")
