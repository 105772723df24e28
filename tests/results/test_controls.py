"""The controls catalogue: every code on both sides of its boundary, and properties over any input."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from results import controls
from results.controls import MAX_FIGURE, Thresholds, run_controls
from tests.results.control_inputs import CANDS, valid


def codes(values, **kw):
    kw.setdefault("candidacies", CANDS)
    return run_controls(values, **kw).codes()


def test_a_consistent_protocol_passes_every_control():
    report = run_controls(valid(), candidacies=CANDS)
    assert report.results == []
    assert report.ok
    assert report.clean["votes"] == {11: 400, 12: 200, 13: 120}


def test_strings_from_a_form_are_read_as_numbers():
    values = {k: str(v) for k, v in valid().items() if k != "votes"}
    values["votes"] = {"11": " 400 ", "12": "200", "13": "120"}
    assert codes(values) == []


# --- form of the input -----------------------------------------------------------------------


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_empty_figure_is_missing(raw):
    assert codes(valid(voters=raw)) == ["figure.missing"]


@pytest.mark.parametrize("raw", ["abc", "12a", "1.5", "1e3", 1.5, 3.0, True, [], {}, "١٢"])
def test_non_integer_figure(raw):
    report = run_controls(valid(spoiled=raw), candidacies=CANDS)
    assert report.codes() == ["figure.not_integer"]
    assert report.errors[0].fields == ("spoiled",)


@pytest.mark.parametrize(("raw", "code"), [(-1, "figure.negative"), ("-1", "figure.negative"), (0, None)])
def test_negative_boundary(raw, code):
    result = codes(valid(spoiled=raw, unused=250 if raw == 0 else 240))
    assert result == ([code] if code else [])


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (MAX_FIGURE, None),
        (MAX_FIGURE + 1, "figure.too_large"),
        ("9" * 5000, "figure.too_large"),
        (10**100, "figure.too_large"),
    ],
)
def test_too_large_boundary(raw, code):
    report = run_controls({"voters": raw}, candidacies={})
    assert ("figure.too_large" in report.codes()) == (code is not None)
    assert report.clean.get("voters") == (raw if code is None else None)


def test_against_all_when_the_election_has_none_is_refused():
    assert codes(valid(against_all=0)) == ["against_all.not_on_ballot"]
    assert codes(valid(against_all="")) == []


def test_against_all_missing_when_the_election_has_it():
    assert codes(valid(), against_all=True) == ["figure.missing"]
    assert codes(valid(against_all=0), against_all=True) == []


def test_against_all_counts_in_the_found_relation():
    ok = valid(invalid=20, against_all=10)
    assert codes(ok, against_all=True) == []
    assert codes(valid(against_all=10), against_all=True) == ["found.not_counted"]


@pytest.mark.parametrize("key", [99, "99", "abc", "", None, "1.5"])
def test_count_for_a_candidate_not_in_the_contest(key):
    votes = {11: 400, 12: 200, 13: 120, key: 0}
    assert "candidate.unknown" in codes(valid(votes=votes))


def test_missing_candidate_count():
    report = run_controls(valid(votes={11: 400, 12: 200}), candidacies=CANDS)
    assert report.codes() == ["candidate.missing"]
    assert report.errors[0].fields == ("votes.13",)
    assert codes(valid(votes={11: 400, 12: 200, 13: ""})) == ["candidate.missing"]


def test_bad_candidate_count_has_the_vote_path():
    report = run_controls(valid(votes={11: 400, 12: 200, 13: "x"}), candidacies=CANDS)
    assert report.codes() == ["figure.not_integer"]
    assert report.errors[0].fields == ("votes.13",)


@pytest.mark.parametrize("votes", ["12", [1, 2], 5])
def test_votes_not_a_mapping(votes):
    assert "votes.malformed" in codes(valid(votes=votes))


@pytest.mark.parametrize("values", [None, "protocol", 5, [1, 2, 3], 1.5])
def test_malformed_protocol(values):
    assert codes(values) == ["protocol.malformed"]


# --- arithmetic relations: both sides of each boundary ------------------------------------------


def test_ballots_balance():
    assert codes(valid(ballots_received=1000)) == []
    for received in (999, 1001):
        report = run_controls(valid(ballots_received=received), candidacies=CANDS)
        assert report.codes() == ["ballots.balance"]
        assert "1000" in report.errors[0].message and str(received) in report.errors[0].message
        assert "ballots_received" in report.errors[0].fields


def test_issued_within_voters():
    # Is + Im = 750: V = 750 passes (a warning for 100% turnout), V = 749 fails.
    assert "issued.exceeds_voters" not in codes(valid(voters=750))
    report = run_controls(valid(voters=749), candidacies=CANDS)
    assert "issued.exceeds_voters" in report.codes()
    error = next(r for r in report.errors if r.code == "issued.exceeds_voters")
    assert "749" in error.message and "750" in error.message


def test_mobile_found_within_mobile_issued():
    # Fm = Im = 50 passes; Fm = 51 (with Fs = 699 so the totals still agree) fails.
    assert codes(valid(found_mobile=50)) == []
    assert codes(valid(found_mobile=51, found_stationary=699)) == ["mobile.found_exceeds_issued"]


def test_found_within_issued():
    over = valid(found_stationary=701, invalid=31)
    assert codes(over) == ["found.exceeds_issued"]
    assert codes(valid()) == []


def test_found_equals_counted():
    assert codes(valid(invalid=29)) == ["found.not_counted"]
    assert codes(valid(invalid=31)) == ["found.not_counted"]


# --- warnings ----------------------------------------------------------------------------------


def test_found_below_issued_warns():
    report = run_controls(valid(found_stationary=699, invalid=29), candidacies=CANDS)
    assert report.codes() == ["found.below_issued"]
    assert report.ok  # a warning does not stop the entry
    assert report.warnings[0].params["missing"] == 1


def test_turnout_threshold_both_sides():
    # 95% of 1000 = 950 issued: not above the threshold; 951 is.
    at = valid(issued_station=900, unused=40, found_stationary=900, votes={11: 600, 12: 200, 13: 120})
    assert codes(at) == []
    above = valid(issued_station=901, unused=39, found_stationary=901, votes={11: 601, 12: 200, 13: 120})
    assert codes(above) == ["turnout.suspicious"]
    lenient = Thresholds(suspicious_turnout=Fraction(96, 100))
    assert codes(above, thresholds=lenient) == []


def test_all_candidates_zero_warns():
    values = valid(invalid=750, votes={11: 0, 12: 0, 13: 0})
    assert set(codes(values)) == {"votes.all_zero", "invalid.high_share"}


def test_one_candidate_with_every_vote_warns():
    assert codes(valid(votes={11: 720, 12: 0, 13: 0})) == ["votes.single_candidate"]
    assert codes(valid(votes={11: 719, 12: 1, 13: 0})) == []
    # A sole candidate naturally has every vote: no warning.
    assert codes(valid(votes={11: 720}), candidacies={11: "Ahmetov"}) == []


def test_invalid_share_threshold_both_sides():
    # 10% of 750 found = 75 invalid: not above; 76 is.
    assert codes(valid(invalid=75, votes={11: 400, 12: 200, 13: 75})) == []
    assert codes(valid(invalid=76, votes={11: 400, 12: 200, 13: 74})) == ["invalid.high_share"]


def test_thresholds_from_settings(settings):
    settings.RESULTS_SUSPICIOUS_TURNOUT_SHARE = "0.5"
    settings.RESULTS_INVALID_SHARE_WARNING = "nonsense"
    thresholds = controls.default_thresholds()
    assert thresholds.suspicious_turnout == Fraction(1, 2)
    assert thresholds.invalid_share == Fraction(1, 10)
    assert codes(valid()) == ["turnout.suspicious"]


def test_every_code_is_in_the_catalogue_with_a_severity():
    assert all(sev in (controls.ERROR, controls.WARNING) for sev, _m in controls.CATALOGUE.values())


# --- properties --------------------------------------------------------------------------------


@st.composite
def consistent_protocols(draw, against_all=False):
    voters = draw(st.integers(0, 50_000))
    issued = draw(st.integers(0, voters))
    im = draw(st.integers(0, issued))
    is_ = issued - im
    spoiled = draw(st.integers(0, 1000))
    unused = draw(st.integers(0, 50_000))
    fm = draw(st.integers(0, im))
    fs = draw(st.integers(0, is_))
    found = fs + fm
    invalid = draw(st.integers(0, found))
    a = draw(st.integers(0, found - invalid)) if against_all else 0
    rest = found - invalid - a
    n = draw(st.integers(1, 5))
    cuts = sorted(draw(st.lists(st.integers(0, rest), min_size=n - 1, max_size=n - 1)))
    parts = [b - a_ for a_, b in zip([0, *cuts], [*cuts, rest], strict=True)]
    values = {
        "voters": voters,
        "ballots_received": is_ + im + spoiled + unused,
        "issued_station": is_,
        "issued_mobile": im,
        "spoiled": spoiled,
        "unused": unused,
        "found_stationary": fs,
        "found_mobile": fm,
        "invalid": invalid,
        "votes": {100 + i: v for i, v in enumerate(parts)},
    }
    if against_all:
        values["against_all"] = a
    return values, {100 + i: f"c{i}" for i in range(n)}


@settings(max_examples=300, deadline=None)
@given(consistent_protocols(), st.booleans())
def test_every_consistent_protocol_is_accepted(data, as_strings):
    values, cands = data
    if as_strings:
        values = {k: (str(v) if k != "votes" else {str(c): str(n) for c, n in v.items()}) for k, v in values.items()}
    report = run_controls(values, candidacies=cands)
    assert report.errors == []
    assert all(r.severity == controls.WARNING for r in report.results)


@settings(max_examples=200, deadline=None)
@given(consistent_protocols(against_all=True))
def test_every_consistent_protocol_with_against_all_is_accepted(data):
    values, cands = data
    assert run_controls(values, candidacies=cands, against_all=True).errors == []


garbage_scalar = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.booleans(),
    st.binary(max_size=5),
)
garbage = st.recursive(
    garbage_scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(
    consistent_protocols(),
    st.sampled_from([*controls.FIGURE_NAMES, "votes", "against_all"]),
    garbage,
)
def test_garbage_in_any_field_is_refused_with_a_code_and_never_raises(data, name, junk):
    values, cands = data
    values = {**values, name: junk}
    report = run_controls(values, candidacies=cands)
    assert all(r.code in controls.CATALOGUE for r in report.results)
    if name in controls.FIGURE_NAMES:
        ok, _code = controls.parse_figure(junk)
        if ok is None:
            assert any(name in r.fields for r in report.errors)


@settings(max_examples=200, deadline=None)
@given(garbage)
def test_any_input_at_all_never_raises(junk):
    report = run_controls(junk, candidacies=CANDS)
    assert not report.ok
    assert all(r.code in controls.CATALOGUE for r in report.results)


@settings(max_examples=300, deadline=None)
@given(consistent_protocols(), st.sampled_from(controls.FIGURE_NAMES), st.integers(1, 10))
def test_changing_one_count_breaks_a_relation(data, name, delta):
    """Every figure takes part in an equality, so nudging any one upward is always caught."""
    values, cands = data
    values = {**values, name: values[name] + delta}
    report = run_controls(values, candidacies=cands)
    if name == "voters":
        assert report.ok  # V appears only in an inequality and a warning
    else:
        assert not report.ok
        assert all(r.code in controls.CATALOGUE for r in report.errors)
