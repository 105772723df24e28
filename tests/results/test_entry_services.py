"""Clerks' double entry through results.services.entry: refusals first, then the transitions."""

import pytest

from core.errors import InvalidTransition, OutOfScope
from results.errors import (
    ControlsFailed,
    EntryNotOpen,
    EntryTakenByOther,
    ProtocolCertified,
    SameClerk,
    StaleForm,
    WarningsNotAcknowledged,
)
from results.models import ProtocolEntry, ProtocolState, ProtocolVote
from results.services import abandon_entry, certify_protocol, save_entry

from .helpers import actions, first_done, fresh, in_discrepancy, snapshot, verified

pytestmark = pytest.mark.django_db


# --- refusals: each changes nothing ------------------------------------------------------------


@pytest.mark.parametrize("who", ["outsider", "nobody", "outsider_tec"])
def test_entry_outside_the_users_stations_is_refused(world, who):
    before = snapshot(world.protocol)
    with pytest.raises(OutOfScope):
        save_entry(world.protocol, getattr(world, who), world.values(), finish=True)
    assert snapshot(world.protocol) == before


def test_second_entry_by_the_first_clerk_is_refused(world):
    first_done(world)
    before = snapshot(world.protocol)
    with pytest.raises(SameClerk) as info:
        save_entry(world.protocol, world.clerk1, world.values(), finish=True)
    assert info.value.code == "second_entry_same_clerk"
    assert snapshot(world.protocol) == before


def test_a_draft_of_another_clerk_blocks_the_slot(world):
    save_entry(world.protocol, world.clerk1, {"voters": "1000"})
    before = snapshot(world.protocol)
    with pytest.raises(EntryTakenByOther):
        save_entry(world.protocol, world.clerk2, world.values(), finish=True)
    assert snapshot(world.protocol) == before


def test_second_draft_blocks_a_third_clerk_and_the_first(world):
    first_done(world)
    save_entry(world.protocol, world.clerk2, {"voters": "1000"})
    with pytest.raises(EntryTakenByOther):
        save_entry(world.protocol, world.clerk3, world.values(), finish=True)
    with pytest.raises(SameClerk):
        save_entry(world.protocol, world.clerk1, world.values(), finish=True)


def test_entry_into_a_certified_protocol_is_refused(world):
    verified(world)
    certify_protocol(world.protocol, world.tec)
    before = snapshot(world.protocol)
    with pytest.raises(ProtocolCertified) as info:
        save_entry(world.protocol, world.clerk3, world.values(), finish=True)
    assert info.value.code == "protocol_certified"
    assert snapshot(world.protocol) == before


@pytest.mark.parametrize("state_of", [verified, in_discrepancy])
def test_no_third_entry_once_both_are_done(world, state_of):
    state_of(world)
    before = snapshot(world.protocol)
    with pytest.raises(EntryNotOpen):
        save_entry(world.protocol, world.clerk3, world.values(), finish=True)
    assert snapshot(world.protocol) == before


def test_a_stale_form_is_refused(world):
    version_seen = fresh(world.protocol).version
    first_done(world)  # clerk1 finished while clerk2 had the form open
    before = snapshot(world.protocol)
    with pytest.raises(StaleForm) as info:
        save_entry(world.protocol, world.clerk2, world.values(), finish=True, expected_version=version_seen)
    assert info.value.code == "stale_form"
    assert snapshot(world.protocol) == before


@pytest.mark.parametrize(
    ("field", "raw", "code"),
    [
        ("voters", "", "figure.missing"),
        ("spoiled", "ten", "figure.not_integer"),
        ("unused", "10000001", "figure.too_large"),
        ("invalid", "-1", "figure.negative"),
        ("ballots_received", "999", "ballots.balance"),
        ("voters", "749", "issued.exceeds_voters"),
        ("found_mobile", "51", "mobile.found_exceeds_issued"),
        ("invalid", "31", "found.not_counted"),
    ],
)
def test_finishing_with_a_failed_control_is_refused_and_keeps_the_typed_figures_as_a_draft(world, field, raw, code):
    with pytest.raises(ControlsFailed) as info:
        save_entry(world.protocol, world.clerk1, world.values(**{field: raw}), finish=True)
    assert code in info.value.details["report"].codes()
    protocol = fresh(world.protocol)
    assert (protocol.state, protocol.version) == (ProtocolState.FIRST_ENTRY_IN_PROGRESS, 1)
    (entry,) = protocol.entries.all()
    assert (entry.clerk, entry.status, entry.slot) == (world.clerk1, ProtocolEntry.Status.DRAFT, 1)
    assert info.value.details["entry"].pk == entry.pk
    readable = code not in ("figure.missing", "figure.not_integer", "figure.too_large", "figure.negative")
    assert entry.values[field] == (int(raw) if readable else None)
    assert entry.values["issued_station"] == 700  # the other figures as typed
    assert not protocol.votes.exists()
    assert actions(protocol) == ["protocol.start_first"]


def test_a_refused_finish_of_a_second_entry_keeps_its_draft(world):
    first_done(world)
    with pytest.raises(ControlsFailed):
        save_entry(world.protocol, world.clerk2, world.values(ballots_received="999"), finish=True)
    protocol = fresh(world.protocol)
    assert protocol.state == ProtocolState.SECOND_ENTRY_IN_PROGRESS
    second = protocol.entries.get(slot=2)
    assert (second.clerk, second.status, second.values["ballots_received"]) == (world.clerk2, "draft", 999)
    # The draft is refused again (same figures), then finished once corrected: one entry throughout.
    with pytest.raises(ControlsFailed):
        save_entry(protocol, world.clerk2, world.values(ballots_received="999"), finish=True)
    save_entry(protocol, world.clerk2, world.values(), finish=True)
    assert fresh(protocol).state == ProtocolState.VERIFIED
    assert protocol.entries.filter(slot=2).count() == 1


def test_a_draft_with_unreadable_figures_is_refused_and_writes_nothing(world):
    before = snapshot(world.protocol)
    with pytest.raises(ControlsFailed):
        save_entry(world.protocol, world.clerk1, world.values(spoiled="ten"))
    assert snapshot(world.protocol) == before


def test_a_candidacy_of_another_contest_is_refused(world):
    votes = {**world.values()["votes"], str(world.foreign.pk): "0"}
    with pytest.raises(ControlsFailed) as info:
        save_entry(world.protocol, world.clerk1, world.values(votes=votes), finish=True)
    assert "candidate.unknown" in info.value.details["report"].codes()
    protocol = fresh(world.protocol)
    assert protocol.state == ProtocolState.FIRST_ENTRY_IN_PROGRESS
    draft = protocol.entries.get()
    assert set(draft.values["votes"]) == {str(c.pk) for c in (world.c1, world.c2, world.c3)}  # never the foreign one


def test_a_withdrawn_candidacy_gets_no_count(world):
    votes = {**world.values()["votes"], str(world.withdrawn.pk): "0"}
    with pytest.raises(ControlsFailed) as info:
        save_entry(world.protocol, world.clerk1, world.values(votes=votes), finish=True)
    assert info.value.details["report"].codes() == ["candidate.unknown"]


def test_a_missing_candidate_count_is_refused(world):
    votes = {str(world.c1.pk): "400", str(world.c2.pk): "320"}
    with pytest.raises(ControlsFailed) as info:
        save_entry(world.protocol, world.clerk1, world.values(votes=votes), finish=True)
    assert info.value.details["report"].codes() == ["candidate.missing"]


def test_a_draft_may_be_incomplete_but_not_unreadable(world):
    before = snapshot(world.protocol)
    with pytest.raises(ControlsFailed):
        save_entry(world.protocol, world.clerk1, {"voters": "lots"})
    assert snapshot(world.protocol) == before
    protocol, entry, report = save_entry(world.protocol, world.clerk1, {"voters": "1000", "spoiled": ""})
    assert protocol.state == ProtocolState.FIRST_ENTRY_IN_PROGRESS
    assert entry.status == ProtocolEntry.Status.DRAFT
    assert entry.values["voters"] == 1000 and entry.values["spoiled"] is None
    assert "figure.missing" in report.codes()


def test_warnings_need_an_explanation_each(world):
    below = world.values(found_stationary="699", invalid="29")  # one ballot missing
    with pytest.raises(WarningsNotAcknowledged) as info:
        save_entry(world.protocol, world.clerk1, below, finish=True, acknowledged={"found.below_issued": "   "})
    assert info.value.details["missing"] == ["found.below_issued"]
    assert fresh(world.protocol).state == ProtocolState.FIRST_ENTRY_IN_PROGRESS  # kept as a draft
    _p, entry, _r = save_entry(
        world.protocol,
        world.clerk1,
        below,
        finish=True,
        acknowledged={"found.below_issued": "A voter left with the ballot", "bogus.code": "x"},
    )
    assert entry.acknowledged == {"found.below_issued": "A voter left with the ballot"}
    assert fresh(world.protocol).state == ProtocolState.FIRST_ENTRY_DONE


# --- transitions and their audit records -------------------------------------------------------


def test_first_entry_draft_then_finish(world):
    protocol, entry, _r = save_entry(world.protocol, world.clerk1, {"voters": "1000"}, expected_version=0)
    assert (protocol.state, protocol.version) == (ProtocolState.FIRST_ENTRY_IN_PROGRESS, 1)
    protocol, entry2, _r = save_entry(
        world.protocol, world.clerk1, {"voters": "1000", "spoiled": "10"}, expected_version=1
    )
    assert entry2.pk == entry.pk and protocol.version == 2
    protocol, entry3, _r = save_entry(world.protocol, world.clerk1, world.values(), finish=True, expected_version=2)
    assert entry3.pk == entry.pk
    assert protocol.state == ProtocolState.FIRST_ENTRY_DONE
    assert entry3.status == ProtocolEntry.Status.FINISHED and entry3.finished_at is not None
    assert protocol.voters is None  # not official before verification
    assert actions(world.protocol) == ["protocol.start_first", "protocol.save_draft", "protocol.finish_first"]


def test_equal_second_entry_verifies_and_copies_the_figures(world):
    first_done(world)
    protocol, entry, _r = save_entry(world.protocol, world.clerk2, world.values(), finish=True)
    protocol = fresh(protocol)
    assert protocol.state == ProtocolState.VERIFIED
    assert (protocol.voters, protocol.issued_station, protocol.invalid, protocol.against_all) == (1000, 700, 30, None)
    assert protocol.official_entry_id == entry.pk
    assert dict(ProtocolVote.objects.filter(protocol=protocol).values_list("candidacy_id", "votes")) == {
        world.c1.pk: 400,
        world.c2.pk: 200,
        world.c3.pk: 120,
    }
    assert actions(protocol)[-2:] == ["protocol.start_second", "protocol.finish_second_equal"]
    assert protocol.entries.filter(status="finished").count() == 2


def test_different_second_entry_puts_the_protocol_in_discrepancy(world):
    protocol = in_discrepancy(world)
    assert protocol.state == ProtocolState.IN_DISCREPANCY
    assert protocol.voters is None and not protocol.votes.exists()
    from core.models import AuditEvent

    event = AuditEvent.objects.for_object(protocol).order_by("-id").first()
    assert event.action == "protocol.finish_second_different"
    assert event.data["differences"] == ["spoiled", "unused"]
    assert (event.from_state, event.to_state, event.actor_name) == (
        "second_entry_in_progress",
        "in_discrepancy",
        "clerk2",
    )


def test_a_different_vote_count_is_a_discrepancy(world):
    first_done(world)
    votes = {str(world.c1.pk): "399", str(world.c2.pk): "201", str(world.c3.pk): "120"}
    protocol, _e, _r = save_entry(world.protocol, world.clerk2, world.values(votes=votes), finish=True)
    assert protocol.state == ProtocolState.IN_DISCREPANCY


def test_against_all_is_compared_and_copied(db, counting_night):
    from results.models import Protocol
    from results.services import create_protocols_for_contest

    from .factories import World

    w = World(against_all=True)
    create_protocols_for_contest(w.contest, w.cec)
    p = Protocol.objects.get(contest=w.contest, polling_station=w.station)
    save_entry(p, w.clerk1, w.values(), finish=True)
    save_entry(p, w.clerk2, w.values(), finish=True)
    assert fresh(p).against_all == 10


def test_abandon_frees_the_slot_and_keeps_the_entry(world):
    save_entry(world.protocol, world.clerk1, {"voters": "1000"})
    with pytest.raises(EntryTakenByOther):
        abandon_entry(world.protocol, world.clerk2)
    protocol = abandon_entry(world.protocol, world.clerk1)
    assert protocol.state == ProtocolState.EMPTY
    assert protocol.entries.get().status == ProtocolEntry.Status.DISCARDED
    save_entry(world.protocol, world.clerk2, world.values(), finish=True)
    assert fresh(world.protocol).state == ProtocolState.FIRST_ENTRY_DONE
    assert "protocol.abandon_first" in actions(world.protocol)


def test_abandon_in_a_state_without_a_draft_is_refused(world):
    with pytest.raises(InvalidTransition):
        abandon_entry(world.protocol, world.clerk1)


def test_abandon_the_second_entry_returns_to_first_done(world):
    first_done(world)
    save_entry(world.protocol, world.clerk2, {"voters": "1000"})
    protocol = abandon_entry(world.protocol, world.clerk2)
    assert protocol.state == ProtocolState.FIRST_ENTRY_DONE
    assert actions(world.protocol)[-1] == "protocol.abandon_second"
    save_entry(world.protocol, world.clerk3, world.values(), finish=True)
    assert fresh(world.protocol).state == ProtocolState.VERIFIED


@pytest.mark.parametrize("version", ["abc", "", -1, 10**30])
def test_a_garbage_version_is_a_stale_form(world, version):
    before = snapshot(world.protocol)
    with pytest.raises(StaleForm):
        save_entry(world.protocol, world.clerk1, world.values(), finish=True, expected_version=version)
    assert snapshot(world.protocol) == before
