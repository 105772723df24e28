"""The IIN (individual identification number): validation, birth date and sex, masking. Pure functions."""

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

MALE = "M"
FEMALE = "F"

WEIGHTS_1 = tuple(range(1, 12))
WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)

# Century-and-sex digit (7th): century start, sex.
CENTURY_SEX = {
    1: (1800, MALE),
    2: (1800, FEMALE),
    3: (1900, MALE),
    4: (1900, FEMALE),
    5: (2000, MALE),
    6: (2000, FEMALE),
}


@dataclass(frozen=True)
class IinError:
    code: str
    message: str
    details: dict = field(default_factory=dict)


def check_digit(first_eleven):
    """The check digit for 11 digits, or None if this prefix is never issued (both sums give 10)."""
    digits = [int(c) for c in first_eleven]
    s = sum(d * w for d, w in zip(digits, WEIGHTS_1, strict=True)) % 11
    if s == 10:
        s = sum(d * w for d, w in zip(digits, WEIGHTS_2, strict=True)) % 11
        if s == 10:
            return None
    return s


def _birth_date(value):
    century, _sex = CENTURY_SEX[int(value[6])]
    return datetime.date(century + int(value[0:2]), int(value[2:4]), int(value[4:6]))


def iin_errors(value):
    """Every reason `value` is not a valid IIN (an empty list when it is valid)."""
    if not isinstance(value, str):
        return [IinError("iin_type", _("An IIN is a string of 12 digits."))]
    if len(value) != 12:
        return [
            IinError(
                "iin_length", _("An IIN has exactly 12 digits, not %(n)d.") % {"n": len(value)}, {"length": len(value)}
            )
        ]
    if not (value.isascii() and value.isdigit()):
        return [IinError("iin_not_digits", _("An IIN has digits only."))]
    errors = []
    if int(value[6]) not in CENTURY_SEX:
        errors.append(
            IinError(
                "iin_century_digit",
                _("The 7th digit of an IIN (century and sex) must be 1 to 6, not %(d)s.") % {"d": value[6]},
                {"digit": value[6]},
            )
        )
    else:
        try:
            _birth_date(value)
        except ValueError:
            errors.append(
                IinError(
                    "iin_date",
                    _("The first six digits of the IIN (%(d)s) are not a real date.") % {"d": value[:6]},
                    {"yymmdd": value[:6]},
                )
            )
    expected = check_digit(value[:11])
    if expected is None:
        errors.append(IinError("iin_not_issuable", _("No IIN is issued with these first 11 digits.")))
    elif expected != int(value[11]):
        errors.append(
            IinError(
                "iin_check_digit",
                _("The IIN's check digit is wrong (expected %(expected)d, found %(found)s).")
                % {"expected": expected, "found": value[11]},
                {"expected": expected, "found": int(value[11])},
            )
        )
    return errors


def is_valid(value):
    return not iin_errors(value)


def birth_date_and_sex(value):
    """(birth date, "M" or "F") of a valid IIN; ValueError if it is not valid."""
    errors = iin_errors(value)
    if errors:
        raise ValueError("; ".join(str(e.message) for e in errors))
    return _birth_date(value), CENTURY_SEX[int(value[6])][1]


def century_sex_digit(birth_date, sex):
    base = (birth_date.year // 100) * 100
    for digit, (century, digit_sex) in CENTURY_SEX.items():
        if century == base and digit_sex == sex:
            return digit
    raise ValueError(f"no IIN century digit for {birth_date.year} and {sex}")


def build_iin(birth_date, sex, serial):
    """A valid IIN for a birth date, a sex and a serial number (0-9999); ValueError if that serial is
    never issued (pick the next one). Used by the demo and the tests."""
    prefix = f"{birth_date:%y%m%d}{century_sex_digit(birth_date, sex)}{serial:04d}"
    digit = check_digit(prefix)
    if digit is None:
        raise ValueError("this serial is never issued")
    return f"{prefix}{digit}"


def build_next_iin(birth_date, sex, serial):
    """Like `build_iin`, trying the following serials until one is issuable: returns (iin, serial used)."""
    for candidate in range(serial, serial + 10):
        try:
            return build_iin(birth_date, sex, candidate % 10000), candidate
        except ValueError:
            continue
    raise ValueError("no issuable serial")  # pragma: no cover - at most one in 11 prefixes fails


def mask(value):
    """The IIN as shown in lists: the first two and last two digits, the rest hidden."""
    if not value:
        return ""
    if len(value) < 6:
        return "*" * len(value)
    return f"{value[:2]}{'*' * (len(value) - 4)}{value[-2:]}"
