"""KATO codes and the legal nesting of unit kinds: pure functions, no database.

The model (`AdminUnit.clean`), the admin and the KATO importer all validate through these
functions, so a bad code gets the same message wherever it is entered.
"""

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

# The kind a code's level implies when nothing else says (the KATO importer's default).
DEFAULT_KIND = {1: Kind.REGION, 2: Kind.DISTRICT, 3: Kind.RURAL_DISTRICT, 4: Kind.VILLAGE}

# Which parent kinds each kind may sit under (None: top level). The districts of a city of
# republican significance (Almaty, Astana, Shymkent) are districts too.
ALLOWED_PARENTS = {
    Kind.REGION: {None},
    Kind.CITY_REPUBLICAN: {None},
    Kind.DISTRICT: {Kind.REGION, Kind.CITY_REPUBLICAN},
    Kind.CITY_REGIONAL: {Kind.REGION},
    Kind.RURAL_DISTRICT: {Kind.DISTRICT, Kind.CITY_REGIONAL},
    Kind.TOWNSHIP: {Kind.DISTRICT, Kind.CITY_REGIONAL},
    Kind.CITY_DISTRICT: {Kind.DISTRICT},
    Kind.VILLAGE: {Kind.RURAL_DISTRICT, Kind.TOWNSHIP, Kind.CITY_DISTRICT},
}

# Digits significant at each level: AB, ABCD, ABCDEF, ABCDEFHIJ.
PREFIX_LENGTH = {1: 2, 2: 4, 3: 6, 4: 9}

_LABELS = dict(Kind.CHOICES)


def kind_label(kind):
    """The translated name of a kind (the raw value when unknown)."""
    return _LABELS.get(kind, kind)


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


def parent_code(code):
    """The code of the unit one level up that the code's prefix names (None for a level-1 code)."""
    level = level_of_code(code)
    if level == 1:
        return None
    keep = PREFIX_LENGTH[level - 1]
    return code[:keep] + "0" * (9 - keep)


def nesting_errors_by_field(code, kind, parent_code=None, parent_kind=None):
    """Errors in how a unit of `kind` with `code` sits under its parent, as {field: [messages]}.

    `parent` collects errors of the parent's kind (a village under a region); `kato` collects
    errors of the code (its level, its prefix against the parent's).
    """
    errors = {}
    allowed = ALLOWED_PARENTS[kind]
    if parent_kind not in allowed:
        names = ", ".join(sorted(str(kind_label(k)) for k in allowed if k))
        if parent_kind is None:
            message = _("A %(kind)s must have a parent unit (one of: %(kinds)s).") % {
                "kind": kind_label(kind),
                "kinds": names,
            }
        elif None in allowed:
            message = _("A %(kind)s is top level and cannot have a parent unit.") % {"kind": kind_label(kind)}
        else:
            message = _("A %(kind)s cannot sit under a %(parent)s: its parent unit must be one of: %(kinds)s.") % {
                "kind": kind_label(kind),
                "parent": kind_label(parent_kind),
                "kinds": names,
            }
        errors["parent"] = [message]
        return errors
    if kato_errors(code):
        return errors
    level = LEVEL[kind]
    if level_of_code(code) != level:
        errors.setdefault("kato", []).append(
            _(
                "The KATO code %(code)s does not match the level of a %(kind)s: digits after "
                "position %(n)s must be zeros, and the last significant part must not be."
            )
            % {"code": code, "kind": kind_label(kind), "n": PREFIX_LENGTH[level]}
        )
    if parent_code is not None and parent_kind is not None:
        parent_prefix = significant_prefix(parent_code, LEVEL[parent_kind])
        if not code.startswith(parent_prefix):
            errors.setdefault("kato", []).append(
                _("The KATO code %(code)s must start with its parent unit's prefix %(prefix)s.")
                % {"code": code, "prefix": parent_prefix}
            )
    return errors


def nesting_errors(code, kind, parent_code=None, parent_kind=None):
    """The messages of `nesting_errors_by_field`, as one list."""
    by_field = nesting_errors_by_field(code, kind, parent_code, parent_kind)
    return [message for messages in by_field.values() for message in messages]
