"""Entry in few round trips (issue 21): the statements one protocol's entry costs are pinned, and
PostgreSQL's one-statement path (lock with the stream lock and the candidates; the row's UPDATE,
the vote rows and the audit append in one statement) writes what the ORM path writes."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core.audit import compute_hash, verify_chain
from core.models import AuditEvent
from registry.models import Candidacy, Party
from results.models import PendingDelta, Protocol, ProtocolVote
from results.selectors import candidacies_of
from results.services import certify_protocol, save_entry, state_machine
from results.services.entry import replace_votes
from results.services.state_machine import lock

from .factories import member

pytestmark = pytest.mark.django_db

POSTGRES = pytest.mark.skipif("connection.vendor != 'postgresql'")
# Statements per service call for one protocol (savepoints of the test's transaction left out).
# PostgreSQL: the lock (with the stream lock and the candidates), the entry's INSERT, and one
# statement for the row's UPDATE and the audit append; the second entry also reads the first and
# replaces the vote rows (one statement). SQLite: the ORM path (no stream lock statement there:
# BEGIN IMMEDIATE serialises writers).
STATEMENTS = {
    "postgresql": {"first": 2, "second": 4, "certify": 2},
    "sqlite": {"first": 6, "second": 9, "certify": 4},
}


def _statements(call):
    with CaptureQueriesContext(connection) as captured:
        call()
    return [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]


def _users(w):
    """Fresh user objects (as each worker keeps its own), with their memberships already read."""
    users = [get_user_model().objects.get(pk=u.pk) for u in (w.clerk1, w.clerk2, w.tec)]
    return users


def test_one_protocol_costs_the_pinned_statements(world):
    member(world.clerk1, world.precinct2, "clerk")
    member(world.clerk2, world.precinct2, "clerk")
    c1, c2, tec = _users(world)
    # A first protocol reads each user's memberships once (cached on the user object).
    save_entry(world.protocol2, c1, world.values(), finish=True)
    save_entry(world.protocol2, c2, world.values(), finish=True)
    certify_protocol(world.protocol2, tec)
    pid = world.protocol.pk
    counts = {
        "first": len(_statements(lambda: save_entry(pid, c1, world.values(), finish=True))),
        "second": len(_statements(lambda: save_entry(pid, c2, world.values(), finish=True))),
        "certify": len(_statements(lambda: certify_protocol(pid, tec))),
    }
    assert counts == STATEMENTS[connection.vendor]
    assert Protocol.objects.get(pk=pid).state == "certified"
    assert verify_chain() == (AuditEvent.objects.count(), None)


def _trail(protocol):
    """A protocol's audit records as content, ids and hashes left out (they differ between two protocols)."""
    out = []
    for event in AuditEvent.objects.for_object(protocol).order_by("id"):
        data = {k: v for k, v in event.data.items() if k != "entry"}
        out.append((event.action, event.actor_id, event.actor_role, event.from_state, event.to_state, data))
    return out


def _protocol_row(protocol):
    p = Protocol.objects.get(pk=protocol.pk)
    figures = p.official_figures()
    return (p.state, p.version, p.cycle, figures, p.certified_by_id, p.official_entry is not None)


@POSTGRES
def test_the_one_statement_path_writes_what_the_orm_path_writes(world, monkeypatch):
    member(world.clerk1, world.precinct2, "clerk")
    member(world.clerk2, world.precinct2, "clerk")

    def enter(protocol):
        save_entry(protocol, world.clerk1, {"voters": "1000"})  # a draft first, then saved again
        save_entry(protocol, world.clerk1, {"voters": "1000", "spoiled": "10"})
        save_entry(protocol, world.clerk1, world.values(), finish=True)
        save_entry(protocol, world.clerk2, world.values(), finish=True)
        certify_protocol(protocol, world.tec)

    enter(world.protocol)
    monkeypatch.setattr(state_machine, "ONE_STATEMENT", False)
    enter(world.protocol2)
    assert len(_trail(world.protocol)) == 6
    assert _trail(world.protocol) == _trail(world.protocol2)
    assert _protocol_row(world.protocol) == _protocol_row(world.protocol2)
    assert sorted(world.protocol.votes.values_list("candidacy_id", "votes")) == sorted(
        world.protocol2.votes.values_list("candidacy_id", "votes")
    )
    # Every record of the one-statement path hashes, in Python, to what SQL stored.
    for event in AuditEvent.objects.for_object(world.protocol):
        assert event.hash == compute_hash(event.prev_hash, event)
    assert verify_chain() == (AuditEvent.objects.count(), None)


@POSTGRES
def test_the_lock_reads_the_candidates_as_the_selector_does(world):
    party = Party.objects.create(name_kk="Партия", name_ru="Партия", short_name="П", registration_number="1")
    Candidacy.objects.filter(pk=world.c2.pk).update(party=party, nomination_type="party")
    with transaction.atomic():
        protocol = lock(world.protocol.pk, with_candidacies=True)
    expected = candidacies_of(world.contest.pk)
    assert protocol._candidacies == expected
    assert list(protocol._candidacies) == list(expected)  # ballot order
    assert world.withdrawn.pk not in protocol._candidacies
    assert protocol.election == world.election and protocol.polling_station == world.station


@POSTGRES
def test_the_lock_of_a_missing_protocol_raises_does_not_exist(world):
    with transaction.atomic(), pytest.raises(Protocol.DoesNotExist):
        lock(10**9)


def test_replacing_votes_replaces_the_rows_a_protocol_had(world):
    ProtocolVote.objects.create(protocol=world.protocol, candidacy=world.c1, votes=5)
    ProtocolVote.objects.create(protocol=world.protocol, candidacy=world.c2, votes=6)
    ProtocolVote.objects.create(protocol=world.protocol2, candidacy=world.c2, votes=9)
    with transaction.atomic():
        replace_votes(world.protocol.pk, [(world.c1.pk, 7), (world.c3.pk, 8)])
    assert sorted(ProtocolVote.objects.filter(protocol=world.protocol).values_list("candidacy_id", "votes")) == [
        (world.c1.pk, 7),
        (world.c3.pk, 8),
    ]
    assert list(ProtocolVote.objects.filter(protocol=world.protocol2).values_list("votes", flat=True)) == [9]


@POSTGRES
def test_the_aggregation_queue_gets_what_the_orm_path_queues(world, monkeypatch):
    """The triggers of protocols and vote rows read each other's table: the one-statement path
    must queue each change once, as the ORM path does (a verified protocol's votes not twice)."""
    member(world.clerk1, world.precinct2, "clerk")
    member(world.clerk2, world.precinct2, "clerk")

    def queued(protocol):
        PendingDelta.objects.all().delete()
        save_entry(protocol, world.clerk1, world.values(), finish=True)
        save_entry(protocol, world.clerk2, world.values(), finish=True)
        certify_protocol(protocol, world.tec)
        fields = ("candidacy_id", "basis", "votes", "registered_voters", "ballots_issued", "protocols_counted")
        rows = PendingDelta.objects.values_list(*fields)
        totals = {}
        for candidacy, basis, *figures in rows:
            key = (candidacy, basis)
            totals[key] = [a + b for a, b in zip(totals.get(key, [0] * len(figures)), figures, strict=True)]
        return {k: v for k, v in totals.items() if any(v)}

    fast = queued(world.protocol)
    monkeypatch.setattr(state_machine, "ONE_STATEMENT", False)
    assert fast == queued(world.protocol2)
    assert fast[(world.c1.pk, "official")][0] == 400  # once


@POSTGRES
def test_the_stream_mark_ends_with_the_transaction(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        protocol = lock(world.protocol.pk)
        assert protocol._audit_stream_locked
    assert not protocol._audit_stream_locked  # a later transaction's `advance` locks the stream itself
