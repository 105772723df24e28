"""Protocols written in bulk, directly in a state the state machine reaches: for development tooling only.

The benchmark (`devtools.bench.builder`, `manage.py bench`) needs elections of up to a million
protocols in their final states. Moving each one through the services (two entries and a
certification: five transitions and five audit records per protocol) would take hours, so
`load_protocols` writes them in one pass (COPY on PostgreSQL, through `results.bulk`) and keeps
what the state machine guarantees:

- the state is one the transition table reaches from `empty` by two equal entries (`verified`) and
  a certification (`certified`), or `empty` itself; `PATHS` derives each path from
  `state_machine.TRANSITIONS` (a change to the table that breaks a path fails at import), and
  the version is the number of events on the path, as the services would leave it;
- a protocol with figures (verified, certified) has every figure (whole numbers within
  `controls.MAX_FIGURE`) and one vote count per registered candidacy of its contest, and they pass
  the error controls of `results.controls` (`arithmetic_errors`, the votes included: the
  database's check constraints hold only the row ones); refusals name the controls' codes. An
  empty protocol has neither;
- a certified protocol names who certified it and when;
- the audit trail says so: one record per contest (`protocol.fixture_loaded`, on the contest's
  stream, as `create_protocols_for_contest` records creation) with the acting user, the reason,
  the ids written in each state and the events of each path. No entries are written
  (`official_entry` stays empty): these protocols were never entered.

No interface (admin, views, API, tasks) calls this module, and no domain code: real protocols
change state only through `results.services`. Any refused row raises `ValueError` and the whole
call writes nothing.
"""

from typing import NamedTuple

from django.db import connection, transaction

from core.audit import record_many
from registry.models import Candidacy, Contest
from results.bulk import copy_rows
from results.controls import FIGURE_NAMES, MAX_FIGURE, arithmetic_errors
from results.models import Protocol, ProtocolVote
from results.models import ProtocolState as S
from results.services.state_machine import TRANSITIONS

ROLE = "tooling"
ACTION = "protocol.fixture_loaded"
# The events that take a protocol from empty to each state a fixture may hold, as the services apply them.
_EVENTS = {
    S.EMPTY: (),
    S.VERIFIED: ("start_first", "finish_first", "start_second", "finish_second_equal"),
    S.CERTIFIED: ("start_first", "finish_first", "start_second", "finish_second_equal", "certify"),
}


def _checked_paths():
    for target, events in _EVENTS.items():
        state = S.EMPTY
        for event in events:
            if (state, event) not in TRANSITIONS:
                raise RuntimeError(f"results.fixtures: {event!r} is no transition from {state!r}")
            state = TRANSITIONS[(state, event)]
        if state != target:
            raise RuntimeError(f"results.fixtures: the path to {target!r} ends in {state!r}")
    return {str(state): list(events) for state, events in _EVENTS.items()}


# {state: [events from empty]}: the states `load_protocols` writes; the version is len(path).
PATHS = _checked_paths()
FIELDS = (
    "id",
    "election",
    "contest",
    "polling_station",
    "region",
    "district",
    "state",
    "version",
    "cycle",
    "state_changed_at",
    "created_at",
    *FIGURE_NAMES,
    "against_all",
    "certified_at",
    "certified_by",
)


class FixtureProtocol(NamedTuple):
    """One protocol to write. `figures`: {figure name: int} (`against_all` too when the election has
    it on the ballot); `votes`: {candidacy id: int}. Both None for an empty protocol."""

    id: int
    contest_id: int
    polling_station_id: int
    region_id: int | None
    district_id: int | None
    state: str
    figures: dict | None = None
    votes: dict | None = None


def _figure_code(value):
    """The control code a typed figure fails (None when it is a whole number in range): the codes
    `results.controls.parse` gives for the same values."""
    if value is None:
        return "figure.missing"
    if type(value) is not int:
        return "figure.not_integer"
    if value < 0:
        return "figure.negative"
    if value > MAX_FIGURE:
        return "figure.too_large"
    return None


def _control_codes(figures, votes, candidacies, against_all):
    """Codes of the error controls the figures and votes fail (the catalogue of results.controls)."""
    names = (*FIGURE_NAMES, "against_all") if against_all else FIGURE_NAMES
    codes = {code for code in (_figure_code(figures.get(name)) for name in names) if code}
    if not against_all and figures.get("against_all") is not None:
        codes.add("against_all.not_on_ballot")
    if set(votes) - set(candidacies):
        codes.add("candidate.unknown")
    if set(candidacies) - set(votes):
        codes.add("candidate.missing")
    codes |= {code for code in (_figure_code(n) for n in votes.values()) if code}
    if not codes:
        clean = {**figures, "votes": votes}
        codes = {r.code for r in arithmetic_errors(clean, candidacies=candidacies, against_all=against_all)}
    return sorted(codes)


def _refusal(row, candidacies, against_all):
    """Why `row` cannot be written, or None."""
    if row.state not in PATHS:
        return f"state '{row.state!s}' is not one of {sorted(PATHS)}"
    if candidacies is None:
        return f"contest {row.contest_id} is not a contest of this election"
    if row.state == S.EMPTY:
        return "an empty protocol has no figures or votes" if row.figures or row.votes else None
    if not row.figures:
        return f"a {row.state!s} protocol needs its figures"
    codes = _control_codes(row.figures, row.votes or {}, candidacies, against_all)
    return "controls refuse its figures: " + ", ".join(codes) if codes else None


def load_protocols(election, protocols, *, actor, at, reason):
    """Write `protocols` (FixtureProtocol rows of `election`, with ids reserved by
    `results.bulk.reserve_ids` and stations that exist) in one transaction, with one audit record
    per contest. `actor` is the user recorded in the trail and as the certifier of certified
    protocols; `at` the moment of their state (and certification). Returns {state: count}.
    Raises ValueError naming the first refused protocol (nothing is written then)."""
    if not reason or not reason.strip():
        raise ValueError("a fixture load needs a reason (it is recorded in the audit trail)")
    if actor is None or actor.pk is None:
        raise ValueError("a fixture load needs a saved acting user")
    by_contest = {}
    for pk, contest_id in (
        Candidacy.objects.filter(election=election, status=Candidacy.Status.REGISTERED)
        .order_by("pk")
        .values_list("pk", "contest_id")
    ):
        by_contest.setdefault(contest_id, {})[pk] = str(pk)
    for contest_id in Contest.objects.filter(election=election).values_list("pk", flat=True):
        by_contest.setdefault(contest_id, {})
    against_all = bool(election.against_all)
    stamp = connection.ops.adapt_datetimefield_value(at)
    rows, votes, loaded, counts = [], [], {}, dict.fromkeys(PATHS, 0)
    for row in protocols:
        refusal = _refusal(row, by_contest.get(row.contest_id), against_all)
        if refusal:
            raise ValueError(f"protocol {row.id}: {refusal}")
        figures = row.figures or {}
        certified = row.state == S.CERTIFIED
        rows.append(
            (row.id, election.pk, row.contest_id, row.polling_station_id, row.region_id, row.district_id)
            + (row.state, len(PATHS[row.state]), 1, stamp, stamp)
            + tuple(figures.get(name) for name in FIGURE_NAMES)
            + (figures.get("against_all") if against_all else None,)
            + ((stamp, actor.pk) if certified else (None, None))
        )
        votes.extend((row.id, cid, n) for cid, n in (row.votes or {}).items())
        loaded.setdefault(row.contest_id, {}).setdefault(row.state, []).append(row.id)
        counts[row.state] += 1
    with transaction.atomic():
        copy_rows(Protocol, FIELDS, rows)
        copy_rows(ProtocolVote, ("protocol", "candidacy", "votes"), votes)
        record_many(
            [
                {
                    "action": ACTION,
                    "obj": Contest(pk=contest_id),
                    "to_state": ",".join(sorted(states)),
                    "reason": reason,
                    "data": {
                        "protocols": dict(sorted(states.items())),
                        "paths": {state: PATHS[state] for state in sorted(states)},
                    },
                }
                for contest_id, states in sorted(loaded.items())
            ],
            actor=actor,
            role=ROLE,
        )
    return {state: n for state, n in counts.items() if n}
