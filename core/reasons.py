"""Free text people give with a decision (reasons, notes, explanations): one limit for all of it.

Every such text ends up in the audit trail, which can never be cleaned: a reason of megabytes
would stay forever. `clean_reason` is what services call on what they are given (and
`core.audit.record` calls it again on whatever reaches the trail), so every path refuses the same
way, with a DomainError naming the limit and the length given; forms use MAX_REASON_LENGTH as
their `max_length`.
"""

from django.utils.translation import gettext_lazy as _

from .errors import DomainError
from .text import check_storable

MAX_REASON_LENGTH = 2000


class ReasonTooLong(DomainError):
    code = "reason_too_long"
    default_message = _("The reason is too long.")


def check_reason(text, *, field="reason", label=None):
    """Raise ReasonTooLong, or core.text.TextNotStorable (a NUL, named by `label`), for `text` as it
    would be stored."""
    if not text:
        return
    check_storable(text, label if label is not None else _("The reason"))
    if len(text) > MAX_REASON_LENGTH:
        raise ReasonTooLong(
            _("The reason is %(length)d characters long; at most %(limit)d are allowed.")
            % {"length": len(text), "limit": MAX_REASON_LENGTH},
            details={"field": field, "length": len(text), "limit": MAX_REASON_LENGTH},
        )


def clean_reason(value, *, field="reason", label=None):
    """`value` stripped ("" for anything that is not text), or ReasonTooLong / TextNotStorable."""
    text = value.strip() if isinstance(value, str) else ""
    check_reason(text, field=field, label=label)
    return text
