"""Outcome rules of a contest: pure functions on plain numbers, no database.

`decide(figures, rules)` returns an `Outcome` (a stable `code`, the winner, the runoff pair, the
tied candidacies and attention `flags`). The rules come from the election (`Rules.from_election`),
never from constants here.

Choices, after the Constitutional Law "On Elections in the Republic of Kazakhstan" (akim elections):
- "voters who took part" are the voters who received a ballot: issued at the station plus issued
  for mobile voting (Is + Im), the same base as turnout;
- absolute majority means *more than half* of the voters who took part; exactly half is not a
  majority, and the top two go to a runoff;
- the minimum turnout is inclusive: turnout exactly at the threshold makes the contest valid;
- "against all" with the effect `invalidates_if_leads` voids the contest when it has more votes
  than every candidate; equal to the leading candidate is a tie for the commission;
- an exact tie that decides the winner (or who enters the runoff) is flagged, never broken here;
- while a protocol of the contest is missing the contest is `incomplete`;
- fewer registered candidates than the election's minimum (2) is flagged, whatever the outcome;
- a runoff election (Election.kind "runoff") is decided by plurality, whatever its winner rule.
All comparisons are exact integer arithmetic (no floats).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

PLURALITY = "plurality"
ABSOLUTE_MAJORITY = "absolute_majority"
AGAINST_ALL_NONE = "none"
AGAINST_ALL_INVALIDATES = "invalidates_if_leads"


class Code:
    """Stable outcome codes (stored in the result tables, used by the API and the dashboard)."""

    INCOMPLETE = "incomplete"
    NO_CANDIDATES = "no_candidates"
    INVALID_TURNOUT = "invalid_turnout"
    NO_VOTES = "no_votes"
    INVALID_AGAINST_ALL = "invalid_against_all"
    TIE = "tie"
    RUNOFF = "runoff"
    NOT_ELECTED = "not_elected"
    ELECTED = "elected"

    CHOICES = [
        (INCOMPLETE, _("incomplete: protocols missing")),
        (NO_CANDIDATES, _("no registered candidates")),
        (INVALID_TURNOUT, _("invalid: turnout below the minimum")),
        (NO_VOTES, _("no valid votes")),
        (INVALID_AGAINST_ALL, _("invalid: 'against all' leads")),
        (TIE, _("tie: for the commission to decide")),
        (RUNOFF, _("runoff between the top two")),
        (NOT_ELECTED, _("not elected: the only candidate has no majority")),
        (ELECTED, _("elected")),
    ]


class Flag:
    """Stable attention flags for the commission (several may apply to one contest)."""

    INCOMPLETE = "incomplete"
    FEW_CANDIDATES = "few_candidates"
    TIE = "tie"
    RUNOFF = "runoff"
    INVALID = "invalid"
    NOT_ELECTED = "not_elected"

    CHOICES = [
        (INCOMPLETE, _("protocols missing")),
        (FEW_CANDIDATES, _("fewer than the minimum number of candidates")),
        (TIE, _("tie")),
        (RUNOFF, _("runoff")),
        (INVALID, _("election invalid")),
        (NOT_ELECTED, _("nobody elected")),
    ]


LABELS = dict(Code.CHOICES)
FLAG_LABELS = dict(Flag.CHOICES)


@dataclass(frozen=True)
class Rules:
    """The outcome rules of an election (the registry's Election fields, as plain data)."""

    winner_rule: str = PLURALITY
    min_turnout_percent: Decimal = Decimal(0)
    against_all: bool = False
    against_all_effect: str = AGAINST_ALL_NONE
    min_candidates: int = 2

    @classmethod
    def from_election(cls, election):
        # The second round is decided by the most votes: a runoff of a runoff would never end.
        return cls(
            winner_rule=PLURALITY if election.kind == "runoff" else election.winner_rule,
            min_turnout_percent=election.min_turnout_percent,
            against_all=election.against_all,
            against_all_effect=election.against_all_effect,
            min_candidates=election.min_candidates,
        )


@dataclass(frozen=True)
class Figures:
    """A contest's totals over the protocols counted. `votes` maps candidacy id -> votes and holds
    every registered candidacy of the contest (with 0 when it got none)."""

    registered_voters: int
    ballots_issued: int
    votes: Mapping[int, int]
    against_all: int = 0
    protocols_counted: int = 0
    protocols_expected: int = 0


@dataclass(frozen=True)
class Outcome:
    code: str
    winner: int | None = None
    runoff: tuple = ()
    tied: tuple = ()
    flags: tuple = field(default_factory=tuple)

    @property
    def label(self):
        return LABELS[self.code]


def turnout_reaches(ballots_issued, registered_voters, min_turnout_percent):
    """Whether turnout (issued / registered) is at least the minimum percent, exactly (0: no minimum)."""
    if min_turnout_percent <= 0:
        return True
    if registered_voters <= 0:
        return False
    return ballots_issued * 100 >= Decimal(min_turnout_percent) * registered_voters


def has_absolute_majority(votes, voters_who_took_part):
    """More than half of the voters who took part (exactly half is not a majority)."""
    return voters_who_took_part > 0 and 2 * votes > voters_who_took_part


def _ranked(votes):
    """Candidacies by votes descending; ties keep a deterministic id order (the order never decides)."""
    return sorted(votes.items(), key=lambda item: (-item[1], item[0]))


def _flags(code, figures, rules):
    flags = []
    if code == Code.INCOMPLETE:
        flags.append(Flag.INCOMPLETE)
    if len(figures.votes) < rules.min_candidates:
        flags.append(Flag.FEW_CANDIDATES)
    if code == Code.TIE:
        flags.append(Flag.TIE)
    if code == Code.RUNOFF:
        flags.append(Flag.RUNOFF)
    if code in (Code.INVALID_TURNOUT, Code.INVALID_AGAINST_ALL):
        flags.append(Flag.INVALID)
    if code in (Code.NOT_ELECTED, Code.NO_VOTES, Code.NO_CANDIDATES):
        flags.append(Flag.NOT_ELECTED)
    return tuple(flags)


def _outcome(code, figures, rules, **kwargs):
    return Outcome(code=code, flags=_flags(code, figures, rules), **kwargs)


def decide(figures: Figures, rules: Rules) -> Outcome:
    """The outcome of one contest from its totals and the election's rules."""
    if figures.protocols_expected <= 0 or figures.protocols_counted < figures.protocols_expected:
        return _outcome(Code.INCOMPLETE, figures, rules)
    if not figures.votes:
        return _outcome(Code.NO_CANDIDATES, figures, rules)
    if not turnout_reaches(figures.ballots_issued, figures.registered_voters, rules.min_turnout_percent):
        return _outcome(Code.INVALID_TURNOUT, figures, rules)

    ranked = _ranked(figures.votes)
    top_votes = ranked[0][1]
    against_all = figures.against_all if rules.against_all else 0
    if top_votes == 0 and against_all == 0:
        return _outcome(Code.NO_VOTES, figures, rules)
    leaders = tuple(cid for cid, v in ranked if v == top_votes)

    if rules.against_all and rules.against_all_effect == AGAINST_ALL_INVALIDATES:
        if against_all > top_votes:
            return _outcome(Code.INVALID_AGAINST_ALL, figures, rules)
        if against_all == top_votes:
            return _outcome(Code.TIE, figures, rules, tied=leaders)

    if rules.winner_rule == ABSOLUTE_MAJORITY and not has_absolute_majority(top_votes, figures.ballots_issued):
        return _second_round(figures, rules, ranked, leaders)
    if len(leaders) > 1:
        return _outcome(Code.TIE, figures, rules, tied=leaders)
    return _outcome(Code.ELECTED, figures, rules, winner=leaders[0])


def _second_round(figures, rules, ranked, leaders):
    """No absolute majority: the top two go to a runoff, unless a tie leaves the pair undecided."""
    if len(ranked) < 2:
        return _outcome(Code.NOT_ELECTED, figures, rules)
    if len(leaders) == 2:
        return _outcome(Code.RUNOFF, figures, rules, runoff=leaders)
    # One leader and a tie for second place, or three leaders or more (each of them is "second" too).
    second_votes = ranked[1][1]
    seconds = tuple(cid for cid, v in ranked if v == second_votes)
    if len(seconds) > 1:
        return _outcome(Code.TIE, figures, rules, tied=seconds)
    return _outcome(Code.RUNOFF, figures, rules, runoff=(leaders[0], seconds[0]))
