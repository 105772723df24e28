"""Domain errors: every refused state change raises one, with a stable code and a message."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A rule of the domain refused an action. `code` is stable; `message` is for people."""

    code = "domain_error"
    default_message = _("The action is not allowed.")

    def __init__(self, message=None, *, code=None, details=None):
        self.message = message if message is not None else self.default_message
        if code is not None:
            self.code = code
        self.details = details or {}
        super().__init__(str(self.message))

    def __str__(self):
        return str(self.message)


class InvalidTransition(DomainError):
    code = "invalid_transition"
    default_message = _("This action is not allowed in the current state.")


class OutOfScope(DomainError):
    code = "out_of_scope"
    default_message = _("This object is outside your territory.")


class DeadlinePassed(DomainError):
    code = "deadline_passed"
    default_message = _("The deadline for this action has passed.")


class NotPermitted(DomainError):
    code = "not_permitted"
    default_message = _("Your role does not allow this action.")
