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
    VILLAGE_ADMINISTRATION = "village_admin"
    SETTLEMENT_ADMINISTRATION = "settlement_admin"
    TOWNSHIP = "township"
    CITY_DISTRICT = "city_district"
    VILLAGE = "village"
    POINT = "point"

    CHOICES = [
        (REGION, _("region")),
        (CITY_REPUBLICAN, _("city of republican significance")),
        (DISTRICT, _("district")),
        (CITY_REGIONAL, _("city of regional significance")),
        (RURAL_DISTRICT, _("rural district")),
        (VILLAGE_ADMINISTRATION, _("village administration")),
        (SETTLEMENT_ADMINISTRATION, _("settlement administration")),
        (TOWNSHIP, _("township")),
        (CITY_DISTRICT, _("city of district significance")),
        (VILLAGE, _("village")),
        (POINT, _("point below a village")),
    ]


# A kind's place in the hierarchy: 1 region-like, 2 district-like (a TEC of a district sits at this
# level), 3 rural-district-like, 4 settlement, 5 a point below a settlement (winter pasture, shepherd
# house). It is not always the level the code's zeros show: the districts of Astana, Almaty and
# Shymkent have codes of the third level (71 11 10 000), a town directly under its district one of the
# fourth (11 38 20 100).
LEVEL = {
    Kind.REGION: 1,
    Kind.CITY_REPUBLICAN: 1,
    Kind.DISTRICT: 2,
    Kind.CITY_REGIONAL: 2,
    Kind.RURAL_DISTRICT: 3,
    Kind.VILLAGE_ADMINISTRATION: 3,
    Kind.SETTLEMENT_ADMINISTRATION: 3,
    Kind.TOWNSHIP: 3,
    Kind.CITY_DISTRICT: 3,
    Kind.VILLAGE: 4,
    Kind.POINT: 5,
}

# The kind a code's level implies when nothing else says (the KATO importer's default).
DEFAULT_KIND = {1: Kind.REGION, 2: Kind.DISTRICT, 3: Kind.RURAL_DISTRICT, 4: Kind.VILLAGE}

_THIRD_LEVEL_HOLDERS = {Kind.DISTRICT, Kind.CITY_REGIONAL}
_SETTLEMENT_HOLDERS = {
    Kind.RURAL_DISTRICT,
    Kind.VILLAGE_ADMINISTRATION,
    Kind.SETTLEMENT_ADMINISTRATION,
    Kind.TOWNSHIP,
    Kind.CITY_DISTRICT,
    Kind.CITY_REGIONAL,
}

# Which parent kinds each kind may sit under (None: top level): the nestings that occur in the
# published classifier. The districts of a city of republican significance (Almaty, Astana,
# Shymkent) are districts; towns of district significance and townships may sit directly under
# their district or city administration; villages also sit directly under a city administration
# ("Г.А."); points sit below villages.
ALLOWED_PARENTS = {
    Kind.REGION: {None},
    Kind.CITY_REPUBLICAN: {None},
    Kind.DISTRICT: {Kind.REGION, Kind.CITY_REPUBLICAN},
    Kind.CITY_REGIONAL: {Kind.REGION},
    Kind.RURAL_DISTRICT: _THIRD_LEVEL_HOLDERS,
    Kind.VILLAGE_ADMINISTRATION: _THIRD_LEVEL_HOLDERS,
    Kind.SETTLEMENT_ADMINISTRATION: _THIRD_LEVEL_HOLDERS,
    Kind.TOWNSHIP: _THIRD_LEVEL_HOLDERS,
    Kind.CITY_DISTRICT: _THIRD_LEVEL_HOLDERS,
    Kind.VILLAGE: _SETTLEMENT_HOLDERS,
    Kind.POINT: {Kind.VILLAGE},
}

# The levels of code (see `level_of_code`) each kind may have.
CODE_LEVELS = {
    Kind.REGION: {1},
    Kind.CITY_REPUBLICAN: {1},
    Kind.DISTRICT: {2, 3},
    Kind.CITY_REGIONAL: {2},
    Kind.RURAL_DISTRICT: {3},
    Kind.VILLAGE_ADMINISTRATION: {3},
    Kind.SETTLEMENT_ADMINISTRATION: {3},
    Kind.TOWNSHIP: {3, 4},
    Kind.CITY_DISTRICT: {3, 4},
    Kind.VILLAGE: {4},
    Kind.POINT: {4},
}

# Digits significant at each level: AB, ABCD, ABCDEF, ABCDEFHIJ.
PREFIX_LENGTH = {1: 2, 2: 4, 3: 6, 4: 9}

# The code's segments for finding a parent: AB CD EF H IJ (a point below a village differs from
# the village in IJ only: village 35 20 31 100, its point 35 20 31 101).
_SEGMENT_ENDS = (2, 4, 6, 7, 9)

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


def code_prefix(code):
    """The code without its trailing zero segments (AB CD EF H IJ): 352031100 -> 3520311, 710000000 -> 71."""
    trimmed = code.rstrip("0")
    return code[: next((end for end in _SEGMENT_ENDS if end >= len(trimmed)), 9)]


def ancestor_codes(code):
    """The codes that may hold `code`, nearest first: its trailing segments zeroed one at a time.

    352031101 -> 352031100 (a village, if the code is a point's), 352031000, 352000000, 350000000.
    """
    width = len(code_prefix(code))
    found = (code[:end] + "0" * (9 - end) for end in reversed(_SEGMENT_ENDS[:-1]) if end < width)
    return list(dict.fromkeys(found))


# Abbreviations and words of the published names that say a unit's kind, Russian and Kazakh; the
# longer ones are tried first ("г.а." before "г.").
_MARKERS = (
    (("г.а.", "қ.ә.", "городская администрация", "қалалық әкімдігі"), "city_administration"),
    (("с.а.", "сельская администрация", "ауылдық әкімдігі"), Kind.VILLAGE_ADMINISTRATION),
    (("п.а.", "поселковая администрация", "кенттік әкімдігі"), Kind.SETTLEMENT_ADMINISTRATION),
    (("с.о.", "а.о.", "сельский округ", "ауылдық округі", "ауылдық округ"), Kind.RURAL_DISTRICT),
    (("р-н", "район", "ауданы", "аудан"), Kind.DISTRICT),
    (("обл.", "область", "облысы"), Kind.REGION),
    (("г.", "город", "қ.", "қаласы", "қала"), "city"),
    (("п.", "пос.", "поселок", "посёлок", "кент", "кенті"), Kind.TOWNSHIP),
    (("с.", "село", "а.", "ауыл", "ауылы"), Kind.VILLAGE),
)


def _tokens(text):
    for mark in '(),;"«»':
        text = text.replace(mark, " ")
    return tuple(text.lower().replace("ё", "е").replace(".", ". ").split())


_MARKER_TOKENS = tuple((_tokens(word), marker) for words, marker in _MARKERS for word in words)


def _marker(name):
    """The first marker (by the order of `_MARKERS`) whose word or abbreviation the name contains."""
    tokens = _tokens(name or "")
    grams = {tokens[i : i + width] for width in (1, 2, 3) for i in range(len(tokens) - width + 1)}
    return next((marker for word, marker in _MARKER_TOKENS if word in grams), None)


def infer_kind(code, parent_kind, *names):
    """The kind of a unit from its code, its parent's kind and the abbreviations of its names."""
    marker = next((m for m in map(_marker, names) if m), None)
    level = level_of_code(code)
    if parent_kind == Kind.VILLAGE:
        return Kind.POINT
    if level == 1:
        return Kind.CITY_REPUBLICAN if marker in ("city", "city_administration") else Kind.REGION
    if level == 2:
        return Kind.CITY_REGIONAL if marker in ("city", "city_administration") else Kind.DISTRICT
    if parent_kind == Kind.CITY_REPUBLICAN:
        return Kind.DISTRICT
    holder = parent_kind in _THIRD_LEVEL_HOLDERS
    if marker in (Kind.VILLAGE_ADMINISTRATION, Kind.SETTLEMENT_ADMINISTRATION, Kind.RURAL_DISTRICT) and level == 3:
        return marker
    if marker in ("city", "city_administration") and (level == 3 or holder):
        return Kind.CITY_DISTRICT
    if marker == Kind.TOWNSHIP and (level == 3 or holder):
        return Kind.TOWNSHIP
    return DEFAULT_KIND[level]


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
    code_level = level_of_code(code)
    # Only the districts of Astana, Almaty and Shymkent have codes of the third level.
    if code_level not in CODE_LEVELS[kind] or (
        kind == Kind.DISTRICT and code_level == 3 and parent_kind != Kind.CITY_REPUBLICAN
    ):
        first = min(CODE_LEVELS[kind])
        errors.setdefault("kato", []).append(
            _(
                "The KATO code %(code)s does not match the level of a %(kind)s: digits after "
                "position %(n)s must be zeros, and the last significant part must not be."
            )
            % {"code": code, "kind": kind_label(kind), "n": PREFIX_LENGTH[first]}
        )
    elif kind == Kind.POINT and code.endswith("00"):
        errors.setdefault("kato", []).append(
            _("The KATO code %(code)s of a point below a village must not end in 00.") % {"code": code}
        )
    if parent_code is not None and parent_kind is not None and not kato_errors(parent_code):
        parent_prefix = code_prefix(parent_code)
        if not code.startswith(parent_prefix) or code == parent_code:
            errors.setdefault("kato", []).append(
                _("The KATO code %(code)s must start with its parent unit's prefix %(prefix)s.")
                % {"code": code, "prefix": parent_prefix}
            )
    return errors


def nesting_errors(code, kind, parent_code=None, parent_kind=None):
    """The messages of `nesting_errors_by_field`, as one list."""
    by_field = nesting_errors_by_field(code, kind, parent_code, parent_kind)
    return [message for messages in by_field.values() for message in messages]
