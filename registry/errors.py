"""Domain errors of the candidate registry, each with a stable code."""

from django.utils.translation import gettext_lazy as _

from core.errors import DeadlinePassed, DomainError, InvalidTransition, NotPermitted, OutOfScope


class CandidacyWrongState(InvalidTransition):
    code = "candidacy_wrong_state"
    default_message = _("The candidacy is not in a state that allows this action.")


class ElectionWrongState(InvalidTransition):
    code = "election_wrong_state"
    default_message = _("The election is not at a stage that allows this action.")


class ElectionClosed(ElectionWrongState):
    code = "election_closed"
    default_message = _("The election is closed.")


class ContestCancelled(InvalidTransition):
    code = "contest_cancelled"
    default_message = _("The contest is cancelled.")


class NominationDeadlinePassed(DeadlinePassed):
    code = "nomination_deadline_passed"
    default_message = _("Nomination in this contest has closed.")


class RegistrationDeadlinePassed(DeadlinePassed):
    code = "registration_deadline_passed"
    default_message = _("Registration in this contest has closed.")


class WithdrawalDeadlinePassed(DeadlinePassed):
    code = "withdrawal_deadline_passed"
    default_message = _("Withdrawal and cancellation of registration have closed.")


class ContestOutOfScope(OutOfScope):
    code = "out_of_scope"
    default_message = _("This contest is outside your territory.")


class NotTerritorialStaff(NotPermitted):
    code = "not_territorial_staff"
    default_message = _("Only members of the CEC or a territorial commission may change the candidate registry.")


class SecondActiveCandidacy(DomainError):
    code = "second_active_candidacy"
    default_message = _("This person already has an active candidacy in this election.")


class PartyAlreadyNominated(DomainError):
    code = "party_already_nominated"
    default_message = _("This party has already nominated a candidate in this contest.")


class PartyRequired(DomainError):
    code = "party_required"
    default_message = _("A party nomination needs the party.")


class PartyNotAllowed(DomainError):
    code = "party_not_allowed"
    default_message = _("A self-nomination cannot name a party.")


class BadNominationType(DomainError):
    code = "bad_nomination_type"
    default_message = _("A candidate is nominated by a party ('party') or self-nominated ('self').")


class SignaturesExceedSubmitted(DomainError):
    code = "signatures_valid_exceed_submitted"
    default_message = _("There cannot be more valid signatures than signatures submitted.")


class PartyInactive(DomainError):
    code = "party_inactive"
    default_message = _("The party is not registered on this date.")


class UnitKindMismatch(DomainError):
    code = "unit_kind_mismatch"
    default_message = _("The unit is not of the kind of office this election fills.")


class NotEligible(DomainError):
    """`details["failures"]` lists every failed rule: code, message, the values compared."""

    code = "not_eligible"
    default_message = _("The candidate does not meet the requirements.")


class ReasonRequired(DomainError):
    code = "reason_required"
    default_message = _("Give the reason for this decision.")


class ExtensionNotNeeded(DomainError):
    code = "extension_not_needed"
    default_message = _("The contest has enough candidates; nomination is not extended.")


class NominationStillOpen(DomainError):
    code = "nomination_still_open"
    default_message = _("Nomination has not closed yet; it can be extended only after it closes.")


class AlreadyExtended(DomainError):
    code = "nomination_already_extended"
    default_message = _("Nomination in this contest has already been extended.")


class ImportRejected(DomainError):
    """`details["rows"]` holds the row report: every bad row with its errors; nothing was written."""

    code = "import_rejected"
    default_message = _("The file was not imported: fix the rows listed and try again. Nothing was written.")


class PersonNotMatched(DomainError):
    """A known IIN given with another name, or whose person lies outside the actor's territory: the
    same answer for both, so that an IIN typed in one region reveals nothing of a person of another."""

    code = "person_iin_not_matched"
    default_message = _(
        "The registry knows this IIN, but not under this surname and given name in your territory: "
        "check the IIN and the name (a person is never found by IIN alone)."
    )


class NoSuchPerson(DomainError):
    code = "person_not_found"
    default_message = _("No person with this IIN in the registry: enter the person first.")
