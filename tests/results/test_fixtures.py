"""results.fixtures: protocols loaded in bulk for tooling keep the state machine's invariants (states on
its paths, versions, certifier, figures passing the error controls) and leave an audit record."""

import pytest

from core.audit import verify_chain
from core.models import AuditEvent
from registry.models import Contest
from results import fixtures
from results.bulk import reserve_ids
from results.controls import MAX_FIGURE
from results.fixtures import FixtureProtocol, load_protocols
from results.models import Protocol, ProtocolVote
from results.models import ProtocolState as S
from results.services import certify_protocol, reopen_protocol, save_entry
from results.services.state_machine import TRANSITIONS

from .factories import COUNTING, World
from .factories import election as make_election

pytestmark = pytest.mark.django_db
REASON = "test: a fixture load"


@pytest.fixture
def w(counting_night):
    return World()


def _figures(w, **overrides):
    values = {name: int(v) for name, v in w.values().items() if name != "votes"}
    values.update(overrides)
    return values


def _votes(w):
    return {w.c1.pk: 400, w.c2.pk: 200, w.c3.pk: 120}


def _row(w, pk, state, station=None, contest=None, figures=None, votes=None):
    station = station or w.station
    contest = contest or w.contest
    return FixtureProtocol(pk, contest.pk, station.pk, station.region_id, station.district_id, state, figures, votes)


def _nothing_written(before_events):
    assert not Protocol.objects.exists()
    assert not ProtocolVote.objects.exists()
    assert AuditEvent.objects.count() == before_events


def test_paths_follow_the_transition_table_and_versions_count_their_events():
    for state, events in fixtures.PATHS.items():
        current = S.EMPTY
        for event in events:
            current = TRANSITIONS[(current, event)]
        assert current == state
    assert {state: len(events) for state, events in fixtures.PATHS.items()} == {
        S.EMPTY: 0,
        S.VERIFIED: 4,
        S.CERTIFIED: 5,
    }


def test_loads_each_state_with_its_version_certifier_votes_and_one_audit_record_per_contest(w):
    first = reserve_ids(Protocol, 3)
    counts = load_protocols(
        w.election,
        [
            _row(w, first, S.CERTIFIED, figures=_figures(w), votes=_votes(w)),
            _row(w, first + 1, S.VERIFIED, station=w.station2, figures=_figures(w), votes=_votes(w)),
            _row(w, first + 2, S.EMPTY, station=w.other_station, contest=w.other_contest),
        ],
        actor=w.cec,
        at=COUNTING,
        reason=REASON,
    )
    assert counts == {S.CERTIFIED: 1, S.VERIFIED: 1, S.EMPTY: 1}
    certified, verified, empty = (Protocol.objects.get(pk=first + i) for i in range(3))
    assert (certified.state, certified.version, certified.cycle) == (S.CERTIFIED, 5, 1)
    assert (certified.certified_by, certified.certified_at, certified.state_changed_at) == (w.cec, COUNTING, COUNTING)
    assert certified.official_figures() == _figures(w)
    assert (verified.state, verified.version, verified.certified_by, verified.certified_at) == (
        S.VERIFIED,
        4,
        None,
        None,
    )
    assert (empty.state, empty.version, empty.voters) == (S.EMPTY, 0, None)
    assert dict(ProtocolVote.objects.filter(protocol=certified).values_list("candidacy_id", "votes")) == _votes(w)
    assert not ProtocolVote.objects.filter(protocol=empty).exists()

    events = AuditEvent.objects.filter(action="protocol.fixture_loaded").order_by("object_id")
    assert [(e.object_type, e.object_id) for e in events] == [
        ("registry.contest", str(w.contest.pk)),
        ("registry.contest", str(w.other_contest.pk)),
    ]
    main = events[0]
    assert (main.actor, main.actor_role, main.reason, main.to_state) == (w.cec, "tooling", REASON, "certified,verified")
    assert main.data["protocols"] == {"certified": [first], "verified": [first + 1]}
    assert main.data["paths"]["certified"][-1] == "certify"
    assert verify_chain()[1] is None


def test_loaded_protocols_go_on_through_the_services(w):
    """A verified fixture certifies and reopens like any other; an empty one is entered."""
    first = reserve_ids(Protocol, 2)
    load_protocols(
        w.election,
        [
            _row(w, first, S.VERIFIED, station=w.station2, figures=_figures(w), votes=_votes(w)),
            _row(w, first + 1, S.EMPTY),
        ],
        actor=w.cec,
        at=COUNTING,
        reason=REASON,
    )
    certified = certify_protocol(first, w.tec)
    assert (certified.state, certified.version) == (S.CERTIFIED, 5)
    reopened = reopen_protocol(first, w.tec, reason="recount")
    assert (reopened.state, reopened.version, reopened.cycle) == (S.EMPTY, 6, 2)
    save_entry(first + 1, w.clerk1, w.values(), finish=True)
    assert Protocol.objects.get(pk=first + 1).state == S.FIRST_ENTRY_DONE


@pytest.mark.parametrize(
    "state", [S.FIRST_ENTRY_IN_PROGRESS, S.FIRST_ENTRY_DONE, S.SECOND_ENTRY_IN_PROGRESS, S.IN_DISCREPANCY, "lost"]
)
def test_a_state_off_the_paths_is_refused(w, state):
    before = AuditEvent.objects.count()
    with pytest.raises(ValueError, match=f"protocol 77: state '{state}' is not one of"):
        load_protocols(
            w.election,
            [_row(w, 77, state, figures=_figures(w), votes=_votes(w))],
            actor=w.cec,
            at=COUNTING,
            reason=REASON,
        )
    _nothing_written(before)


@pytest.mark.parametrize(
    ("figures", "codes"),
    [
        # Found ballots one more than counted: the votes relation no check constraint holds.
        ({"found_stationary": 701}, "found.not_counted"),
        # R = Is + Im + S + U broken by one.
        ({"ballots_received": 1001}, "ballots.balance"),
        ({"invalid": None}, "figure.missing"),
        ({"voters": -1}, "figure.negative"),
        ({"voters": 1000.0}, "figure.not_integer"),
        ({"voters": True}, "figure.not_integer"),
        ({"voters": MAX_FIGURE + 1}, "figure.too_large"),
        ({"against_all": 5}, "against_all.not_on_ballot"),
    ],
)
def test_figures_an_error_control_refuses_are_refused_with_its_code(w, figures, codes):
    before = AuditEvent.objects.count()
    good = _row(w, 1, S.CERTIFIED, figures=_figures(w), votes=_votes(w))
    bad = _row(w, 2, S.VERIFIED, station=w.station2, figures=_figures(w, **figures), votes=_votes(w))
    with pytest.raises(ValueError, match=f"protocol 2: controls refuse its figures: .*{codes}"):
        load_protocols(w.election, [good, bad], actor=w.cec, at=COUNTING, reason=REASON)
    _nothing_written(before)


def test_votes_must_cover_exactly_the_contests_registered_candidacies(w):
    before = AuditEvent.objects.count()
    missing = {w.c1.pk: 520, w.c2.pk: 200}  # c3 left out; the total still matches
    with pytest.raises(ValueError, match="candidate.missing"):
        load_protocols(
            w.election,
            [_row(w, 1, S.VERIFIED, figures=_figures(w), votes=missing)],
            actor=w.cec,
            at=COUNTING,
            reason=REASON,
        )
    foreign = {**_votes(w), w.foreign.pk: 0}
    with pytest.raises(ValueError, match="candidate.unknown"):
        load_protocols(
            w.election,
            [_row(w, 1, S.VERIFIED, figures=_figures(w), votes=foreign)],
            actor=w.cec,
            at=COUNTING,
            reason=REASON,
        )
    _nothing_written(before)


def test_figures_and_state_must_agree(w):
    before = AuditEvent.objects.count()
    with pytest.raises(ValueError, match="protocol 1: a verified protocol needs its figures"):
        load_protocols(w.election, [_row(w, 1, S.VERIFIED)], actor=w.cec, at=COUNTING, reason=REASON)
    with pytest.raises(ValueError, match="protocol 1: an empty protocol has no figures or votes"):
        load_protocols(w.election, [_row(w, 1, S.EMPTY, figures=_figures(w))], actor=w.cec, at=COUNTING, reason=REASON)
    with pytest.raises(ValueError, match="protocol 1: an empty protocol has no figures or votes"):
        load_protocols(w.election, [_row(w, 1, S.EMPTY, votes=_votes(w))], actor=w.cec, at=COUNTING, reason=REASON)
    _nothing_written(before)


def test_a_contest_of_another_election_is_refused(w):
    before = AuditEvent.objects.count()
    other = Contest.objects.create(election=make_election(), unit=w.other_rural)
    with pytest.raises(ValueError, match=f"protocol 1: contest {other.pk} is not a contest of this election"):
        load_protocols(w.election, [_row(w, 1, S.EMPTY, contest=other)], actor=w.cec, at=COUNTING, reason=REASON)
    _nothing_written(before)


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_load_without_a_reason_is_refused(w, reason):
    before = AuditEvent.objects.count()
    with pytest.raises(ValueError, match="needs a reason"):
        load_protocols(w.election, [_row(w, 1, S.EMPTY)], actor=w.cec, at=COUNTING, reason=reason)
    _nothing_written(before)


def test_a_load_without_a_saved_actor_is_refused(w):
    from django.contrib.auth import get_user_model

    before = AuditEvent.objects.count()
    for actor in (None, get_user_model()(username="unsaved")):
        with pytest.raises(ValueError, match="needs a saved acting user"):
            load_protocols(w.election, [_row(w, 1, S.EMPTY)], actor=actor, at=COUNTING, reason=REASON)
    _nothing_written(before)


def test_an_election_with_against_all_needs_and_keeps_that_figure(counting_night):
    w = World(against_all=True)
    figures = {name: int(v) for name, v in w.values().items() if name != "votes"}
    assert figures["against_all"] == 10
    without = {name: v for name, v in figures.items() if name != "against_all"}
    with pytest.raises(ValueError, match="protocol 1: controls refuse its figures: figure.missing"):
        load_protocols(
            w.election,
            [_row(w, 1, S.CERTIFIED, figures=without, votes=_votes(w))],
            actor=w.cec,
            at=COUNTING,
            reason=REASON,
        )
    assert not Protocol.objects.exists()
    # One vote moved from "against all" to the counted total: found != counted.
    with pytest.raises(ValueError, match="found.not_counted"):
        load_protocols(
            w.election,
            [_row(w, 1, S.CERTIFIED, figures={**figures, "against_all": 11}, votes=_votes(w))],
            actor=w.cec,
            at=COUNTING,
            reason=REASON,
        )
    load_protocols(
        w.election,
        [_row(w, 1, S.CERTIFIED, figures=figures, votes=_votes(w))],
        actor=w.cec,
        at=COUNTING,
        reason=REASON,
    )
    assert Protocol.objects.get(pk=1).official_figures() == figures
