"""Text a person typed, checked before it is stored: PostgreSQL refuses a NUL character (\\0) in
text and JSON, so one reaching the database would be a server error instead of a clear message."""

import codecs
import re

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


# Files from Kazakh offices come in UTF-8 (with or without the BOM spreadsheet programs write) or in
# Windows-1251 (Cyrillic Windows); tried in this order when no encoding is named. Kazakh letters
# need UTF-8 or Windows-Kazakh (kz1048, which must be named: its bytes read as cp1251 too).
class UndecodableFile(DomainError):
    code = "bad_encoding"
    default_message = _("The file's encoding could not be read.")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode_text_file(data, encoding=None):
    """(text, encoding) of a file's bytes: in `encoding` when named, else UTF-8 (BOM or not), else
    Windows-1251 when that reads as text (no control characters: a UTF-16 or binary file does not).
    Raises UndecodableFile naming the encoding and the line of the first byte that does not fit."""
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise UndecodableFile(_("Unknown encoding “%(name)s”.") % {"name": encoding}) from None
        try:
            return data.decode(encoding).lstrip("\ufeff"), encoding
        except UnicodeDecodeError as error:
            raise _undecodable(data, error.start, encoding) from None
    try:
        return data.decode("utf-8-sig"), "utf-8-sig"
    except UnicodeDecodeError as error:
        utf8_error = error
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        raise _undecodable(data, utf8_error.start, "UTF-8 / cp1251") from None
    control = _CONTROL.search(text)
    if control is not None:
        raise _undecodable(data, utf8_error.start, "UTF-8 / cp1251")
    return text, "cp1251"


def _undecodable(data, position, encodings):
    line = data[:position].count(b"\n") + 1
    return UndecodableFile(
        _(
            "Line %(line)d: byte %(byte)s cannot be read as %(encodings)s. "
            "Save the file as UTF-8, or name its encoding (e.g. --encoding cp1251)."
        )
        % {"line": line, "byte": f"0x{data[position]:02x}", "encodings": encodings},
        details={"line": line, "encoding": encodings},
    )
