"""Text a person typed, checked before it is stored: PostgreSQL refuses a NUL character (\\0) in
text and JSON, so one reaching the database would be a server error instead of a clear message."""

from django.utils.translation import gettext_lazy as _

from .errors import DomainError


class TextNotStorable(DomainError):
    code = "text_has_nul"
    default_message = _("The text contains a NUL character (\\0), which cannot be stored: remove it.")


def check_storable(value, field=""):
    """Raise TextNotStorable (naming `field`) when `value` is text holding a NUL character."""
    if isinstance(value, str) and "\x00" in value:
        raise TextNotStorable(
            _("%(field)s contains a NUL character (\\0), which cannot be stored: remove it.") % {"field": field}
            if field
            else None,
            details={"field": field},
        )
    return value
