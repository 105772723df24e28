"""results.services.bulk_entry.finish_entries: the bulk path of save_entry writes what save_entry
writes (compared on the same protocols, one path rolled back), refuses what it refuses (and then
writes nothing), and reads and writes in a number of statements that does not grow with the rows."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core.audit import chain_breaks
from core.errors import OutOfScope
from core.models import AuditEvent
from results.errors import ControlsFailed, EntryNotOpen, SameClerk, WarningsNotAcknowledged
from results.models import Protocol, ProtocolState
from results.services import certify_protocols, create_protocols_for_contest, save_entry
from results.services.bulk_entry import Submission, finish_entries
from territory.models import Commission

from .factories import member, station
from .helpers import fresh, snapshot, verified

pytestmark = pytest.mark.django_db


class _Undo(Exception):
    pass


def outcome(protocol):
    """What entry leaves on a protocol, without row ids or moments."""
    p = fresh(protocol)
    entries = {e.pk: e.slot for e in p.entries.all()}
    events = []
    for e in AuditEvent.objects.for_object(p).order_by("id"):
        data = dict(e.data)
        if "entry" in data:
            data["entry"] = ("slot", entries[data["entry"]])
        events.append((e.action, e.from_state, e.to_state, e.actor_name, e.actor_role, e.commission, data))
    return {
        "state": p.state,
        "version": p.version,
        "figures": p.official_figures(),
        "official_entry": entries.get(p.official_entry_id),
        "votes": sorted(p.votes.values_list("candidacy_id", "votes")),
        "entries": [
            (e.slot, e.kind, e.status, e.clerk.username, e.values, e.acknowledged, e.submission)
            for e in p.entries.order_by("slot")
        ],
        "events": events,
    }


def both_paths(world, submissions):
    """(outcome through save_entry, outcome through finish_entries) of the same submissions."""
    protocols = [Protocol.objects.get(pk=pk) for pk in dict.fromkeys(s.protocol_id for s in submissions)]
    try:
        with transaction.atomic():
            for s in submissions:
                save_entry(s.protocol_id, s.user, s.values, finish=True, acknowledged=s.acknowledged)
            one_by_one = [outcome(p) for p in protocols]
            raise _Undo
    except _Undo:
        pass
    finish_entries(submissions)
    return one_by_one, [outcome(p) for p in protocols]


def test_equal_entries_make_the_same_verified_protocol(world):
    expected, got = both_paths(
        world,
        [
            Submission(world.protocol.pk, world.clerk1, world.values()),
            Submission(world.protocol.pk, world.clerk2, world.values()),
        ],
    )
    assert got == expected
    assert got[0]["state"] == ProtocolState.VERIFIED
    assert chain_breaks() == (AuditEvent.objects.count(), [])


def test_different_entries_make_the_same_discrepancy(world):
    second = world.values(spoiled="11", unused="239")
    expected, got = both_paths(
        world,
        [
            Submission(world.protocol.pk, world.clerk1, world.values()),
            Submission(world.protocol.pk, world.clerk2, second),
        ],
    )
    assert got == expected
    assert got[0]["state"] == ProtocolState.IN_DISCREPANCY


def test_a_first_entry_alone_and_an_acknowledged_warning(world):
    # 96% turnout: the entry's warning, finished only with an explanation.
    high = world.values(issued_station="910", found_stationary="910", unused="30", votes=None)
    high["votes"] = {str(world.c1.pk): "600", str(world.c2.pk): "200", str(world.c3.pk): "130"}
    ack = {"turnout.suspicious": "checked with the chair"}
    expected, got = both_paths(world, [Submission(world.protocol.pk, world.clerk1, high, ack)])
    assert got == expected
    assert got[0]["entries"][0][5] == ack


def test_a_second_entry_finishes_the_same_on_a_protocol_entered_before(world):
    save_entry(world.protocol, world.clerk1, world.values(), finish=True)
    expected, got = both_paths(world, [Submission(world.protocol.pk, world.clerk2, world.values())])
    assert got == expected


# --- refusals: the first refused submission raises, and nothing at all is written ---------------


def _refused(world, submissions, error):
    before = [snapshot(world.protocol), snapshot(world.protocol2)]
    with pytest.raises(error):
        finish_entries(submissions)
    assert [snapshot(world.protocol), snapshot(world.protocol2)] == before


def test_a_clerk_outside_the_station_is_refused_and_the_others_are_not_written(world):
    _refused(
        world,
        [
            Submission(world.protocol.pk, world.clerk1, world.values()),
            Submission(world.protocol2.pk, world.outsider, world.values()),
        ],
        OutOfScope,
    )


def test_the_same_clerk_twice_is_refused(world):
    _refused(
        world,
        [
            Submission(world.protocol.pk, world.clerk1, world.values()),
            Submission(world.protocol.pk, world.clerk1, world.values()),
        ],
        SameClerk,
    )


def test_figures_that_fail_the_controls_are_refused(world):
    _refused(world, [Submission(world.protocol.pk, world.clerk1, world.values(unused="1"))], ControlsFailed)


def test_an_unacknowledged_warning_is_refused(world):
    high = world.values(issued_station="910", found_stationary="910", unused="30")
    high["votes"] = {str(world.c1.pk): "600", str(world.c2.pk): "200", str(world.c3.pk): "130"}
    _refused(world, [Submission(world.protocol.pk, world.clerk1, high)], WarningsNotAcknowledged)


def test_a_third_entry_is_refused(world):
    verified(world)
    _refused(world, [Submission(world.protocol.pk, world.clerk3, world.values())], EntryNotOpen)


# --- statements ---------------------------------------------------------------------------------


@pytest.fixture
def twins(world):
    """Two more protocols of the contest like `world.protocol` (1,000 voters), entered by clerk1 and clerk2."""
    out = []
    for number in (3, 4):
        place = station(world.rural, number, voters=1000)
        commission = Commission.objects.create(kind="precinct", name=f"УИК {number}", polling_station=place)
        member(world.clerk1, commission, "clerk")
        member(world.clerk2, commission, "clerk")
        out.append(place)
    create_protocols_for_contest(world.contest, world.cec)
    return [Protocol.objects.get(contest=world.contest, polling_station=place) for place in out]


def _statements(submissions):
    with CaptureQueriesContext(connection) as queries:
        finish_entries(submissions, candidacies={})
    return len(queries)


def test_first_entries_take_the_same_statements_for_one_protocol_or_two(world, twins):
    # A fresh user object each time: the memberships a user's checks read are kept on the object.
    clerk = type(world.clerk1).objects.get
    one = _statements([Submission(world.protocol.pk, clerk(pk=world.clerk1.pk), world.values())])
    again = clerk(pk=world.clerk1.pk)
    two = _statements([Submission(p.pk, again, world.values()) for p in twins])
    assert two == one
    assert {fresh(p).state for p in [world.protocol, *twins]} == {ProtocolState.FIRST_ENTRY_DONE}


def test_a_queue_certified_together_is_one_update_of_the_protocols(world, twins):
    finish_entries([Submission(p.pk, clerk, world.values()) for p in twins for clerk in (world.clerk1, world.clerk2)])
    with CaptureQueriesContext(connection) as queries:
        certify_protocols([p.pk for p in twins], world.tec)
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "results_protocol"')]
    assert len(updates) == 1
    assert "CASE" not in updates[0]  # one set of values for the queue, not a CASE WHEN per row (bulk_update)
    assert [(fresh(p).state, fresh(p).version) for p in twins] == [(ProtocolState.CERTIFIED, 5)] * 2
