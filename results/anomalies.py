"""Statistical anomaly flags for auditors: pure rules over per-station figures (no database access).

A flag is a signal for an auditor to look at a polling station's protocol (or a contest's totals),
never a verdict: elections have honest outliers (a hospital station, a remote village that votes as
one), and every explanation says so. Each flag has a stable code, the figures that raised it
(`values`, JSON-ready: percentages and scores as text with 2 decimals, counts as integers) and an
explanation rendered in the reader's language when shown (`explain`), as registry.reasons does.

The figures of a station's protocol (results.models.Protocol): V voters, Is + Im ballots issued
(turnout = (Is + Im) / V), Fs + Fm ballots found, Fm found in mobile boxes, N invalid; valid =
found - invalid, as the result tables count them. The leader is the contest's candidate with the
most votes (the lowest candidacy id among equals); their share is of the station's valid ballots.

Stations are judged against the other stations of their district (`Station.district`):

- `turnout.outlier`, `leader_share.outlier`: robust z-score |z| >= Z_THRESHOLD (3.5, Iglewicz and
  Hoaglin's cut-off), z = (x - median) / (1.4826 x MAD), MAD the median absolute deviation of the
  district's values; when MAD is 0 (more than half the stations equal), the mean absolute deviation
  stands in (z = (x - median) / (1.2533 x MeanAD)); when that is 0 too, every value is the median and
  nothing is flagged. A district with fewer than MIN_STATIONS (5) stations having the figure is not
  judged.
- `invalid_share.high`, `mobile_share.high`: the same score, one-sided (z >= 3.5): shares of the
  ballots found that are invalid / found in mobile boxes, far above the district's.
- `turnout.near_full`: turnout at or above NEAR_FULL_PERCENT (99%, inclusive), for a station, and
  for a contest's totals (`contest_flags`; no station).
- `turnout.integer_peak`, `leader_share.integer_peak` (Kobak, Shpilkin and Pshenichnikov 2016):
  a station "sits on a round percentage" when its percentage is within ROUND_WINDOW (±0.005 pp) of a
  whole number, i.e. shows as NN.00. Under honest counting the chance of that for a station whose
  denominator is n is the share of the numerators 0..n that would sit on one (`round_chance`: high
  for n = 500, where 5 voters make 1%, low for n = 643). A district's expected number of round
  stations is the sum of those chances; its observed number is significant when the Poisson
  probability of as many or more is at most PEAK_ALPHA (0.001), judged only with at least
  PEAK_MIN_STATIONS (10) stations. Then each of its round stations is flagged.

`fingerprint` gives the turnout-versus-leader's-share histogram (Klimek et al. 2012) of a set of
stations: data for a chart, not a flag.
"""

import functools
import math
import statistics
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext, gettext_lazy, ngettext

from core.numbers import percent

Z_THRESHOLD = 3.5
MIN_STATIONS = 5
MAD_SCALE = 1.4826
MEAN_AD_SCALE = 1.2533
NEAR_FULL_PERCENT = 99
ROUND_WINDOW = Fraction(1, 200)  # percentage points either side of a whole number
PEAK_MIN_STATIONS = 10
PEAK_ALPHA = 0.001
FINGERPRINT_BINS = 20  # 5-point bins on each axis

TURNOUT_OUTLIER = "turnout.outlier"
LEADER_SHARE_OUTLIER = "leader_share.outlier"
INVALID_SHARE_HIGH = "invalid_share.high"
MOBILE_SHARE_HIGH = "mobile_share.high"
TURNOUT_NEAR_FULL = "turnout.near_full"
TURNOUT_INTEGER_PEAK = "turnout.integer_peak"
LEADER_SHARE_INTEGER_PEAK = "leader_share.integer_peak"

LABELS = {
    TURNOUT_OUTLIER: gettext_lazy("turnout far from the district's"),
    LEADER_SHARE_OUTLIER: gettext_lazy("leader's share far from the district's"),
    INVALID_SHARE_HIGH: gettext_lazy("invalid ballots far above the district's"),
    MOBILE_SHARE_HIGH: gettext_lazy("mobile-box ballots far above the district's"),
    TURNOUT_NEAR_FULL: gettext_lazy("turnout at or near 100%"),
    TURNOUT_INTEGER_PEAK: gettext_lazy("turnout on a round percentage"),
    LEADER_SHARE_INTEGER_PEAK: gettext_lazy("leader's share on a round percentage"),
}
CODES = list(LABELS)
CHOICES = list(LABELS.items())


@dataclass(frozen=True)
class Station:
    """One protocol's figures (verified or certified). `leader_votes`: the contest leader's votes here."""

    contest: int
    polling_station: int
    district: int | None
    voters: int
    issued: int
    found: int
    found_mobile: int
    invalid: int
    leader_votes: int | None = None

    @property
    def valid(self):
        return self.found - self.invalid


@dataclass(frozen=True)
class Flag:
    code: str
    contest: int
    polling_station: int | None
    district: int | None
    values: dict = field(default_factory=dict)

    def explain(self):
        return explain(self.code, self.values)


def _fraction(part, whole):
    return None if not whole else Fraction(part, whole)


# What each measure reads from a station: (numerator, denominator).
MEASURES = {
    "turnout": lambda s: (s.issued, s.voters),
    "leader_share": lambda s: (s.leader_votes, s.valid) if s.leader_votes is not None else (0, 0),
    "invalid_share": lambda s: (s.invalid, s.found),
    "mobile_share": lambda s: (s.found_mobile, s.found),
}


def _text(value):
    """A number for `values`: 2 decimals, half up, as text (JSON keeps it exact)."""
    if isinstance(value, float):
        value = Decimal(repr(value))
    return str(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def robust_scores(values):
    """The robust z-score of each value against all of them (a list of the same length), or None
    for each when they cannot be judged (fewer than MIN_STATIONS values, or all equal)."""
    if len(values) < MIN_STATIONS:
        return [None] * len(values)
    median = statistics.median(values)
    deviations = [abs(v - median) for v in values]
    mad = statistics.median(deviations)
    if mad:
        scale = MAD_SCALE * mad
    else:
        mean_ad = sum(deviations) / len(deviations)
        if not mean_ad:
            return [None] * len(values)
        scale = MEAN_AD_SCALE * mean_ad
    return [float((v - median) / scale) for v in values]


def _median_percent(values):
    return _text(statistics.median(values) * 100)


def _outliers(stations, measure, code, *, one_sided):
    judged = [(s, MEASURES[measure](s)) for s in stations]
    # Floats: exact fractions cost 10x more and a score is no sharper than its 2 decimals.
    judged = [(s, n / d) for s, (n, d) in judged if d]
    values = [v for _, v in judged]
    scores = robust_scores(values)
    flags = []
    for (station, _value), z in zip(judged, scores, strict=True):
        if z is None or (z < Z_THRESHOLD if one_sided else abs(z) < Z_THRESHOLD):
            continue
        numerator, denominator = MEASURES[measure](station)
        flags.append(
            Flag(
                code,
                station.contest,
                station.polling_station,
                station.district,
                {
                    "percent": str(percent(numerator, denominator)),
                    "district_median": _median_percent(values),
                    "z": _text(z),
                    "stations": len(values),
                    "part": numerator,
                    "whole": denominator,
                },
            )
        )
    return flags


def _near_full(part, whole):
    return bool(whole) and 100 * part >= NEAR_FULL_PERCENT * whole


def sits_on_round(part, whole):
    """Whether part / whole x 100 is within ROUND_WINDOW of a whole number."""
    residue = (100 * part) % whole
    # In integers (ROUND_WINDOW = 1/200): a Fraction here cost most of the rules' time.
    return min(residue, whole - residue) * ROUND_WINDOW.denominator <= whole * ROUND_WINDOW.numerator


@functools.lru_cache(maxsize=65536)
def round_chance(n):
    """The share of the numerators k = 0..n for which k / n x 100 sits on a round percentage.

    k -> 100k mod n takes the multiples of g = gcd(100, n) as values, each g times for k = 0..n-1
    (k = n gives 0 again): count the multiples j*g (j = 0..n/g - 1) within the window of 0 or of n."""
    if n <= 0:
        return 0.0
    g = math.gcd(100, n)
    size = n // g
    window = ROUND_WINDOW * n
    low = min(size - 1, math.floor(window / g))  # j = 0..low: j*g <= window
    high = max(0, math.ceil((n - window) / g))  # j = high..size-1: n - j*g <= window
    count = (low + 1) + max(0, size - high) - max(0, low - high + 1)
    return (g * count + 1) / (n + 1)


def poisson_tail(observed, expected):
    """P(X >= observed) for X Poisson with mean `expected`."""
    if observed <= 0:
        return 1.0
    term, below = math.exp(-expected), 0.0
    for j in range(observed):
        below += term
        term *= expected / (j + 1)
    return max(0.0, 1.0 - below)


def _integer_peak(stations, measure, code):
    judged = [(s, *MEASURES[measure](s)) for s in stations]
    judged = [(s, n, d) for s, n, d in judged if d]
    if len(judged) < PEAK_MIN_STATIONS:
        return []
    on_round = [(s, n, d) for s, n, d in judged if sits_on_round(n, d)]
    expected = sum(round_chance(d) for _, _, d in judged)
    p_value = poisson_tail(len(on_round), expected)
    if p_value > PEAK_ALPHA:
        return []
    common = {"stations": len(judged), "round_stations": len(on_round), "expected": _text(expected)}
    return [
        Flag(
            code,
            s.contest,
            s.polling_station,
            s.district,
            {"percent": str(percent(n, d)), "round": round(Fraction(100 * n, d)), **common},
        )
        for s, n, d in on_round
    ]


def _by_district(stations):
    groups = {}
    for s in stations:
        groups.setdefault(s.district, []).append(s)
    return groups


def station_flags(stations):
    """Every flag of the stations (an iterable of Station), district by district, in a stable order."""
    flags = []
    for _district, group in sorted(_by_district(stations).items(), key=lambda item: (item[0] is None, item[0] or 0)):
        group.sort(key=lambda s: (s.contest, s.polling_station))
        for s in group:
            if _near_full(s.issued, s.voters):
                flags.append(
                    Flag(
                        TURNOUT_NEAR_FULL,
                        s.contest,
                        s.polling_station,
                        s.district,
                        {"percent": str(percent(s.issued, s.voters)), "part": s.issued, "whole": s.voters},
                    )
                )
        flags += _outliers(group, "turnout", TURNOUT_OUTLIER, one_sided=False)
        flags += _outliers(group, "leader_share", LEADER_SHARE_OUTLIER, one_sided=False)
        flags += _outliers(group, "invalid_share", INVALID_SHARE_HIGH, one_sided=True)
        flags += _outliers(group, "mobile_share", MOBILE_SHARE_HIGH, one_sided=True)
        flags += _integer_peak(group, "turnout", TURNOUT_INTEGER_PEAK)
        flags += _integer_peak(group, "leader_share", LEADER_SHARE_INTEGER_PEAK)
    return flags


def contest_flags(stations):
    """Flags of contests' totals (no station): turnout at or near 100% summed over their stations."""
    return flags_of_contest_totals(add_contest_totals({}, stations))


def add_contest_totals(totals, stations):
    """Add the stations to `totals` ({contest: (voters, issued, its district or None when its
    stations lie in several)}), in any order and in as many calls as needed; returns `totals`."""
    for s in stations:
        voters, issued, district = totals.get(s.contest, (0, 0, s.district))
        totals[s.contest] = (voters + s.voters, issued + s.issued, district if district == s.district else None)
    return totals


def flags_of_contest_totals(totals):
    """The contest flags of `totals` (see add_contest_totals), by contest."""
    return [
        Flag(
            TURNOUT_NEAR_FULL,
            contest,
            None,
            district,
            {"percent": str(percent(issued, voters)), "part": issued, "whole": voters},
        )
        for contest, (voters, issued, district) in sorted(totals.items())
        if _near_full(issued, voters)
    ]


def leaders(votes):
    """{contest: leading candidacy} from {contest: {candidacy: votes}}: most votes, lowest id among equals."""
    return {
        contest: min(counts, key=lambda candidacy: (-counts[candidacy], candidacy))
        for contest, counts in votes.items()
        if counts
    }


def fingerprint(stations, bins=FINGERPRINT_BINS):
    """The turnout-versus-leader's-share histogram: counts[turnout bin][share bin] of the stations
    with both figures (bin i holds [100i/bins, 100(i+1)/bins) %, the last one 100% too)."""
    counts = [[0] * bins for _ in range(bins)]
    for s in stations:
        if not s.voters or not s.valid or s.leader_votes is None:
            continue
        t = min(bins - 1, s.issued * bins // s.voters)
        v = min(bins - 1, s.leader_votes * bins // s.valid)
        counts[t][v] += 1
    return counts


# Explanations -----------------------------------------------------------------------------------


def _number(value):
    from registry.reasons import number

    return number(value)


def _signal():
    return gettext("This is a signal for a closer look, never a verdict: honest counts can show it too.")


def _outlier_text(code, v):
    z = _number(v["z"])
    common = {
        "percent": _number(v["percent"]),
        "median": _number(v["district_median"]),
        "z": z,
        "n": _number(v["stations"]),
        "limit": _number(Decimal(str(Z_THRESHOLD))),
    }
    texts = {
        TURNOUT_OUTLIER: ngettext(
            "Turnout %(percent)s%% is far from the median of the district's %(n)s station, %(median)s%% "
            "(robust z-score %(z)s; flagged from %(limit)s either way).",
            "Turnout %(percent)s%% is far from the median of the district's %(n)s stations, %(median)s%% "
            "(robust z-score %(z)s; flagged from %(limit)s either way).",
            v["stations"],
        ),
        LEADER_SHARE_OUTLIER: ngettext(
            "The leader's share of the valid ballots, %(percent)s%%, is far from the median of the "
            "district's %(n)s station, %(median)s%% (robust z-score %(z)s; flagged from %(limit)s either way).",
            "The leader's share of the valid ballots, %(percent)s%%, is far from the median of the "
            "district's %(n)s stations, %(median)s%% (robust z-score %(z)s; flagged from %(limit)s either way).",
            v["stations"],
        ),
        INVALID_SHARE_HIGH: ngettext(
            "Invalid ballots are %(percent)s%% of the ballots found, far above the median of the "
            "district's %(n)s station, %(median)s%% (robust z-score %(z)s; flagged from %(limit)s).",
            "Invalid ballots are %(percent)s%% of the ballots found, far above the median of the "
            "district's %(n)s stations, %(median)s%% (robust z-score %(z)s; flagged from %(limit)s).",
            v["stations"],
        ),
        MOBILE_SHARE_HIGH: ngettext(
            "Ballots from mobile boxes are %(percent)s%% of the ballots found, far above the median of "
            "the district's %(n)s station, %(median)s%% (robust z-score %(z)s; flagged from %(limit)s).",
            "Ballots from mobile boxes are %(percent)s%% of the ballots found, far above the median of "
            "the district's %(n)s stations, %(median)s%% (robust z-score %(z)s; flagged from %(limit)s).",
            v["stations"],
        ),
    }
    return texts[code] % common


def _near_full_text(v):
    return gettext(
        "Turnout is %(percent)s%% (ballots issued: %(issued)s; voters on the list: %(voters)s); "
        "flagged from %(limit)s%%."
    ) % {
        "limit": _number(NEAR_FULL_PERCENT),
        "percent": _number(v["percent"]),
        "issued": _number(v["part"]),
        "voters": _number(v["whole"]),
    }


def _peak_text(code, v):
    what = {
        TURNOUT_INTEGER_PEAK: gettext("Turnout is %(percent)s%%, a round percentage."),
        LEADER_SHARE_INTEGER_PEAK: gettext(
            "The leader's share of the valid ballots is %(percent)s%%, a round percentage."
        ),
    }[code] % {"percent": _number(v["percent"])}
    peak = ngettext(
        "In this district %(round)s of %(n)s stations sits on a round percentage where about %(expected)s "
        "would by chance (Kobak, Shpilkin and Pshenichnikov's test; flagged below a chance of %(alpha)s).",
        "In this district %(round)s of %(n)s stations sit on round percentages where about %(expected)s "
        "would by chance (Kobak, Shpilkin and Pshenichnikov's test; flagged below a chance of %(alpha)s).",
        v["round_stations"],
    ) % {
        "round": _number(v["round_stations"]),
        "n": _number(v["stations"]),
        "expected": _number(v["expected"]),
        "alpha": _number(Decimal(str(PEAK_ALPHA))),
    }
    return f"{what} {peak}"


def explain(code, values):
    """The flag's explanation in the active language, with its numbers, ending with the reminder that
    it is a signal, not a verdict. An unknown code (a newer version's) gives its label-less code."""
    if code in (TURNOUT_OUTLIER, LEADER_SHARE_OUTLIER, INVALID_SHARE_HIGH, MOBILE_SHARE_HIGH):
        text = _outlier_text(code, values)
    elif code == TURNOUT_NEAR_FULL:
        text = _near_full_text(values)
    elif code in (TURNOUT_INTEGER_PEAK, LEADER_SHARE_INTEGER_PEAK):
        text = _peak_text(code, values)
    else:
        text = code
    return f"{text} {_signal()}"
