"""What is done with a contest's official outcome: register the elected akim, call a runoff, flag the
contest; one at a time or for a whole election at once (`act_on_contests`)."""

import datetime

from django.db import transaction

from core import audit, clock
from core.audit import record_many
from territory.models import AdminUnit

from ... import errors as registry_errors
from ... import selectors
from ...models import (
    Candidacy,
    Contest,
    ContestFollowUp,
    Election,
    ElectionKind,
    TermOfOffice,
    WinnerRule,
)
from ...services.common import check_actor, role_of
from ...services.contests import voters_by_unit
from .. import errors
from .by_elections import (
    _create_contest,
    _rules_of,
)
from .common import (
    _term_data,
    add_years,
    today,
)
from .terms import (
    open_term_of_office,
)


def _lock_contest(contest):
    return Contest.objects.select_for_update(of=("self",)).select_related("election", "unit").get(pk=contest.pk)


# A follow-up election is called at least this many days before it is held, as any election.
MIN_DAYS_CALL_TO_VOTE = 40


def _check_no_follow_up(contest):
    existing = ContestFollowUp.objects.filter(contest=contest).first()
    if existing is None:
        return
    if existing.action == ContestFollowUp.Action.RUNOFF:
        raise errors.RunoffAlreadyCalled(details={"election": existing.follow_up_election_id})
    raise errors.OutcomeAlreadyActedOn(details={"action": existing.action})


def _follow_up(actor, contest, *, action, outcome, flags, term=None, election=None):
    follow_up = ContestFollowUp.objects.create(
        contest=contest,
        action=action,
        outcome=outcome,
        flags=list(flags),
        term=term,
        follow_up_election=election,
        decided_at=clock.now(),
    )
    audit.record(
        actor=actor,
        action=f"registry.contest_follow_up.{action}",
        obj=follow_up,
        to_state=action,
        role=role_of(actor),
        data={
            "contest": contest.pk,
            "unit": contest.unit.kato,
            "outcome": outcome,
            "flags": list(flags),
            "term": term.pk if term else None,
            "election": election.pk if election else None,
        },
    )
    return follow_up


def register_elected_akim(actor, contest, *, candidacy, outcome, flags, started_on):
    """Open the term of the winner of `contest` (the results app has checked the official outcome
    and the deadline) and record the follow-up. Refused when the contest was already acted on."""
    with transaction.atomic():
        contest = _lock_contest(contest)
        check_actor(actor, contest.unit)
        _check_no_follow_up(contest)
        if candidacy.contest_id != contest.pk or candidacy.status != Candidacy.Status.REGISTERED:
            raise errors.OutcomeNotActionable(details={"candidacy": candidacy.pk, "contest": contest.pk})
        term = open_term_of_office(
            actor,
            person=candidacy.person,
            unit=contest.unit,
            office_type=contest.election.office_type,
            started_on=started_on,
            election=contest.election,
            candidacy=candidacy,
        )
        _follow_up(
            actor, contest, action=ContestFollowUp.Action.WINNER_REGISTERED, outcome=outcome, flags=flags, term=term
        )
    return term


def call_runoff(actor, contest, *, candidacies, outcome, flags):
    """Create the runoff of `contest`: an election of kind runoff (same rules but plurality: two
    candidates, the one with more votes wins; election day `runoff_offset_days` after the first
    round), one contest for the unit with its voters as of today, and the two candidates registered
    in it from their first-round candidacies. The results app checks the official outcome and passes
    the top two (`results.winners.call_runoff`)."""
    with transaction.atomic():
        contest = _lock_contest(contest)
        first_round = contest.election
        check_actor(actor, contest.unit)
        _check_no_follow_up(contest)
        pair = list(
            Candidacy.objects.filter(pk__in=[c.pk if hasattr(c, "pk") else c for c in candidacies])
            .select_related("person", "party")
            .order_by("pk")
        )
        if len(pair) != 2 or any(c.contest_id != contest.pk or c.status != Candidacy.Status.REGISTERED for c in pair):
            raise errors.OutcomeNotActionable(details={"candidacies": [c.pk for c in pair], "contest": contest.pk})
        unit_en = contest.unit.name_en or contest.unit.name_ru
        election = Election(
            **(_rules_of(first_round) | {"winner_rule": WinnerRule.PLURALITY}),
            kind=ElectionKind.RUNOFF,
            origin=first_round,
            name_kk=f"{first_round.name_kk}: қайта дауыс беру ({contest.unit.name_kk or contest.unit.name_ru})",
            name_ru=f"{first_round.name_ru}: повторное голосование ({contest.unit.name_ru})",
            name_en=f"{first_round.name_en or first_round.name_ru}: runoff ({unit_en})",
        )
        election.called_on = today()
        election.election_day = first_round.election_day + datetime.timedelta(days=first_round.runoff_offset_days)
        election.status = Election.Status.CAMPAIGN  # the candidates are registered already
        election.save(force_insert=True)
        audit.record(
            actor=actor,
            action="registry.call_runoff",
            obj=election,
            to_state=election.status,
            role=role_of(actor),
            data={"first_round": first_round.pk, "contest": contest.pk, "election_day": election.election_day},
        )
        voters = voters_by_unit([contest.unit]).get(contest.unit_id) or contest.registered_voters
        runoff_contest = _create_contest(actor, election, contest.unit, voters)
        for c in pair:
            copy = Candidacy.objects.create(
                person=c.person,
                contest=runoff_contest,
                election=election,
                nomination_type=c.nomination_type,
                party=c.party,
                status=Candidacy.Status.REGISTERED,
                nominated_on=c.nominated_on,
                decided_on=today(),
                signatures_required=c.signatures_required,
                signatures_submitted=c.signatures_submitted,
                signatures_valid=c.signatures_valid,
                deposit_paid=c.deposit_paid,
                deposit_amount=c.deposit_amount,
            )
            audit.record(
                actor=actor,
                action="registry.register_for_runoff",
                obj=copy,
                to_state=Candidacy.Status.REGISTERED,
                role=role_of(actor),
                data={"first_round_candidacy": c.pk, "contest": runoff_contest.pk},
            )
        _follow_up(
            actor, contest, action=ContestFollowUp.Action.RUNOFF, outcome=outcome, flags=flags, election=election
        )
    return election


def flag_contest(actor, contest, *, action, outcome, flags):
    """Record that a contest needs a repeat election (invalid, fewer than two candidates, nobody
    elected) or a decision of the commission (tie). Nothing else is created."""
    if action not in (ContestFollowUp.Action.REPEAT_ELECTION, ContestFollowUp.Action.TIE):
        raise errors.OutcomeNotActionable(details={"action": str(action)})
    with transaction.atomic():
        contest = _lock_contest(contest)
        check_actor(actor, contest.unit)
        _check_no_follow_up(contest)
        return _follow_up(actor, contest, action=action, outcome=outcome, flags=flags)


def call_repeat_election(actor, contest, *, election_day):
    """Call the repeat election of a contest flagged for one (void, too few candidates, nobody
    elected): an election of kind repeat with the first round's rules, held on `election_day` (at
    least 40 days after today), one contest for the unit with its voters as of today, nomination
    open again (candidates are nominated and registered anew through the registry's workflow)."""
    with transaction.atomic():
        contest = _lock_contest(contest)
        first_round = contest.election
        check_actor(actor, contest.unit)
        follow_up = ContestFollowUp.objects.select_for_update(of=("self",)).filter(contest=contest).first()
        if follow_up is None or follow_up.action != ContestFollowUp.Action.REPEAT_ELECTION:
            raise errors.RepeatElectionNotDue(details={"action": follow_up.action if follow_up else None})
        if follow_up.follow_up_election_id is not None:
            raise errors.RepeatElectionAlreadyCalled(details={"election": follow_up.follow_up_election_id})
        called_on = today()
        earliest = called_on + datetime.timedelta(days=MIN_DAYS_CALL_TO_VOTE)
        if not isinstance(election_day, datetime.date) or election_day < earliest:
            raise errors.ElectionDayTooSoon(details={"election_day": str(election_day), "earliest": earliest})
        unit = contest.unit
        election = Election(
            **_rules_of(first_round),
            kind=ElectionKind.REPEAT,
            origin=first_round,
            name_kk=f"{first_round.name_kk}: қайта сайлау ({unit.name_kk or unit.name_ru})",
            name_ru=f"{first_round.name_ru}: повторные выборы ({unit.name_ru})",
            name_en=f"{first_round.name_en or first_round.name_ru}: repeat election ({unit.name_en or unit.name_ru})",
        )
        election.called_on = called_on
        election.election_day = election_day
        election.status = Election.Status.NOMINATION
        election.save(force_insert=True)
        audit.record(
            actor=actor,
            action="registry.call_repeat_election",
            obj=election,
            to_state=election.status,
            role=role_of(actor),
            data={"first_round": first_round.pk, "contest": contest.pk, "election_day": election_day},
        )
        voters = voters_by_unit([unit]).get(unit.pk) or contest.registered_voters
        _create_contest(actor, election, unit, voters)
        follow_up.follow_up_election = election
        follow_up.save(update_fields=["follow_up_election"])
        audit.record(
            actor=actor,
            action="registry.contest_follow_up.repeat_election_called",
            obj=follow_up,
            from_state=follow_up.action,
            to_state=follow_up.action,
            role=role_of(actor),
            data={"contest": contest.pk, "election": election.pk},
        )
    return election


# --- bulk: a whole election's outcomes at once ----------------------------------------------------


def _units_in_scope(actor, unit_ids):
    """The subset of `unit_ids` the actor may act in (all of them for the system or a national user)."""
    if actor is None:
        return set(unit_ids)
    scope = selectors.registry_scope_for(actor)
    if scope.national:
        return set(unit_ids)
    if scope.empty:
        return set()
    return set(AdminUnit.objects.filter(scope.unit_q(), pk__in=unit_ids).values_list("pk", flat=True))


def act_on_contests(actor, election, rows, *, started_on=None):
    """Bulk form of `register_elected_akim` and `flag_contest` for one election, with the same checks
    and the same audit records (chained in batches): `rows` are dicts with `contest` (id), `action`
    (winner_registered, repeat_election or tie), `outcome`, `flags` and, for a winner, `candidacy` (id).

    Rows that a rule refuses are left out and returned with their error; the others are written in
    one transaction. Returns (done rows, [(row, DomainError)])."""
    Action = ContestFollowUp.Action
    refused, done = [], []
    with transaction.atomic():
        election = Election.objects.get(pk=election.pk)
        if started_on is None:
            started_on = selectors.local_today(election)
        contests = {
            c.pk: c
            for c in Contest.objects.select_for_update(of=("self",))
            .select_related("unit")
            .filter(election=election, pk__in=[r["contest"] for r in rows])
        }
        in_scope = _units_in_scope(actor, {c.unit_id for c in contests.values()})
        acted = set(ContestFollowUp.objects.filter(contest_id__in=contests).values_list("contest_id", flat=True))
        winners = [r for r in rows if r["action"] == Action.WINNER_REGISTERED]
        candidacies = Candidacy.objects.select_related("person").in_bulk([r["candidacy"] for r in winners])
        unit_ids = {contests[r["contest"]].unit_id for r in winners if r["contest"] in contests}
        open_terms = {
            t.unit_id: t
            for t in TermOfOffice.objects.select_for_update(of=("self",)).filter(
                unit_id__in=unit_ids, ended_on__isnull=True
            )
        }
        earlier = {}
        if winners:
            for person_id, unit_id in TermOfOffice.objects.filter(
                person_id__in={c.person_id for c in candidacies.values()},
                office_type=election.office_type,
                started_on__lt=started_on,
            ).values_list("person_id", "unit_id"):
                earlier[(person_id, unit_id)] = earlier.get((person_id, unit_id), 0) + 1
            if election.results_established_on is None:
                raise errors.ResultsNotEstablished(details={"election": election.pk})
            if started_on < election.results_established_on:
                raise errors.TermStartsBeforeResults(
                    details={
                        "started_on": started_on.isoformat(),
                        "results_established_on": election.results_established_on.isoformat(),
                    }
                )

        terms, follow_ups = [], []
        for row in rows:
            contest = contests.get(row["contest"])
            error = None
            if contest is None:
                error = errors.OutcomeNotActionable(details={"contest": row["contest"]})
            elif contest.unit_id not in in_scope:
                error = registry_errors.ContestOutOfScope(details={"unit": contest.unit.kato})
            elif contest.pk in acted:
                error = errors.OutcomeAlreadyActedOn(details={"contest": contest.pk})
            elif row["action"] not in (Action.WINNER_REGISTERED, Action.REPEAT_ELECTION, Action.TIE):
                error = errors.OutcomeNotActionable(details={"action": str(row["action"])})
            elif row["action"] == Action.WINNER_REGISTERED:
                candidacy = candidacies.get(row["candidacy"])
                if (
                    candidacy is None
                    or candidacy.contest_id != contest.pk
                    or candidacy.status != Candidacy.Status.REGISTERED
                ):
                    error = errors.OutcomeNotActionable(details={"candidacy": row["candidacy"]})
                elif contest.unit_id in open_terms:
                    current = open_terms[contest.unit_id]
                    error = errors.UnitHasAkimInOffice(
                        details={"term": current.pk, "person": current.person_id, "since": current.started_on}
                    )
            if error is not None:
                refused.append((row, error))
                continue
            acted.add(contest.pk)
            term = None
            if row["action"] == Action.WINNER_REGISTERED:
                candidacy = candidacies[row["candidacy"]]
                term = TermOfOffice(
                    person=candidacy.person,
                    unit=contest.unit,
                    office_type=election.office_type,
                    started_on=started_on,
                    planned_end_on=add_years(started_on, election.term_years),
                    term_number=earlier.get((candidacy.person_id, contest.unit_id), 0) + 1,
                    election=election,
                    candidacy=candidacy,
                )
                open_terms[contest.unit_id] = term
                terms.append(term)
            follow_ups.append(
                ContestFollowUp(
                    contest=contest,
                    action=row["action"],
                    outcome=row["outcome"],
                    flags=list(row["flags"]),
                    term=term,
                    decided_at=clock.now(),
                )
            )
            done.append(row)

        TermOfOffice.objects.bulk_create(terms, batch_size=1000)
        ContestFollowUp.objects.bulk_create(follow_ups, batch_size=1000)
        record_many(
            [
                {"action": "registry.open_term_of_office", "obj": t, "to_state": "in_office", "data": _term_data(t)}
                for t in terms
            ]
            + [
                {
                    "action": f"registry.contest_follow_up.{fu.action}",
                    "obj": fu,
                    "to_state": fu.action,
                    "data": {
                        "contest": fu.contest_id,
                        "unit": fu.contest.unit.kato,
                        "outcome": fu.outcome,
                        "flags": fu.flags,
                        "term": fu.term.pk if fu.term else None,
                        "election": None,
                    },
                }
                for fu in follow_ups
            ],
            actor=actor,
            role=role_of(actor),
        )
    return done, refused
