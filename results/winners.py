"""From a contest's OFFICIAL outcome to the office register: register the elected akim, call the
runoff, or flag the contest for a repeat election (or for the commission, on a tie).

The registry never imports results: these services read the official `ContestResult` and call the
registry's plain services (`registry.offices.services`), which open the term of office, create the
runoff election or record the flag, each with its audit record, in the caller's transaction.

Rules:
- only the official basis counts (certified protocols); an incomplete contest is not acted on;
- a winner is registered only when the official outcome is `elected`, names the winner, and the
  contest had at least the election's minimum of candidates: a contest with fewer is flagged for a
  repeat election, like an invalid one (turnout, 'against all') and one where nobody was elected;
- the election's results must be established (`Election.results_established_on`, set when the
  election enters that stage), the term cannot start before that day, and registration closes at
  the cut-off time of the day `winner_registration_days` (default 7) after it;
- a tie is flagged for the commission (never broken here); a runoff outcome creates the runoff.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext

from core.errors import DomainError
from registry import selectors
from registry.models import Contest, ContestFollowUp, Election
from registry.offices import errors
from registry.offices import services as offices
from registry.services.common import check_actor, check_before

from .models import Basis, ContestResult, Protocol, ProtocolState
from .outcomes import Code, Flag

REPEAT_ELECTION_CODES = {
    Code.INVALID_TURNOUT,
    Code.INVALID_AGAINST_ALL,
    Code.NO_VOTES,
    Code.NO_CANDIDATES,
    Code.NOT_ELECTED,
}
Action = ContestFollowUp.Action


def official_result(contest):
    return (
        ContestResult.objects.filter(contest=contest, basis=Basis.OFFICIAL)
        .select_related("winner__person", "winner__contest")
        .first()
    )


def action_for(result):
    """The follow-up an official result calls for (a ContestFollowUp.Action), or None while incomplete."""
    if result is None or result.outcome == Code.INCOMPLETE:
        return None
    if Flag.FEW_CANDIDATES in (result.flags or []) or result.outcome in REPEAT_ELECTION_CODES:
        return Action.REPEAT_ELECTION
    if result.outcome == Code.ELECTED and result.winner_id is not None:
        return Action.WINNER_REGISTERED
    if result.outcome == Code.RUNOFF:
        return Action.RUNOFF
    if result.outcome == Code.TIE:
        return Action.TIE
    return Action.REPEAT_ELECTION


def registration_deadline(election):
    """The aware moment winner registration closes, or None before the results are established."""
    if election.results_established_on is None:
        return None
    last_day = election.results_established_on + datetime.timedelta(days=election.winner_registration_days)
    return election.local_deadline(last_day)


def _check_established(election):
    if election.results_established_on is None:
        raise errors.ResultsNotEstablished(details={"election": election.pk, "status": election.status})


def register_winner(actor, contest, *, started_on=None):
    """Register the winner of `contest` as akim: opens the term of office (start `started_on`, by
    default today in the election's zone; planned end after the election's term years)."""
    with transaction.atomic():
        contest = Contest.objects.select_related("election", "unit").get(pk=contest.pk)
        election = contest.election
        check_actor(actor, contest.unit)
        _check_established(election)
        result = official_result(contest)
        if action_for(result) != Action.WINNER_REGISTERED:
            raise errors.NoOfficialWinner(
                details={
                    "outcome": result.outcome if result else None,
                    "flags": list(result.flags) if result else [],
                    "basis": Basis.OFFICIAL,
                }
            )
        check_before(registration_deadline(election), errors.WinnerRegistrationDeadlinePassed)
        return offices.register_elected_akim(
            actor,
            contest,
            candidacy=result.winner,
            outcome=result.outcome,
            flags=result.flags,
            started_on=started_on or selectors.local_today(election),
        )


def act_on_outcome(actor, contest, *, started_on=None):
    """Do what the contest's official outcome calls for; returns (action, term or election or follow-up)."""
    with transaction.atomic():
        contest = Contest.objects.select_related("election", "unit").get(pk=contest.pk)
        check_actor(actor, contest.unit)
        _check_established(contest.election)
        result = official_result(contest)
        action = action_for(result)
        if action is None:
            raise errors.OutcomeNotActionable(
                message=errors.OutcomeNotActionable.default_message,
                code="outcome_incomplete",
                details={"outcome": result.outcome if result else None},
            )
        if action == Action.WINNER_REGISTERED:
            return action, register_winner(actor, contest, started_on=started_on)
        if action == Action.RUNOFF:
            return action, call_runoff(actor, contest)
        return action, offices.flag_contest(actor, contest, action=action, outcome=result.outcome, flags=result.flags)


def _check_certified(contest):
    """Every protocol of the contest certified, and the official result computed from them."""
    counts = Protocol.objects.filter(contest=contest).values_list("state", flat=True)
    states = list(counts)
    certified = sum(1 for state in states if state == ProtocolState.CERTIFIED)
    result = official_result(contest)
    if not states or certified < len(states) or result is None or result.outcome == Code.INCOMPLETE:
        raise errors.ResultsNotCertified(
            details={"contest": contest.pk, "protocols": len(states), "certified": certified}
        )
    return result


def call_runoff(actor, contest, *, candidacies=None):
    """Call the runoff of `contest`, whose certified official outcome is `runoff`: the two leading
    candidates (`result.runoff`) are carried over. `candidacies`, when given, must be exactly those two.

    Refused: a second runoff for the contest (`runoff_already_called`), results not certified
    (`results_not_certified`), a contest with a winner (`contest_has_winner`) or another outcome
    (`runoff_not_due`), a candidate outside the top two (`not_in_runoff_pair`)."""
    with transaction.atomic():
        contest = Contest.objects.select_for_update(of=("self",)).select_related("election", "unit").get(pk=contest.pk)
        check_actor(actor, contest.unit)
        existing = ContestFollowUp.objects.filter(contest=contest).first()
        if existing is not None and existing.action == Action.RUNOFF:
            raise errors.RunoffAlreadyCalled(details={"election": existing.follow_up_election_id})
        result = _check_certified(contest)
        _check_established(contest.election)
        if result.outcome == Code.ELECTED:
            raise errors.ContestHasWinner(details={"winner": result.winner_id, "outcome": result.outcome})
        if action_for(result) != Action.RUNOFF:
            raise errors.RunoffNotDue(details={"outcome": result.outcome, "flags": list(result.flags or [])})
        pair = list(result.runoff or [])
        if candidacies is not None:
            given = [c.pk if hasattr(c, "pk") else int(c) for c in candidacies]
            outside = sorted(set(given) - set(pair))
            if outside or len(set(given)) != len(pair):
                raise errors.NotInRunoffPair(details={"candidacies": outside or given, "top_two": pair})
        return offices.call_runoff(actor, contest, candidacies=pair, outcome=result.outcome, flags=result.flags)


@dataclass
class Report:
    """What `act_on_election` did: lists of (unit KATO, outcome, flags) per kind of follow-up."""

    registered: list = field(default_factory=list)
    runoffs: list = field(default_factory=list)
    repeat_elections: list = field(default_factory=list)
    ties: list = field(default_factory=list)
    pending: list = field(default_factory=list)
    refused: list = field(default_factory=list)

    def lines(self):
        def listing(rows):
            return ", ".join(
                f"{kato} ({outcome}{'; ' + ', '.join(flags) if flags else ''})" for kato, outcome, flags in rows
            )

        out = [gettext("winners registered as akims: %(count)s") % {"count": len(self.registered)}]
        for label, rows in (
            (gettext("runoffs called: %(count)s"), self.runoffs),
            (gettext("flagged for a repeat election: %(count)s"), self.repeat_elections),
            (gettext("ties for the commission: %(count)s"), self.ties),
            (gettext("pending (official outcome incomplete): %(count)s"), self.pending),
            (gettext("refused: %(count)s"), self.refused),
        ):
            out.append(label % {"count": len(rows)} + (f": {listing(rows)}" if rows else ""))
        return out


def act_on_election(actor, election, *, started_on=None):
    """Act on every contest of `election` not yet acted on: winners and flags in bulk (the same checks
    and audit records as one by one, in one transaction), runoffs one by one. A contest a rule refuses
    is reported, not written. Returns a Report."""
    election = Election.objects.get(pk=election.pk)
    _check_established(election)
    report = Report()
    done = set(ContestFollowUp.objects.filter(contest__election=election).values_list("contest_id", flat=True))
    results = {
        r.contest_id: r
        for r in ContestResult.objects.filter(election=election, basis=Basis.OFFICIAL).only(
            "contest_id", "outcome", "flags", "winner_id", "runoff"
        )
    }
    contests = Contest.objects.filter(election=election).exclude(status=Contest.Status.CANCELLED)
    bulk, runoffs, kato = [], [], {}
    for contest in contests.select_related("unit").order_by("unit__kato"):
        if contest.pk in done:
            continue
        kato[contest.pk] = contest.unit.kato
        result = results.get(contest.pk)
        action = action_for(result)
        if action is None:
            report.pending.append(
                (contest.unit.kato, result.outcome if result else None, list(result.flags) if result else [])
            )
            continue
        row = {"contest": contest.pk, "action": action, "outcome": result.outcome, "flags": list(result.flags)}
        if action == Action.RUNOFF:
            runoffs.append(contest)
            continue
        if action == Action.WINNER_REGISTERED:
            row["candidacy"] = result.winner_id
        bulk.append(row)

    if any(row["action"] == Action.WINNER_REGISTERED for row in bulk):
        try:
            check_before(registration_deadline(election), errors.WinnerRegistrationDeadlinePassed)
        except DomainError as error:
            winners_rows = [row for row in bulk if row["action"] == Action.WINNER_REGISTERED]
            report.refused.extend((kato[row["contest"]], error.code, [str(error.message)]) for row in winners_rows)
            bulk = [row for row in bulk if row["action"] != Action.WINNER_REGISTERED]
    written, refused = offices.act_on_contests(actor, election, bulk, started_on=started_on)
    lists = {
        Action.WINNER_REGISTERED: report.registered,
        Action.REPEAT_ELECTION: report.repeat_elections,
        Action.TIE: report.ties,
    }
    for row in written:
        lists[row["action"]].append((kato[row["contest"]], row["outcome"], row["flags"]))
    report.refused.extend((kato[row["contest"]], error.code, [str(error.message)]) for row, error in refused)
    for contest in runoffs:
        try:
            act_on_outcome(actor, contest)
        except DomainError as error:
            report.refused.append((contest.unit.kato, error.code, [str(error.message)]))
        else:
            result = results[contest.pk]
            report.runoffs.append((contest.unit.kato, result.outcome, list(result.flags)))
    return report
