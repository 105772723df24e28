"""A contest's history across rounds: the first round, its runoff or repeat election, a later
by-election in the same unit; each round with its official result, the candidates' votes and what
was done with the outcome (winner's term, runoff called, flag).

Rounds are linked by the elections' `origin` (a runoff's first round, a repeat election's void
election, a by-election's election of the ended term) and the unit: a round's contests are those of
elections following it in the same unit.
"""

from dataclasses import dataclass, field

from registry.models import Contest, ContestFollowUp

from .models import Basis, CandidateResult, ContestResult
from .outcomes import FLAG_LABELS, LABELS


@dataclass
class Round:
    contest: Contest
    result: ContestResult | None
    candidates: list = field(default_factory=list)
    follow_up: ContestFollowUp | None = None

    @property
    def election(self):
        return self.contest.election

    @property
    def outcome_label(self):
        return LABELS.get(self.result.outcome, self.result.outcome) if self.result else None

    @property
    def flag_labels(self):
        return [FLAG_LABELS.get(f, f) for f in (self.result.flags if self.result else [])]


def _contests():
    return Contest.objects.select_related("election", "election__origin", "unit")


def first_round(contest):
    """The contest of the first election of the chain `contest` belongs to."""
    seen = {contest.pk}
    while contest.election.origin_id is not None:
        parent = _contests().filter(election_id=contest.election.origin_id, unit_id=contest.unit_id).first()
        if parent is None or parent.pk in seen:
            break
        seen.add(parent.pk)
        contest = parent
    return contest


def contest_rounds(contest, basis=Basis.OFFICIAL):
    """[Round] of the chain `contest` belongs to, by election day."""
    chain, frontier, seen = [], [first_round(contest)], set()
    while frontier:
        current = frontier.pop(0)
        if current.pk in seen:
            continue
        seen.add(current.pk)
        chain.append(current)
        frontier.extend(_contests().filter(election__origin_id=current.election_id, unit_id=current.unit_id))
    chain.sort(key=lambda c: (c.election.election_day, c.election_id))
    ids = [c.pk for c in chain]
    results = {
        r.contest_id: r
        for r in ContestResult.objects.filter(contest_id__in=ids, basis=basis).select_related("winner__person")
    }
    candidates = {}
    for c in (
        CandidateResult.objects.filter(contest_id__in=ids, basis=basis)
        .select_related("candidacy__person", "candidacy__party")
        .order_by("rank", "candidacy__person__surname")
    ):
        candidates.setdefault(c.contest_id, []).append(c)
    follow_ups = {
        f.contest_id: f
        for f in ContestFollowUp.objects.filter(contest_id__in=ids).select_related("term__person", "follow_up_election")
    }
    return [Round(c, results.get(c.pk), candidates.get(c.pk, []), follow_ups.get(c.pk)) for c in chain]
