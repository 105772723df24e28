"""The akim's accountability: reports to the maslikhat, community dismissal initiatives, votes of no confidence."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core import audit, clock

from ...models import (
    DismissalInitiative,
    EndReason,
    MaslikhatReport,
    NoConfidenceVote,
)
from ...services.common import check_actor, role_of
from .. import errors
from .common import (
    REPORTS_NOT_APPROVED_FOR_GROUNDS,
    _check_day_in_term,
    _check_in_office,
    _check_reference,
    _lock_term,
)
from .terms import (
    _terminate_locked,
)

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
