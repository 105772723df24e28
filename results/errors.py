"""Domain errors of results entry, each with a stable code (the controls have their own codes)."""

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, InvalidTransition, NotPermitted
from core.reasons import ReasonTooLong  # noqa: F401  (one error for every reason; results' callers import it here)


class StaleForm(DomainError):
    code = "stale_form"
    default_message = _(
        "Someone changed this protocol after you opened the form. Reload the page to see its current state."
    )


class ProtocolCertified(InvalidTransition):
    code = "protocol_certified"
    default_message = _("This protocol is certified and locked. Only a territorial commission can reopen it.")


class EntryNotOpen(InvalidTransition):
    code = "entry_not_open"
    default_message = _("No entry can be made now: the protocol is %(state)s.")


class EntryTakenByOther(DomainError):
    code = "entry_taken_by_other"
    default_message = _("Another clerk is entering this protocol now.")


class SameClerk(NotPermitted):
    code = "second_entry_same_clerk"
    default_message = _("The second entry must be made by a different clerk than the first.")


class ControlsFailed(DomainError):
    """The values fail controls. `details["report"]` holds the controls' Report."""

    code = "controls_failed"
    default_message = _("The protocol has errors: correct the fields marked below.")


class WarningsNotAcknowledged(DomainError):
    code = "warnings_not_acknowledged"
    default_message = _("Confirm each warning and explain it before finishing the entry.")


class ReasonRequired(DomainError):
    code = "reason_required"
    default_message = _("A reason is required for this action.")


class NoSuchEntry(DomainError):
    code = "no_such_entry"
    default_message = _("There is no such entry to keep.")


class CandidatesNotFinal(DomainError):
    code = "candidates_not_final"
    default_message = _("Protocols are created only once the contest's candidates are final.")


class CertifierMayNotEnter(NotPermitted):
    code = "certifier_may_not_enter"
    default_message = _(
        "You may certify this protocol, so you may not enter it: entry is for the precinct commission's clerks."
    )


class ResolverMadeAnEntry(NotPermitted):
    code = "resolver_made_an_entry"
    default_message = _(
        "You made one of the two entries of this protocol, so you may not resolve it: "
        "the two entries and the resolution come from three different people."
    )


class AttachmentEmpty(DomainError):
    code = "attachment_empty"
    default_message = _("The file is empty.")


class AttachmentTooLarge(DomainError):
    code = "attachment_too_large"
    default_message = _("The file is too large.")


class AttachmentTypeNotAllowed(DomainError):
    code = "attachment_type_not_allowed"
    default_message = _("Only a photograph (JPEG or PNG) or a PDF of the signed protocol can be attached.")


class AttachmentNameInvalid(DomainError):
    code = "attachment_name_invalid"
    default_message = _("The file name is not acceptable: rename the file and retry.")


class AttachmentNotPermitted(NotPermitted):
    code = "attachment_not_permitted"
    default_message = _(
        "Only a member of the precinct commission that counted this protocol can attach its signed paper."
    )


class AttachmentProtocolCertified(ProtocolCertified):
    code = "attachment_protocol_certified"
    default_message = _(
        "This protocol is certified: nothing can be attached to it any more. "
        "Only a territorial commission can reopen it."
    )
