"""KATO codes and the legal nesting of unit kinds: pure functions, no database."""

from django.utils.translation import gettext_lazy as _


class Kind:
    REGION = "region"
    CITY_REPUBLICAN = "city_republican"
    DISTRICT = "district"
    CITY_REGIONAL = "city_regional"
    RURAL_DISTRICT = "rural_district"
    TOWNSHIP = "township"
    CITY_DISTRICT = "city_district"
    VILLAGE = "village"

    CHOICES = [
        (REGION, _("region")),
        (CITY_REPUBLICAN, _("city of republican significance")),
        (DISTRICT, _("district")),
        (CITY_REGIONAL, _("city of regional significance")),
        (RURAL_DISTRICT, _("rural district")),
        (TOWNSHIP, _("township")),
        (CITY_DISTRICT, _("city of district significance")),
        (VILLAGE, _("village")),
    ]


# Level in the KATO code: 1 = AB, 2 = CD, 3 = EF, 4 = HIJ.
LEVEL = {
    Kind.REGION: 1,
    Kind.CITY_REPUBLICAN: 1,
    Kind.DISTRICT: 2,
    Kind.CITY_REGIONAL: 2,
    Kind.RURAL_DISTRICT: 3,
    Kind.TOWNSHIP: 3,
    Kind.CITY_DISTRICT: 3,
    Kind.VILLAGE: 4,
}

# Which parent kinds each kind may sit under (None: top level).
ALLOWED_PARENTS = {
    Kind.REGION: {None},
    Kind.CITY_REPUBLICAN: {None},
    Kind.DISTRICT: {Kind.REGION},
    Kind.CITY_REGIONAL: {Kind.REGION},
    Kind.RURAL_DISTRICT: {Kind.DISTRICT, Kind.CITY_REGIONAL},
    Kind.TOWNSHIP: {Kind.DISTRICT, Kind.CITY_REGIONAL},
    Kind.CITY_DISTRICT: {Kind.DISTRICT},
    Kind.VILLAGE: {Kind.RURAL_DISTRICT, Kind.TOWNSHIP, Kind.CITY_DISTRICT},
}

# Digits significant at each level: AB, ABCD, ABCDEF, ABCDEFHIJ.
PREFIX_LENGTH = {1: 2, 2: 4, 3: 6, 4: 9}


def kato_errors(code):
    """Errors of the code's form alone (list of messages; empty when well-formed)."""
    if not isinstance(code, str) or len(code) != 9:
        return [_("A KATO code has exactly 9 digits.")]
    if not code.isascii() or not code.isdigit():
        return [_("A KATO code has digits only.")]
    if code[:2] == "00":
        return [_("The region part (the first two digits) of a KATO code cannot be 00.")]
    return []


def level_of_code(code):
    """The level the code's trailing zeros say it is at (1 to 4)."""
    if code[2:] == "0000000":
        return 1
    if code[4:] == "00000":
        return 2
    if code[6:] == "000":
        return 3
    return 4


def significant_prefix(code, level):
    return code[: PREFIX_LENGTH[level]]


def nesting_errors(code, kind, parent_code=None, parent_kind=None):
    """Errors in how a unit of `kind` with `code` sits under its parent (list of messages)."""
    errors = []
    allowed = ALLOWED_PARENTS[kind]
    if parent_kind not in allowed:
        if parent_kind is None:
            errors.append(
                _("A unit of this kind must have a parent (one of: %(kinds)s).")
                % {"kinds": ", ".join(sorted(k for k in allowed if k))}
            )
        elif None in allowed:
            errors.append(_("A unit of this kind is top level and cannot have a parent."))
        else:
            errors.append(_("A %(kind)s cannot sit under a %(parent)s.") % {"kind": kind, "parent": parent_kind})
        return errors
    level = LEVEL[kind]
    if kato_errors(code):
        return errors
    if level_of_code(code) != level:
        errors.append(
            _(
                "The KATO code %(code)s does not match the level of a %(kind)s: digits after "
                "position %(n)s must be zeros, and the last significant part must not be."
            )
            % {"code": code, "kind": kind, "n": PREFIX_LENGTH[level]}
        )
    if parent_code is not None and parent_kind is not None:
        parent_prefix = significant_prefix(parent_code, LEVEL[parent_kind])
        if not code.startswith(parent_prefix):
            errors.append(
                _("The KATO code %(code)s must start with its parent's prefix %(prefix)s.")
                % {"code": code, "prefix": parent_prefix}
            )
    return errors
