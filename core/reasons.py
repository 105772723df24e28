"""Free text people give with a decision (reasons, notes, explanations): one limit for all of it.

Every such text ends up in the audit trail, which can never be cleaned: a reason of megabytes
would stay forever. `clean_reason` is what services call on what they are given (and
`core.audit.record` calls it again on whatever reaches the trail), so every path refuses the same
way, with a DomainError naming the limit and the length given; forms use MAX_REASON_LENGTH as
their `max_length`.
"""

from django.utils.translation import gettext_lazy as _

from .errors import DomainError

MAX_REASON_LENGTH = 2000


class ReasonTooLong(DomainError):
    code = "reason_too_long"
    default_message = _("The reason is too long.")


class ReasonInvalid(DomainError):
    code = "reason_invalid"
    default_message = _("The reason contains a character that cannot be stored (NUL).")


def check_reason(text, *, field="reason"):
    """Raise ReasonTooLong or ReasonInvalid for `text` as it would be stored."""
    if not text:
        return
    if "\x00" in text:
        raise ReasonInvalid(details={"field": field})
    if len(text) > MAX_REASON_LENGTH:
        raise ReasonTooLong(
            _("The reason is %(length)d characters long; at most %(limit)d are allowed.")
            % {"length": len(text), "limit": MAX_REASON_LENGTH},
            details={"field": field, "length": len(text), "limit": MAX_REASON_LENGTH},
        )


def clean_reason(value, *, field="reason"):
    """`value` stripped ("" for anything that is not text), or ReasonTooLong / ReasonInvalid."""
    text = value.strip() if isinstance(value, str) else ""
    check_reason(text, field=field)
    return text
