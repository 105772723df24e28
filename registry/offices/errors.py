"""Domain errors of the office register, each with a stable code."""

from django.utils.translation import gettext_lazy as _

from core.errors import DeadlinePassed, DomainError, InvalidTransition


class UnitHasAkimInOffice(InvalidTransition):
    """`details["term"]` names the open term."""

    code = "unit_has_akim_in_office"
    default_message = _("The unit already has an akim in office: end that term first.")


class TermStartsBeforeResults(DomainError):
    code = "term_starts_before_results"
    default_message = _("A term cannot start before the results of its election were established.")


class ResultsNotEstablished(InvalidTransition):
    code = "results_not_established"
    default_message = _("The results of this election have not been established yet.")


class NoOfficialWinner(InvalidTransition):
    """`details["outcome"]` and `details["flags"]` give the official outcome found (if any)."""

    code = "no_official_winner"
    default_message = _("The contest has no official outcome naming a winner: nobody can be registered as akim.")


class WinnerRegistrationDeadlinePassed(DeadlinePassed):
    code = "winner_registration_deadline_passed"
    default_message = _("The deadline for registering the elected akim has passed.")


class OutcomeAlreadyActedOn(InvalidTransition):
    code = "outcome_already_acted_on"
    default_message = _("The outcome of this contest has already been acted on.")


class OutcomeNotActionable(InvalidTransition):
    code = "outcome_not_actionable"
    default_message = _("This official outcome does not call for that action.")


class TermNotInOffice(InvalidTransition):
    code = "term_not_in_office"
    default_message = _("This term of office has already ended.")


class DateOutsideTerm(DomainError):
    code = "date_outside_term"
    default_message = _("The date is outside the term of office.")


class DateInFuture(DomainError):
    code = "date_in_future"
    default_message = _("The date is in the future.")


class DecisionReferenceRequired(DomainError):
    code = "decision_reference_required"
    default_message = _("Give the reference of the decision (number and date).")


class ReportAlreadyRecorded(DomainError):
    code = "report_already_recorded"
    default_message = _("A report of this akim on this date is already recorded.")


class BadOutcome(DomainError):
    code = "bad_outcome"
    default_message = _("The outcome given is not one of the allowed values.")


class VoteCountsInconsistent(DomainError):
    code = "vote_counts_inconsistent"
    default_message = _("A vote that passed needs more votes for than against; one that failed, not more.")


class NoConfidenceWithoutGrounds(DomainError):
    """`details["failed_rules"]` lists each ground checked, with what was found."""

    code = "no_confidence_without_grounds"
    default_message = _(
        "A vote of no confidence needs grounds: two reports of the akim not approved in the current term, "
        "or a registered initiative of the local community."
    )


class BadEndReason(DomainError):
    code = "bad_end_reason"
    default_message = _("Give one of the reasons of early termination.")


class ReasonTextRequired(DomainError):
    code = "end_reason_text_required"
    default_message = _("Say in words why the term ended ('other' reason).")


class NotAnOfficeKind(DomainError):
    code = "not_an_office_kind"
    default_message = _("This kind of unit has no elected akim.")


class ByElectionAlreadyCalled(InvalidTransition):
    code = "by_election_already_called"
    default_message = _("A by-election has already been called for this term.")


class ContestHasWinner(InvalidTransition):
    """A runoff asked for a contest whose official outcome names a winner."""

    code = "contest_has_winner"
    default_message = _("The contest has a winner: no runoff is held.")


class RunoffNotDue(InvalidTransition):
    """`details["outcome"]`: the official outcome, which does not call for a runoff."""

    code = "runoff_not_due"
    default_message = _("The official outcome of this contest does not call for a runoff.")


class RunoffAlreadyCalled(InvalidTransition):
    """`details["election"]`: the runoff already called."""

    code = "runoff_already_called"
    default_message = _("A runoff has already been called for this contest.")


class ResultsNotCertified(InvalidTransition):
    """`details["protocols"]` and `details["certified"]` count the contest's protocols."""

    code = "results_not_certified"
    default_message = _("The contest's results are not certified: every protocol must be certified first.")


class NotInRunoffPair(DomainError):
    """`details["candidacies"]` names the candidacies outside the first round's top two."""

    code = "not_in_runoff_pair"
    default_message = _("Only the two leading candidates of the first round take part in the runoff.")


class RepeatElectionNotDue(InvalidTransition):
    code = "repeat_election_not_due"
    default_message = _("This contest is not flagged for a repeat election.")


class RepeatElectionAlreadyCalled(InvalidTransition):
    code = "repeat_election_already_called"
    default_message = _("A repeat election has already been called for this contest.")


class ElectionDayTooSoon(DomainError):
    """`details["earliest"]`: the first day allowed."""

    code = "election_day_too_soon"
    default_message = _("The election day must be at least 40 days after the election is called.")


class TermNotEnded(InvalidTransition):
    """`details["term"]`: the term still in office."""

    code = "term_not_ended"
    default_message = _("This term of office has not ended: no by-election can be called for it.")
