"""Services of the office register: open and end terms of office, record the akim's accountability
(reports to the maslikhat, community dismissal initiatives, votes of no confidence), call
by-elections and runoffs, and record what was done with a contest's official outcome.

Each service takes the acting user (None = the system), checks the actor's territory, the state of
the term and the dates, writes the change and its audit record in one transaction, and raises a
DomainError with a stable code otherwise; a refused call writes nothing.

Choices made here (documented, not in the law's text we have):
- "Grounds" of a no-confidence vote: at least REPORTS_NOT_APPROVED_FOR_GROUNDS (2) reports of the
  *current* term not approved, dated on or before the vote, or a registered community initiative of
  the current term submitted on or before the vote. Reports of an earlier term never count.
- A vote that passes needs more votes for than against; it ends the term on the day of the vote.
- By-election rules and dates come from the election the ended term was won at (else that of the
  unit's latest elected term, else the latest election held in the unit, else the defaults): it is
  called `by_election_call_offset_days` (default 10) after the termination date, and held
  `by_election_day_offset_days` (default 70) after it, so at least 40 days lie between call and
  vote (a database constraint).
- A runoff is held `runoff_offset_days` (default 14) after the first round's election day; its two
  candidates are registered in the runoff contest from their first-round candidacies.
- Planned end = start + the election's term years (same day and month; 29 February -> 28 February).
"""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import audit, clock
from core.audit import record_many
from core.reasons import clean_reason
from territory.models import AdminUnit

from .. import errors as registry_errors
from .. import selectors
from ..models import (
    EARLY_END_REASONS,
    Candidacy,
    Contest,
    ContestFollowUp,
    DismissalInitiative,
    Election,
    ElectionKind,
    EndReason,
    MaslikhatReport,
    NoConfidenceVote,
    TermOfOffice,
)
from ..models.election import OFFICE_KINDS
from ..services.common import check_actor, role_of
from . import errors

REPORTS_NOT_APPROVED_FOR_GROUNDS = 2

# Fields of Election that are not rules: everything else is copied to a runoff or by-election.
_NOT_RULES = {
    "id",
    "name_kk",
    "name_ru",
    "name_en",
    "election_day",
    "called_on",
    "status",
    "kind",
    "origin",
    "results_established_on",
}


def today():
    """Today in the project's time zone, by the domain clock."""
    return timezone.localdate(clock.now())


def add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


def _default_term_years():
    return Election._meta.get_field("term_years").default


def _lock_term(term):
    return (
        TermOfOffice.objects.select_for_update(of=("self",))
        .select_related("unit", "election", "person")
        .get(pk=term.pk)
    )


def _check_in_office(term):
    if term.ended_on is not None:
        raise errors.TermNotInOffice(details={"term": term.pk, "ended_on": term.ended_on.isoformat()})


def _check_day_in_term(term, day, field):
    if not isinstance(day, datetime.date):
        raise errors.DateOutsideTerm(details={"field": field, "value": str(day)})
    if day < term.started_on:
        raise errors.DateOutsideTerm(
            details={"field": field, "value": day.isoformat(), "term_started_on": term.started_on.isoformat()}
        )
    if day > today():
        raise errors.DateInFuture(details={"field": field, "value": day.isoformat(), "today": today().isoformat()})


def _check_reference(reference):
    if not (reference or "").strip():
        raise errors.DecisionReferenceRequired()


def _open_term_in(unit):
    return TermOfOffice.objects.select_for_update(of=("self",)).filter(unit=unit, ended_on__isnull=True).first()


def _term_data(term):
    return {
        "person": term.person_id,
        "unit": term.unit.kato,
        "office_type": term.office_type,
        "started_on": term.started_on,
        "planned_end_on": term.planned_end_on,
        "term_number": term.term_number,
        "election": term.election_id,
        "candidacy": term.candidacy_id,
    }


# --- terms --------------------------------------------------------------------------------------


def open_term_of_office(
    actor,
    *,
    person,
    unit,
    office_type,
    started_on,
    election=None,
    candidacy=None,
    ended_on=None,
    term_years=None,
):
    """Record a term of office: an elected akim taking office (with `election` and the winning
    `candidacy`), or a prior term entered by staff (with `ended_on` when it is over).

    Refused: a unit that already has an akim in office (for a term still open), a start before the
    election's results were established, an office kind without an elected akim."""
    with transaction.atomic():
        check_actor(actor, unit)
        if office_type not in OFFICE_KINDS:
            raise errors.NotAnOfficeKind(details={"office_type": office_type})
        if election is not None:
            if election.results_established_on is None:
                raise errors.ResultsNotEstablished(details={"election": election.pk})
            if started_on < election.results_established_on:
                raise errors.TermStartsBeforeResults(
                    details={
                        "started_on": started_on.isoformat(),
                        "results_established_on": election.results_established_on.isoformat(),
                    }
                )
        if ended_on is not None and ended_on < started_on:
            raise errors.DateOutsideTerm(
                details={"field": "ended_on", "value": ended_on.isoformat(), "term_started_on": started_on.isoformat()}
            )
        if ended_on is None:
            current = _open_term_in(unit)
            if current is not None:
                raise errors.UnitHasAkimInOffice(
                    details={"term": current.pk, "person": current.person_id, "since": current.started_on.isoformat()}
                )
        years = term_years or (election.term_years if election is not None else _default_term_years())
        earlier = TermOfOffice.objects.filter(
            person=person, unit=unit, office_type=office_type, started_on__lt=started_on
        ).count()
        term = TermOfOffice(
            person=person,
            unit=unit,
            office_type=office_type,
            started_on=started_on,
            planned_end_on=add_years(started_on, years),
            term_number=earlier + 1,
            election=election,
            candidacy=candidacy,
            ended_on=ended_on,
            end_reason=EndReason.COMPLETED if ended_on is not None else "",
        )
        try:
            with transaction.atomic():
                term.save(force_insert=True)
        except IntegrityError as exc:  # a racing registration got there first
            if "one_open_per_unit" in str(exc) or "registry_termofoffice.unit_id" in str(exc):
                raise errors.UnitHasAkimInOffice(details={"unit": unit.kato}) from exc
            raise
        audit.record(
            actor=actor,
            action="registry.open_term_of_office",
            obj=term,
            to_state="ended" if ended_on else "in_office",
            role=role_of(actor),
            data=_term_data(term) | ({"ended_on": ended_on} if ended_on else {}),
        )
    return term


def _end(actor, term, *, reason, ended_on, reason_text="", decision_reference="", action):
    term.ended_on = ended_on
    term.end_reason = reason
    term.end_reason_text = reason_text or ""
    term.end_decision_reference = decision_reference or ""
    term.save(update_fields=["ended_on", "end_reason", "end_reason_text", "end_decision_reference"])
    audit.record(
        actor=actor,
        action=action,
        obj=term,
        from_state="in_office",
        to_state="ended",
        reason=reason_text or str(EndReason(reason).label),
        role=role_of(actor),
        data={"end_reason": reason, "ended_on": ended_on, "decision": decision_reference or ""},
    )


def complete_term(actor, term, *, ended_on, decision_reference=""):
    """End a term at its natural end (no by-election follows)."""
    with transaction.atomic():
        term = _lock_term(term)
        check_actor(actor, term.unit)
        _check_in_office(term)
        _check_day_in_term(term, ended_on, "ended_on")
        _end(
            actor,
            term,
            reason=EndReason.COMPLETED,
            ended_on=ended_on,
            decision_reference=decision_reference,
            action="registry.complete_term",
        )
    return term


def terminate_term(actor, term, *, reason, ended_on, reason_text="", decision_reference=""):
    """End a term early (no confidence, resignation, death, court decision, other with a reason in
    words) and call the by-election for the unit. Returns the term (with `by_election` set)."""
    with transaction.atomic():
        term = _lock_term(term)
        check_actor(actor, term.unit)
        _terminate_locked(
            actor, term, reason=reason, ended_on=ended_on, reason_text=reason_text, ref=decision_reference
        )
    return term


def _terminate_locked(actor, term, *, reason, ended_on, reason_text, ref):
    reason_text = clean_reason(reason_text, field="reason_text")
    _check_in_office(term)
    if reason not in EARLY_END_REASONS:
        raise errors.BadEndReason(details={"reason": str(reason), "allowed": EARLY_END_REASONS})
    if reason == EndReason.OTHER and not reason_text:
        raise errors.ReasonTextRequired()
    _check_day_in_term(term, ended_on, "ended_on")
    _end(
        actor,
        term,
        reason=reason,
        ended_on=ended_on,
        reason_text=reason_text,
        decision_reference=ref,
        action="registry.terminate_term",
    )
    _call_by_election(actor, term.unit, office_type=term.office_type, vacated_on=ended_on, ended_term=term)


# --- accountability -----------------------------------------------------------------------------


def record_report(actor, term, *, reported_on, approved, decision_reference):
    """The akim's report to the maslikhat and the maslikhat's decision (approved or not)."""
    with transaction.atomic():
        term = _lock_term(term)
        check_actor(actor, term.unit)
        _check_in_office(term)
        _check_day_in_term(term, reported_on, "reported_on")
        if not isinstance(approved, bool):
            raise errors.BadOutcome(details={"approved": str(approved), "allowed": [True, False]})
        _check_reference(decision_reference)
        if term.reports.filter(reported_on=reported_on).exists():
            raise errors.ReportAlreadyRecorded(details={"reported_on": reported_on.isoformat()})
        report = MaslikhatReport.objects.create(
            term=term,
            reported_on=reported_on,
            approved=approved,
            decision_reference=decision_reference.strip(),
            recorded_at=clock.now(),
        )
        audit.record(
            actor=actor,
            action="registry.record_maslikhat_report",
            obj=report,
            to_state="approved" if approved else "not_approved",
            role=role_of(actor),
            data={"term": term.pk, "reported_on": reported_on, "decision": report.decision_reference},
        )
    return report


def record_initiative(actor, term, *, submitted_on, signatures, outcome, decision_reference=""):
    """A community initiative to dismiss the akim, registered or rejected."""
    with transaction.atomic():
        term = _lock_term(term)
        check_actor(actor, term.unit)
        _check_in_office(term)
        _check_day_in_term(term, submitted_on, "submitted_on")
        if outcome not in DismissalInitiative.Outcome.values:
            raise errors.BadOutcome(details={"outcome": str(outcome), "allowed": DismissalInitiative.Outcome.values})
        if not isinstance(signatures, int) or isinstance(signatures, bool) or signatures < 0:
            raise errors.BadOutcome(
                message=_("The number of signatures must be a whole number, 0 or more."),
                code="bad_signatures",
                details={"signatures": str(signatures)},
            )
        initiative = DismissalInitiative.objects.create(
            term=term,
            submitted_on=submitted_on,
            signatures=signatures,
            outcome=outcome,
            decision_reference=(decision_reference or "").strip(),
            recorded_at=clock.now(),
        )
        audit.record(
            actor=actor,
            action="registry.record_dismissal_initiative",
            obj=initiative,
            to_state=outcome,
            role=role_of(actor),
            data={"term": term.pk, "submitted_on": submitted_on, "signatures": signatures},
        )
    return initiative


def no_confidence_grounds(term, held_on):
    """(grounds, reports, initiative, failed_rules): the grounds that hold for a vote on `held_on`,
    or grounds None with every rule that failed and what was found."""
    not_approved = list(term.reports.filter(approved=False, reported_on__lte=held_on).order_by("reported_on"))
    if len(not_approved) >= REPORTS_NOT_APPROVED_FOR_GROUNDS:
        return NoConfidenceVote.Grounds.REPORTS_NOT_APPROVED, not_approved, None, []
    initiative = (
        term.initiatives.filter(outcome=DismissalInitiative.Outcome.REGISTERED, submitted_on__lte=held_on)
        .order_by("-submitted_on", "-pk")
        .first()
    )
    if initiative is not None:
        return NoConfidenceVote.Grounds.COMMUNITY_INITIATIVE, [], initiative, []
    failed = [
        {
            "rule": NoConfidenceVote.Grounds.REPORTS_NOT_APPROVED,
            "message": str(
                _("%(found)d report(s) not approved in the current term; %(required)d are needed.")
                % {"found": len(not_approved), "required": REPORTS_NOT_APPROVED_FOR_GROUNDS}
            ),
            "found": len(not_approved),
            "required": REPORTS_NOT_APPROVED_FOR_GROUNDS,
        },
        {
            "rule": NoConfidenceVote.Grounds.COMMUNITY_INITIATIVE,
            "message": str(_("No registered community initiative for the akim's dismissal in the current term.")),
            "found": 0,
            "required": 1,
        },
    ]
    return None, [], None, failed


def hold_no_confidence_vote(actor, term, *, held_on, votes_for, votes_against, outcome, decision_reference):
    """The maslikhat's vote of no confidence in the akim, allowed only on grounds (see the module's
    docstring). A vote that passes ends the term (reason: no confidence) and calls the by-election."""
    with transaction.atomic():
        term = _lock_term(term)
        check_actor(actor, term.unit)
        _check_in_office(term)
        _check_day_in_term(term, held_on, "held_on")
        if outcome not in NoConfidenceVote.Outcome.values:
            raise errors.BadOutcome(details={"outcome": str(outcome), "allowed": NoConfidenceVote.Outcome.values})
        for value in (votes_for, votes_against):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise errors.VoteCountsInconsistent(
                    details={"votes_for": str(votes_for), "votes_against": str(votes_against)}
                )
        if outcome == NoConfidenceVote.Outcome.PASSED and votes_for <= votes_against:
            raise errors.VoteCountsInconsistent(details={"votes_for": votes_for, "votes_against": votes_against})
        _check_reference(decision_reference)
        grounds, reports, initiative, failed = no_confidence_grounds(term, held_on)
        if grounds is None:
            raise errors.NoConfidenceWithoutGrounds(
                message=errors.NoConfidenceWithoutGrounds.default_message
                + " "
                + " ".join(rule["message"] for rule in failed),
                details={"failed_rules": failed},
            )
        vote = NoConfidenceVote.objects.create(
            term=term,
            held_on=held_on,
            votes_for=votes_for,
            votes_against=votes_against,
            outcome=outcome,
            grounds=grounds,
            grounds_initiative=initiative,
            decision_reference=decision_reference.strip(),
            recorded_at=clock.now(),
        )
        if reports:
            vote.grounds_reports.set(reports)
        audit.record(
            actor=actor,
            action="registry.no_confidence_vote",
            obj=vote,
            to_state=outcome,
            role=role_of(actor),
            data={
                "term": term.pk,
                "held_on": held_on,
                "votes_for": votes_for,
                "votes_against": votes_against,
                "grounds": grounds,
                "reports": [r.pk for r in reports],
                "initiative": initiative.pk if initiative else None,
            },
        )
        if outcome == NoConfidenceVote.Outcome.PASSED:
            _terminate_locked(
                actor,
                term,
                reason=EndReason.NO_CONFIDENCE,
                ended_on=held_on,
                reason_text="",
                ref=vote.decision_reference,
            )
    return vote


# --- by-elections, runoffs, follow-ups ----------------------------------------------------------


def _rules_of(election):
    if election is None:
        return {}
    return {
        f.attname: getattr(election, f.attname)
        for f in Election._meta.concrete_fields
        if f.attname not in _NOT_RULES and f.name not in _NOT_RULES
    }


def _rules_source(unit, office_type, ended_term):
    if ended_term is not None and ended_term.election_id is not None:
        return ended_term.election
    last_term = (
        TermOfOffice.objects.filter(unit=unit, office_type=office_type, election__isnull=False)
        .select_related("election")
        .order_by("-started_on", "-pk")
        .first()
    )
    if last_term is not None:
        return last_term.election
    return (
        Election.objects.filter(office_type=office_type, contests__unit=unit, kind=ElectionKind.REGULAR)
        .order_by("-election_day", "-pk")
        .first()
    )


def _create_contest(actor, election, unit, voters):
    contest = Contest.objects.create(election=election, unit=unit, registered_voters=voters)
    audit.record(
        actor=actor,
        action="registry.create_contest",
        obj=contest,
        to_state=Contest.Status.OPEN,
        role=role_of(actor),
        data={"election": election.pk, "unit": unit.kato, "registered_voters": voters},
    )
    return contest


def _call_by_election(actor, unit, *, office_type, vacated_on, ended_term=None):
    from ..services.contests import voters_by_unit

    current = _open_term_in(unit)
    if current is not None:
        raise errors.UnitHasAkimInOffice(
            details={"term": current.pk, "person": current.person_id, "since": current.started_on.isoformat()}
        )
    if ended_term is not None and ended_term.by_election_id is not None:
        raise errors.ByElectionAlreadyCalled(details={"election": ended_term.by_election_id})
    source = _rules_source(unit, office_type, ended_term)
    election = Election(
        **(_rules_of(source) | {"office_type": office_type}),
        kind=ElectionKind.BY_ELECTION,
        origin=source,
        name_kk=f"Әкімнің мерзімінен бұрын сайлауы: {unit.name_kk or unit.name_ru}",
        name_ru=f"Досрочные выборы акима: {unit.name_ru}",
        name_en=f"By-election of the akim: {unit.name_en or unit.name_ru}",
    )
    election.called_on = vacated_on + datetime.timedelta(days=election.by_election_call_offset_days)
    election.election_day = vacated_on + datetime.timedelta(days=election.by_election_day_offset_days)
    election.status = Election.Status.CALLED
    election.save(force_insert=True)
    audit.record(
        actor=actor,
        action="registry.call_by_election",
        obj=election,
        to_state=Election.Status.CALLED,
        role=role_of(actor),
        data={
            "unit": unit.kato,
            "vacated_on": vacated_on,
            "called_on": election.called_on,
            "election_day": election.election_day,
            "rules_from": source.pk if source else None,
            "ended_term": ended_term.pk if ended_term else None,
        },
    )
    voters = voters_by_unit([unit]).get(unit.pk) or (unit.registered_voters or 0)
    _create_contest(actor, election, unit, voters)
    if ended_term is not None:
        ended_term.by_election = election
        ended_term.save(update_fields=["by_election"])
    return election


def call_by_election(actor, unit, *, vacated_on, office_type=None):
    """Call a by-election for a unit whose akim's post is vacant (refused while an akim is in office).
    An early termination calls it by itself; this is for a post left vacant otherwise."""
    with transaction.atomic():
        check_actor(actor, unit)
        office_type = office_type or unit.kind
        if office_type not in OFFICE_KINDS:
            raise errors.NotAnOfficeKind(details={"office_type": office_type})
        if not isinstance(vacated_on, datetime.date) or vacated_on > today():
            raise errors.DateInFuture(details={"field": "vacated_on", "value": str(vacated_on)})
        return _call_by_election(actor, unit, office_type=office_type, vacated_on=vacated_on)


def _lock_contest(contest):
    return Contest.objects.select_for_update(of=("self",)).select_related("election", "unit").get(pk=contest.pk)


def _check_no_follow_up(contest):
    existing = ContestFollowUp.objects.filter(contest=contest).first()
    if existing is not None:
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
    """Create the runoff of `contest`: an election of kind runoff (same rules, election day
    `runoff_offset_days` after the first round), one contest for the unit, and the two candidates
    registered in it from their first-round candidacies."""
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
            **_rules_of(first_round),
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
        runoff_contest = _create_contest(actor, election, contest.unit, contest.registered_voters)
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


# --- bulk: a whole election's outcomes at once ----------------------------------------------------


def _units_in_scope(actor, unit_ids):
    """The subset of `unit_ids` the actor may act in (all of them for the system or a national user)."""
    if actor is None:
        return set(unit_ids)
    scope = selectors.territorial_scope(actor)
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
