"""Where each contest of an election stands in the election cycle, and which are stuck.

A contest moves: candidates final -> protocols created -> entered and certified -> official result
aggregated -> results established -> a follow-up recorded (winner registered, runoff called, repeat
election or tie flagged). A contest is *stuck* when the next step is due and has not happened:

- `no_protocols`: its candidates are final (withdrawal deadline passed) and it has no protocol;
- `no_result`: every protocol is certified but there is no complete official result;
- `result_outdated`: a protocol was certified after the official result was computed;
- `no_follow_up`: the election's results are established, the official outcome calls for a
  follow-up and none is recorded.

Contests still waiting for their candidates (an election still in a nomination stage included),
still being counted, or waiting for the results to be established are not stuck; a contest
flagged for a repeat election whose repeat election is not called yet is listed
(`repeat_not_called`) but is not stuck: the day is the commission's choice.
Read-only: `manage.py check_cycle --election ID` prints this.
"""

from dataclasses import dataclass

from django.db.models import Count, Max, Q
from django.utils.translation import gettext_lazy as _

from core import clock
from registry.models import Contest, ContestFollowUp, Election

from .models import Basis, ContestResult, Protocol, ProtocolState
from .outcomes import Code
from .winners import action_for

NOMINATION_STAGES = (Election.Status.CALLED, Election.Status.NOMINATION, Election.Status.REGISTRATION)
STUCK = {"no_protocols", "no_result", "result_outdated", "no_follow_up"}
LABELS = {
    "awaiting_candidates": _("candidates not final yet"),
    "no_protocols": _("candidates final but no protocols"),
    "counting": _("protocols being entered and certified"),
    "no_result": _("every protocol certified but no official result"),
    "result_outdated": _("a protocol was certified after the official result was computed"),
    "awaiting_establishment": _("official result computed; the results are not established yet"),
    "no_follow_up": _("results established but nothing done with the official outcome"),
    "repeat_not_called": _("flagged for a repeat election, not called yet"),
    "done": _("followed up"),
}


@dataclass
class ContestState:
    contest_id: int
    kato: str
    name: str
    state: str
    detail: str = ""

    @property
    def stuck(self):
        return self.state in STUCK

    @property
    def label(self):
        return str(LABELS[self.state])


def contest_states(election, now=None):
    """[ContestState] for every contest of `election` that is not cancelled, by KATO code."""
    now = now or clock.now()
    election = Election.objects.get(pk=election.pk)
    contests = list(
        Contest.objects.filter(election=election)
        .exclude(status=Contest.Status.CANCELLED)
        .select_related("unit")
        .order_by("unit__kato")
    )
    protocols = {
        row["contest_id"]: row
        for row in Protocol.objects.filter(election=election)
        .values("contest_id")
        .annotate(
            total=Count("pk"),
            certified=Count("pk", filter=Q(state=ProtocolState.CERTIFIED)),
            last_certified=Max("certified_at"),
        )
    }
    results = {
        r.contest_id: r
        for r in ContestResult.objects.filter(election=election, basis=Basis.OFFICIAL).only(
            "contest_id", "outcome", "flags", "winner_id", "runoff", "computed_at"
        )
    }
    follow_ups = {
        f.contest_id: f for f in ContestFollowUp.objects.filter(contest__election=election).select_related("contest")
    }
    # Candidates are final once the withdrawal deadline has passed and the election left nomination.
    candidates_final = now >= election.withdrawal_deadline and election.status not in NOMINATION_STAGES
    established = election.results_established_on is not None
    states = []
    for contest in contests:
        state, detail = _state_of(
            contest,
            protocols.get(contest.pk),
            results.get(contest.pk),
            follow_ups.get(contest.pk),
            candidates_final=candidates_final,
            established=established,
        )
        states.append(ContestState(contest.pk, contest.unit.kato, contest.unit.name, state, detail))
    return states


def _state_of(contest, counts, result, follow_up, *, candidates_final, established):
    if follow_up is not None:
        if follow_up.action == ContestFollowUp.Action.REPEAT_ELECTION and follow_up.follow_up_election_id is None:
            return "repeat_not_called", follow_up.outcome
        election = (
            _("election %(id)s") % {"id": follow_up.follow_up_election_id} if follow_up.follow_up_election_id else ""
        )
        return "done", " ".join(x for x in (str(follow_up.get_action_display()), election) if x)
    if counts is None:
        return ("no_protocols", "") if candidates_final else ("awaiting_candidates", "")
    if counts["certified"] < counts["total"]:
        return "counting", f"{counts['certified']}/{counts['total']}"
    if result is None or result.outcome == Code.INCOMPLETE:
        return "no_result", f"{counts['certified']}/{counts['total']}"
    if counts["last_certified"] and result.computed_at < counts["last_certified"]:
        return "result_outdated", result.computed_at.isoformat()
    if not established:
        return "awaiting_establishment", result.outcome
    return "no_follow_up", f"{result.outcome}: {action_for(result).label}"
