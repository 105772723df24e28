"""The catalogue of protocol controls: pure functions with stable codes, errors and warnings.

Input is whatever a clerk (or a forged request) sent: a mapping of figure names to raw values
plus `votes`, a mapping of candidacy id to raw value. `run_controls` never raises: any input,
however malformed (None, text, floats, huge numbers, nested junk), yields a `Report` whose
results each carry a stable `code`, a `severity`, a message with the numbers and the `fields`
(paths such as "issued_mobile" or "votes.17") they concern.

Errors stop an entry from being finished; warnings must each be acknowledged with an
explanation. Warning thresholds come from `Thresholds` (defaults from settings
`RESULTS_SUSPICIOUS_TURNOUT_SHARE` and `RESULTS_INVALID_SHARE_WARNING`, overridable per election
by attributes of the same meaning when the registry grows them; see `thresholds_for`).
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.numbers import percent

ERROR = "error"
WARNING = "warning"

# The largest figure a precinct protocol may hold (a bound against typos and overflow).
MAX_FIGURE = 10_000_000

# (field name, paper code, label): the order of the paper protocol.
FIGURES = (
    ("voters", "V", _("Voters on the list")),
    ("ballots_received", "R", _("Ballots received by the commission")),
    ("issued_station", "Is", _("Ballots issued at the polling station")),
    ("issued_mobile", "Im", _("Ballots issued for voting outside the station")),
    ("spoiled", "S", _("Spoiled ballots")),
    ("unused", "U", _("Unused ballots, cancelled")),
    ("found_stationary", "Fs", _("Ballots found in stationary boxes")),
    ("found_mobile", "Fm", _("Ballots found in mobile boxes")),
    ("invalid", "N", _("Invalid ballots")),
)
AGAINST_ALL = ("against_all", "A", _("Votes 'against all'"))
FIGURE_NAMES = tuple(name for name, _code, _label in FIGURES)
PAPER_CODE = {name: code for name, code, _label in (*FIGURES, AGAINST_ALL)}

# code -> (severity, message template). Codes are stable: clients and tests rely on them.
CATALOGUE = {
    # Form of the input.
    "protocol.malformed": (ERROR, _("The protocol could not be read: it is not a set of figures.")),
    "figure.missing": (ERROR, _("%(label)s (%(paper)s) is empty: enter a number, 0 if none.")),
    "figure.not_integer": (ERROR, _("%(label)s (%(paper)s) must be a whole number, not “%(value)s”.")),
    "figure.negative": (ERROR, _("%(label)s (%(paper)s) cannot be negative (%(value)s).")),
    "figure.too_large": (
        ERROR,
        _("%(label)s (%(paper)s) is larger than %(max)s: check the number (“%(value)s”)."),
    ),
    "against_all.not_on_ballot": (
        ERROR,
        _("This election has no 'against all' line; the figure “%(value)s” cannot be entered."),
    ),
    "votes.malformed": (ERROR, _("The candidates' votes could not be read.")),
    "candidate.unknown": (
        ERROR,
        _("“%(key)s” is not a candidate registered in this contest; no count can be entered for it."),
    ),
    "candidate.missing": (ERROR, _("The count for candidate %(name)s is missing: enter a number, 0 if none.")),
    # Arithmetic relations (docs/DOMAIN.md, "The protocol").
    "ballots.balance": (
        ERROR,
        _(
            "Ballots received R = %(R)s must equal Is + Im + S + U = %(Is)s + %(Im)s + %(S)s + %(U)s"
            " = %(sum)s (difference %(diff)s)."
        ),
    ),
    "issued.exceeds_voters": (
        ERROR,
        _("Ballots issued Is + Im = %(Is)s + %(Im)s = %(sum)s exceed the voters on the list V = %(V)s."),
    ),
    "mobile.found_exceeds_issued": (
        ERROR,
        _("Ballots found in mobile boxes Fm = %(Fm)s exceed those issued for mobile voting Im = %(Im)s."),
    ),
    "found.exceeds_issued": (
        ERROR,
        _(
            "Ballots found Fs + Fm = %(Fs)s + %(Fm)s = %(found)s exceed those issued"
            " Is + Im = %(Is)s + %(Im)s = %(issued)s."
        ),
    ),
    "found.not_counted": (
        ERROR,
        _(
            "Ballots found Fs + Fm = %(found)s must equal invalid + candidates' votes + against all"
            " = %(N)s + %(votes)s + %(A)s = %(counted)s (difference %(diff)s)."
        ),
    ),
    # Warnings: plausible but unusual; the clerk confirms each with an explanation.
    "found.below_issued": (
        WARNING,
        _("Fewer ballots were found (Fs + Fm = %(found)s) than issued (Is + Im = %(issued)s): %(missing)s missing."),
    ),
    "turnout.suspicious": (
        WARNING,
        _("Turnout %(turnout)s%% is above %(threshold)s%% of the list (Is + Im = %(issued)s, V = %(V)s)."),
    ),
    "votes.all_zero": (WARNING, _("Every candidate has 0 votes.")),
    "votes.single_candidate": (
        WARNING,
        _("Candidate %(name)s received every valid vote (%(votes)s); all others have 0."),
    ),
    "invalid.high_share": (
        WARNING,
        _("Invalid ballots N = %(N)s are %(share)s%% of the ballots found (%(found)s), above %(threshold)s%%."),
    ),
}

_INTEGER = re.compile(r"[+-]?[0-9]+", re.ASCII)


@dataclass(frozen=True)
class ControlResult:
    code: str
    severity: str
    message: str
    fields: tuple
    params: dict = field(default_factory=dict, compare=False)

    @property
    def is_error(self):
        return self.severity == ERROR

    def as_dict(self):
        return {"code": self.code, "severity": self.severity, "message": self.message, "fields": list(self.fields)}


@dataclass(frozen=True)
class Thresholds:
    """Shares (0..1) above which a warning is raised."""

    suspicious_turnout: Fraction = Fraction(95, 100)
    invalid_share: Fraction = Fraction(10, 100)


@dataclass
class Report:
    results: list
    clean: dict  # figure name -> int (valid ones only); "votes": {candidacy id: int}

    @property
    def errors(self):
        return [r for r in self.results if r.severity == ERROR]

    @property
    def warnings(self):
        return [r for r in self.results if r.severity == WARNING]

    @property
    def ok(self):
        return not self.errors

    def codes(self):
        return [r.code for r in self.results]

    def by_field(self):
        """field path -> results concerning it (a result with several fields appears under each)."""
        out = {}
        for result in self.results:
            for path in result.fields or ("",):
                out.setdefault(path, []).append(result)
        return out


def _share(value, default):
    try:
        share = Fraction(Decimal(str(value)))
    except (InvalidOperation, ValueError, TypeError):
        return default
    return share if 0 <= share <= 1 else default


def default_thresholds():
    """Thresholds from settings (shares, e.g. 0.95), falling back to 95% turnout and 10% invalid."""
    base = Thresholds()
    return Thresholds(
        suspicious_turnout=_share(
            getattr(settings, "RESULTS_SUSPICIOUS_TURNOUT_SHARE", base.suspicious_turnout), base.suspicious_turnout
        ),
        invalid_share=_share(
            getattr(settings, "RESULTS_INVALID_SHARE_WARNING", base.invalid_share), base.invalid_share
        ),
    )


def thresholds_for(election):
    """The election's thresholds where it defines them (percent fields), else the settings defaults."""
    base = default_thresholds()
    turnout = getattr(election, "suspicious_turnout_percent", None)
    invalid = getattr(election, "invalid_share_warning_percent", None)
    return Thresholds(
        suspicious_turnout=_share(Decimal(str(turnout)) / 100, base.suspicious_turnout)
        if turnout is not None
        else base.suspicious_turnout,
        invalid_share=_share(Decimal(str(invalid)) / 100, base.invalid_share)
        if invalid is not None
        else base.invalid_share,
    )


def control_result(code, fields, **params):
    """The ControlResult of catalogue entry `code` on the form's `fields`, its message filled with `params`."""
    severity, template = CATALOGUE[code]
    return ControlResult(code, severity, gettext(str(template)) % params, tuple(fields), params)


def _label(name):
    for fname, paper, label in (*FIGURES, AGAINST_ALL):
        if fname == name:
            return {"label": gettext(str(label)), "paper": paper}
    return {"label": name, "paper": name}


def _show(raw):
    text = repr(raw) if not isinstance(raw, str) else raw
    return text if len(text) <= 24 else text[:21] + "..."


def parse_figure(raw):
    """(int, None) for a valid figure, else (None, code). Accepts ints and decimal-digit strings only."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, "figure.missing"
    if isinstance(raw, bool):
        return None, "figure.not_integer"
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str):
        text = raw.strip().replace("\u00a0", "").replace(" ", "")
        if not _INTEGER.fullmatch(text):
            return None, "figure.not_integer"
        digits = text.lstrip("+-").lstrip("0")
        if len(digits) > 12:  # far beyond MAX_FIGURE; never hand Python a 5,000-digit int
            return None, ("figure.negative" if text.startswith("-") else "figure.too_large")
        value = int(text)
    else:
        return None, "figure.not_integer"
    if value < 0:
        return None, "figure.negative"
    if value > MAX_FIGURE:
        return None, "figure.too_large"
    return value, None


def _figure_result(name, path, raw, code):
    params = {**_label(name), "value": _show(raw), "max": f"{MAX_FIGURE:,}".replace(",", " ")}
    return control_result(code, [path], **params)


def _candidate_key(key):
    """A candidacy key as int, or None when it cannot be one."""
    if isinstance(key, bool):
        return None
    if isinstance(key, int):
        return key
    if isinstance(key, str) and _INTEGER.fullmatch(key.strip()) and len(key.strip()) < 19:
        return int(key.strip())
    return None


def parse(values, *, candidacies, against_all):
    """Read raw values into ints: (clean, results). `candidacies` maps candidacy id -> display name."""
    results, clean = [], {}
    if not isinstance(values, dict):
        return {}, [control_result("protocol.malformed", [])]
    for name in FIGURE_NAMES:
        value, code = parse_figure(values.get(name))
        if code:
            results.append(_figure_result(name, name, values.get(name), code))
        else:
            clean[name] = value
    raw_a = values.get("against_all")
    if against_all:
        value, code = parse_figure(raw_a)
        if code:
            results.append(_figure_result("against_all", "against_all", raw_a, code))
        else:
            clean["against_all"] = value
    elif raw_a is not None and not (isinstance(raw_a, str) and not raw_a.strip()):
        results.append(control_result("against_all.not_on_ballot", ["against_all"], value=_show(raw_a)))

    votes_raw = values.get("votes", {})
    votes = {}
    if votes_raw is None:
        votes_raw = {}
    if not isinstance(votes_raw, dict):
        results.append(control_result("votes.malformed", ["votes"]))
        votes_raw = {}
    seen = set()
    for key, raw in votes_raw.items():
        cid = _candidate_key(key)
        if cid is None or cid not in candidacies:
            results.append(control_result("candidate.unknown", [f"votes.{_show(str(key))}"], key=_show(str(key))))
            continue
        seen.add(cid)
        path = f"votes.{cid}"
        value, code = parse_figure(raw)
        if code == "figure.missing":
            results.append(control_result("candidate.missing", [path], name=candidacies[cid]))
        elif code:
            results.append(
                control_result(code, [path], label=candidacies[cid], paper=path, value=_show(raw), max=MAX_FIGURE)
            )
        else:
            votes[cid] = value
    for cid in candidacies:
        if cid not in seen:
            results.append(control_result("candidate.missing", [f"votes.{cid}"], name=candidacies[cid]))
    clean["votes"] = votes
    return clean, results


def _have(clean, *names):
    return all(name in clean for name in names)


def check_ballots_balance(c):
    if not _have(c, "ballots_received", "issued_station", "issued_mobile", "spoiled", "unused"):
        return None
    total = c["issued_station"] + c["issued_mobile"] + c["spoiled"] + c["unused"]
    if c["ballots_received"] != total:
        return control_result(
            "ballots.balance",
            ["ballots_received", "issued_station", "issued_mobile", "spoiled", "unused"],
            R=c["ballots_received"],
            Is=c["issued_station"],
            Im=c["issued_mobile"],
            S=c["spoiled"],
            U=c["unused"],
            sum=total,
            diff=c["ballots_received"] - total,
        )
    return None


def check_issued_within_voters(c):
    if not _have(c, "voters", "issued_station", "issued_mobile"):
        return None
    issued = c["issued_station"] + c["issued_mobile"]
    if issued > c["voters"]:
        return control_result(
            "issued.exceeds_voters",
            ["issued_station", "issued_mobile", "voters"],
            Is=c["issued_station"],
            Im=c["issued_mobile"],
            sum=issued,
            V=c["voters"],
        )
    return None


def check_mobile_found(c):
    if not _have(c, "found_mobile", "issued_mobile"):
        return None
    if c["found_mobile"] > c["issued_mobile"]:
        return control_result(
            "mobile.found_exceeds_issued",
            ["found_mobile", "issued_mobile"],
            Fm=c["found_mobile"],
            Im=c["issued_mobile"],
        )
    return None


def _found_issued(c):
    return c["found_stationary"] + c["found_mobile"], c["issued_station"] + c["issued_mobile"]


def check_found_within_issued(c):
    if not _have(c, "found_stationary", "found_mobile", "issued_station", "issued_mobile"):
        return None
    found, issued = _found_issued(c)
    if found > issued:
        return control_result(
            "found.exceeds_issued",
            ["found_stationary", "found_mobile", "issued_station", "issued_mobile"],
            Fs=c["found_stationary"],
            Fm=c["found_mobile"],
            found=found,
            Is=c["issued_station"],
            Im=c["issued_mobile"],
            issued=issued,
        )
    return None


def check_found_counted(c, *, candidacies, against_all):
    names = ["found_stationary", "found_mobile", "invalid"] + (["against_all"] if against_all else [])
    if not _have(c, *names) or set(c["votes"]) != set(candidacies):
        return None
    found = c["found_stationary"] + c["found_mobile"]
    votes = sum(c["votes"].values())
    a = c.get("against_all", 0) if against_all else 0
    counted = c["invalid"] + votes + a
    if found != counted:
        return control_result(
            "found.not_counted",
            [*names, *(f"votes.{cid}" for cid in candidacies)],
            found=found,
            N=c["invalid"],
            votes=votes,
            A=a,
            counted=counted,
            diff=found - counted,
        )
    return None


def _pct(fraction):
    """A share (Fraction) as the percentage shown in messages: core.numbers.percent, 2 places."""
    return str(percent(fraction.numerator, fraction.denominator))


def warn_found_below_issued(c):
    if not _have(c, "found_stationary", "found_mobile", "issued_station", "issued_mobile"):
        return None
    found, issued = _found_issued(c)
    if found < issued:
        return control_result(
            "found.below_issued",
            ["found_stationary", "found_mobile", "issued_station", "issued_mobile"],
            found=found,
            issued=issued,
            missing=issued - found,
        )
    return None


def warn_turnout(c, thresholds):
    if not _have(c, "voters", "issued_station", "issued_mobile") or c["voters"] == 0:
        return None
    issued = c["issued_station"] + c["issued_mobile"]
    share = Fraction(issued, c["voters"])
    if thresholds.suspicious_turnout < share <= 1:
        return control_result(
            "turnout.suspicious",
            ["issued_station", "issued_mobile", "voters"],
            turnout=_pct(share),
            threshold=_pct(thresholds.suspicious_turnout),
            issued=issued,
            V=c["voters"],
        )
    return None


def warn_votes(c, candidacies):
    votes = c.get("votes", {})
    if not candidacies or set(votes) != set(candidacies):
        return None
    paths = [f"votes.{cid}" for cid in candidacies]
    if all(v == 0 for v in votes.values()):
        return control_result("votes.all_zero", paths)
    nonzero = [cid for cid, v in votes.items() if v]
    if len(candidacies) >= 2 and len(nonzero) == 1:
        cid = nonzero[0]
        return control_result("votes.single_candidate", paths, name=candidacies[cid], votes=votes[cid])
    return None


def warn_invalid_share(c, thresholds):
    if not _have(c, "invalid", "found_stationary", "found_mobile"):
        return None
    found = c["found_stationary"] + c["found_mobile"]
    if found == 0:
        return None
    share = Fraction(c["invalid"], found)
    if thresholds.invalid_share < share <= 1:
        return control_result(
            "invalid.high_share",
            ["invalid", "found_stationary", "found_mobile"],
            N=c["invalid"],
            share=_pct(share),
            found=found,
            threshold=_pct(thresholds.invalid_share),
        )
    return None


def arithmetic_errors(clean, *, candidacies, against_all=False):
    """The error controls over figures already read into ints (`parse`'s clean mapping, votes keyed by
    candidacy id): `run_controls` runs them after parsing; `results.fixtures` runs them on typed rows."""
    checks = (
        check_ballots_balance(clean),
        check_issued_within_voters(clean),
        check_mobile_found(clean),
        check_found_within_issued(clean),
        check_found_counted(clean, candidacies=candidacies, against_all=against_all),
    )
    return [r for r in checks if r is not None]


def run_controls(values, *, candidacies, against_all=False, thresholds=None):
    """Every control over one entry. `candidacies`: {candidacy id: name} of the registered candidates.

    Returns a Report; never raises for any `values`.
    """
    thresholds = thresholds or default_thresholds()
    candidacies = {int(k): str(v) for k, v in dict(candidacies).items()}
    clean, results = parse(values, candidacies=candidacies, against_all=against_all)
    if not isinstance(values, dict):
        return Report(results, clean)
    results.extend(arithmetic_errors(clean, candidacies=candidacies, against_all=against_all))
    checks = [
        warn_found_below_issued(clean),
        warn_turnout(clean, thresholds),
        warn_votes(clean, candidacies),
        warn_invalid_share(clean, thresholds),
    ]
    results.extend(r for r in checks if r is not None)
    return Report(results, clean)
