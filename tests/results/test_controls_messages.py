"""The controls catalogue by example: its codes and severities, the exact message of each result with
its numbers, both sides of every comparison, and each way a figure may be written."""

from fractions import Fraction

import pytest

from results import controls
from results.controls import MAX_FIGURE, ControlResult, Report, Thresholds, parse_figure, run_controls
from tests.results.control_inputs import CANDS, valid


def results(values, **kw):
    kw.setdefault("candidacies", CANDS)
    return [(r.code, r.severity, r.message, r.fields) for r in run_controls(values, **kw).results]


VOTE_PATHS = ("votes.11", "votes.12", "votes.13")


# --- constants -----------------------------------------------------------------------------------


def test_the_catalogue_codes_and_severities():
    assert {code: severity for code, (severity, _message) in controls.CATALOGUE.items()} == {
        "protocol.malformed": "error",
        "figure.missing": "error",
        "figure.not_integer": "error",
        "figure.negative": "error",
        "figure.too_large": "error",
        "against_all.not_on_ballot": "error",
        "votes.malformed": "error",
        "candidate.unknown": "error",
        "candidate.missing": "error",
        "ballots.balance": "error",
        "issued.exceeds_voters": "error",
        "mobile.found_exceeds_issued": "error",
        "found.exceeds_issued": "error",
        "found.not_counted": "error",
        "found.below_issued": "warning",
        "turnout.suspicious": "warning",
        "votes.all_zero": "warning",
        "votes.single_candidate": "warning",
        "invalid.high_share": "warning",
    }
    assert (controls.ERROR, controls.WARNING) == ("error", "warning")


def test_the_figures_in_the_order_of_the_paper_protocol():
    assert [(name, paper) for name, paper, _label in controls.FIGURES] == [
        ("voters", "V"),
        ("ballots_received", "R"),
        ("issued_station", "Is"),
        ("issued_mobile", "Im"),
        ("spoiled", "S"),
        ("unused", "U"),
        ("found_stationary", "Fs"),
        ("found_mobile", "Fm"),
        ("invalid", "N"),
    ]
    assert tuple(name for name, _p, _l in controls.FIGURES) == controls.FIGURE_NAMES
    assert controls.AGAINST_ALL[:2] == ("against_all", "A")
    assert controls.PAPER_CODE["against_all"] == "A"
    assert str(controls.LABEL["voters"]) == "Voters on the list"
    assert MAX_FIGURE == 10_000_000


def test_the_default_thresholds():
    assert Thresholds() == Thresholds(suspicious_turnout=Fraction(95, 100), invalid_share=Fraction(1, 10))


# --- results and reports -------------------------------------------------------------------------


def test_a_result_and_its_dict():
    result = controls.control_result("mobile.found_exceeds_issued", ["found_mobile", "issued_mobile"], Fm=3, Im=2)
    assert result == ControlResult(
        "mobile.found_exceeds_issued",
        "error",
        "Ballots found in mobile boxes Fm = 3 exceed those issued for mobile voting Im = 2.",
        ("found_mobile", "issued_mobile"),
    )
    assert result.params == {"Fm": 3, "Im": 2}
    assert result.is_error is True
    assert result.as_dict() == {
        "code": "mobile.found_exceeds_issued",
        "severity": "error",
        "message": "Ballots found in mobile boxes Fm = 3 exceed those issued for mobile voting Im = 2.",
        "fields": ["found_mobile", "issued_mobile"],
    }
    assert controls.control_result("votes.all_zero", []).is_error is False


def test_a_report_splits_errors_and_warnings_and_groups_by_field():
    error = controls.control_result("votes.malformed", ["votes"])
    warning = controls.control_result("votes.all_zero", ["votes.1", "votes.2"])
    nowhere = controls.control_result("protocol.malformed", [])
    report = Report([error, warning, nowhere], {})
    assert report.errors == [error, nowhere]
    assert report.warnings == [warning]
    assert report.ok is False
    assert report.codes() == ["votes.malformed", "votes.all_zero", "protocol.malformed"]
    assert report.by_field() == {"votes": [error], "votes.1": [warning], "votes.2": [warning], "": [nowhere]}
    assert Report([warning], {}).ok is True


# --- thresholds from settings: both sides of the range -------------------------------------------


@pytest.mark.parametrize(
    ("raw", "share"),
    [
        ("0", Fraction(0)),
        ("1", Fraction(1)),
        ("0.25", Fraction(1, 4)),
        (0.5, Fraction(1, 2)),
        ("1.01", None),
        ("-0.01", None),
        ("nonsense", None),
        ("NaN", None),
        ("Infinity", None),
        (None, None),
        ([], None),
    ],
)
def test_each_threshold_setting_is_a_share_from_0_to_1(settings, raw, share):
    settings.RESULTS_SUSPICIOUS_TURNOUT_SHARE = raw
    settings.RESULTS_INVALID_SHARE_WARNING = raw
    thresholds = controls.default_thresholds()
    assert thresholds.suspicious_turnout == (Fraction(95, 100) if share is None else share)
    assert thresholds.invalid_share == (Fraction(10, 100) if share is None else share)


def test_thresholds_without_settings_are_the_defaults(settings):
    del settings.RESULTS_SUSPICIOUS_TURNOUT_SHARE
    del settings.RESULTS_INVALID_SHARE_WARNING
    assert controls.default_thresholds() == Thresholds()


def test_the_settings_thresholds_apply_when_none_are_given(settings):
    settings.RESULTS_SUSPICIOUS_TURNOUT_SHARE = "0.7"
    settings.RESULTS_INVALID_SHARE_WARNING = "0.5"
    assert [r[0] for r in results(valid())] == ["turnout.suspicious"]  # 75% issued
    settings.RESULTS_SUSPICIOUS_TURNOUT_SHARE = "0.95"
    settings.RESULTS_INVALID_SHARE_WARNING = "0.03"
    assert [r[0] for r in results(valid())] == ["invalid.high_share"]  # 30 of 750 = 4%


# --- how a figure may be written -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        (0, (0, None)),
        (MAX_FIGURE, (MAX_FIGURE, None)),
        (MAX_FIGURE + 1, (None, "figure.too_large")),
        (-1, (None, "figure.negative")),
        ("1 000", (1000, None)),
        ("1\u00a0000", (1000, None)),  # a non-breaking space between digit groups
        ("1 000 000", (1_000_000, None)),
        (" 42 ", (42, None)),
        ("+42", (42, None)),
        ("-0", (0, None)),
        ("007", (7, None)),
        ("10000000", (MAX_FIGURE, None)),
        ("0000000000000010000000", (MAX_FIGURE, None)),  # leading zeros are not digits of the value
        ("10000001", (None, "figure.too_large")),
        ("99999999", (None, "figure.too_large")),
        ("100000000", (None, "figure.too_large")),
        ("-100000000", (None, "figure.negative")),
        ("-" + "9" * 5000, (None, "figure.negative")),
        ("9" * 5000, (None, "figure.too_large")),
        ("-5", (None, "figure.negative")),
        ("1,000", (None, "figure.not_integer")),
        ("1_000", (None, "figure.not_integer")),
        ("+", (None, "figure.not_integer")),
        (None, (None, "figure.missing")),
        ("", (None, "figure.missing")),
        ("\u00a0", (None, "figure.missing")),
        (True, (None, "figure.not_integer")),
        (False, (None, "figure.not_integer")),
        (2.0, (None, "figure.not_integer")),
    ],
)
def test_parse_figure(raw, parsed):
    assert parse_figure(raw) == parsed


# --- the form of the input: exact messages -------------------------------------------------------


def test_a_missing_figure_names_its_label_and_paper_code():
    assert results(valid(voters=None)) == [
        ("figure.missing", "error", "Voters on the list (V) is empty: enter a number, 0 if none.", ("voters",))
    ]


def test_a_figure_that_is_not_a_whole_number_is_quoted():
    assert results(valid(spoiled="abc")) == [
        ("figure.not_integer", "error", "Spoiled ballots (S) must be a whole number, not “abc”.", ("spoiled",))
    ]
    assert results(valid(spoiled=1.5))[0][2] == "Spoiled ballots (S) must be a whole number, not “1.5”."


def test_a_negative_figure():
    assert results(valid(unused=-1))[0] == (
        "figure.negative",
        "error",
        "Unused ballots, cancelled (U) cannot be negative (-1).",
        ("unused",),
    )


def test_a_figure_too_large_names_the_maximum_with_spaced_groups():
    assert results({"ballots_received": "10000001"}, candidacies={})[1] == (
        "figure.too_large",
        "error",
        "Ballots received by the commission (R) is larger than 10 000 000: check the number (“10000001”).",
        ("ballots_received",),
    )


def test_long_values_are_cut_in_messages():
    exactly = "x" * 24
    longer = "y" * 25
    assert results(valid(invalid=exactly))[0][2] == f"Invalid ballots (N) must be a whole number, not “{exactly}”."
    assert results(valid(invalid=longer))[0][2] == f"Invalid ballots (N) must be a whole number, not “{'y' * 21}...”."


def test_against_all_not_on_the_ballot_quotes_the_value():
    assert results(valid(against_all=5)) == [
        (
            "against_all.not_on_ballot",
            "error",
            "This election has no 'against all' line; the figure “5” cannot be entered.",
            ("against_all",),
        )
    ]
    assert results(valid(against_all="  ")) == []
    assert results(valid(against_all=None)) == []


def test_a_bad_against_all_figure_has_its_label():
    assert results(valid(against_all="-3"), against_all=True)[0] == (
        "figure.negative",
        "error",
        "Votes 'against all' (A) cannot be negative (-3).",
        ("against_all",),
    )


def test_a_malformed_protocol_and_votes():
    assert run_controls("protocol", candidacies=CANDS).clean == {}
    assert results("protocol") == [
        ("protocol.malformed", "error", "The protocol could not be read: it is not a set of figures.", ())
    ]
    assert results(valid(votes=[1]))[0] == (
        "votes.malformed",
        "error",
        "The candidates' votes could not be read.",
        ("votes",),
    )


def test_votes_left_out_or_none_mean_every_count_is_missing():
    expected = [
        (
            "candidate.missing",
            "error",
            f"The count for candidate {name} is missing: enter a number, 0 if none.",
            (path,),
        )
        for path, name in zip(VOTE_PATHS, CANDS.values(), strict=True)
    ]
    assert results(valid(votes=None)) == expected
    without = valid()
    del without["votes"]
    assert results(without) == expected


def test_an_unknown_candidate_key_is_quoted_and_the_votes_after_it_are_read():
    values = valid(votes={99: 5, 11: 400, 12: 200, 13: 120})
    report = run_controls(values, candidacies=CANDS)
    assert [(r.code, r.message, r.fields) for r in report.results] == [
        (
            "candidate.unknown",
            "“99” is not a candidate registered in this contest; no count can be entered for it.",
            ("votes.99",),
        )
    ]
    assert report.clean["votes"] == {11: 400, 12: 200, 13: 120}
    two_unknown = run_controls(valid(votes={"x": 1, 11: 400, "y": 2, 12: 200, 13: 120}), candidacies=CANDS)
    assert two_unknown.codes() == ["candidate.unknown", "candidate.unknown"]
    assert two_unknown.clean["votes"] == {11: 400, 12: 200, 13: 120}


@pytest.mark.parametrize(
    ("key", "known"),
    [
        (11, True),
        ("11", True),
        (" 11 ", True),
        ("+11", True),
        ("0" * 16 + "11", True),  # 18 characters: read as a number
        ("0" * 17 + "11", False),  # 19: too long to be an id
        (True, False),
        (11.0, False),
        ("11a", False),
    ],
)
def test_which_keys_name_a_candidate(key, known):
    report = run_controls(valid(votes={key: 400, 12: 200, 13: 120}), candidacies=CANDS)
    if known:
        assert report.codes() == []
        assert report.clean["votes"][11] == 400
    else:
        assert report.codes() == ["candidate.unknown", "candidate.missing"]


def test_a_bool_key_is_no_candidate_even_with_id_1():
    report = run_controls({**valid(), "votes": {True: 720}}, candidacies={1: "Alone"})
    assert report.codes()[0] == "candidate.unknown"


def test_bad_candidate_counts_name_the_candidate_and_the_path():
    assert results(valid(votes={11: 400, 12: "x", 13: 120}))[0] == (
        "figure.not_integer",
        "error",
        "Bekova (votes.12) must be a whole number, not “x”.",
        ("votes.12",),
    )
    assert results(valid(votes={11: 400, 12: 200, 13: 10_000_001}))[0][2] == (
        "Sadykov (votes.13) is larger than 10 000 000: check the number (“10000001”)."
    )
    assert results(valid(votes={11: 400, 12: 200, 13: None}))[0] == (
        "candidate.missing",
        "error",
        "The count for candidate Sadykov is missing: enter a number, 0 if none.",
        ("votes.13",),
    )


def test_candidacies_with_text_keys_and_names_are_read():
    report = run_controls(valid(), candidacies={"11": "Ahmetov", "12": "Bekova", "13": 13})
    assert report.results == []
    assert results(valid(votes={11: 720, 12: 0, 13: 0}), candidacies={"11": 1, "12": 2, "13": 3})[0][2] == (
        "Candidate 1 received every valid vote (720); all others have 0."
    )


# --- arithmetic relations: exact messages, both sides ---------------------------------------------


def test_the_ballot_balance_message():
    assert results(valid(ballots_received=999)) == [
        (
            "ballots.balance",
            "error",
            "Ballots received R = 999 must equal Is + Im + S + U = 700 + 50 + 10 + 240 = 1000 (difference -1).",
            ("ballots_received", "issued_station", "issued_mobile", "spoiled", "unused"),
        )
    ]
    assert results(valid(ballots_received=1001))[0][2].endswith("= 1000 (difference 1).")


def test_issued_above_voters_message_and_no_turnout_warning():
    assert results(valid(voters=749)) == [
        (
            "issued.exceeds_voters",
            "error",
            "Ballots issued Is + Im = 700 + 50 = 750 exceed the voters on the list V = 749.",
            ("issued_station", "issued_mobile", "voters"),
        )
    ]


def test_a_turnout_of_exactly_100_percent_warns():
    assert results(valid(voters=750)) == [
        (
            "turnout.suspicious",
            "warning",
            "Turnout 100.00% is above 95.00% of the list (Is + Im = 750, V = 750).",
            ("issued_station", "issued_mobile", "voters"),
        )
    ]


def test_the_turnout_message_has_both_percentages():
    lenient = Thresholds(suspicious_turnout=Fraction(3, 4))
    assert results(valid(voters=999), thresholds=lenient) == [
        (
            "turnout.suspicious",
            "warning",
            "Turnout 75.08% is above 75.00% of the list (Is + Im = 750, V = 999).",
            ("issued_station", "issued_mobile", "voters"),
        )
    ]
    assert results(valid(voters=1000), thresholds=lenient) == []  # exactly 75%: not above


def test_no_turnout_warning_without_voters():
    zero = valid(
        voters=0,
        ballots_received=0,
        issued_station=0,
        issued_mobile=0,
        spoiled=0,
        unused=0,
        found_stationary=0,
        found_mobile=0,
        invalid=0,
        votes={11: 0, 12: 0, 13: 0},
    )
    assert [r[0] for r in results(zero)] == ["votes.all_zero"]


def test_the_mobile_box_message():
    assert results(valid(found_mobile=51, found_stationary=699)) == [
        (
            "mobile.found_exceeds_issued",
            "error",
            "Ballots found in mobile boxes Fm = 51 exceed those issued for mobile voting Im = 50.",
            ("found_mobile", "issued_mobile"),
        )
    ]


def test_found_above_issued_message():
    assert results(valid(found_stationary=701, invalid=31)) == [
        (
            "found.exceeds_issued",
            "error",
            "Ballots found Fs + Fm = 701 + 50 = 751 exceed those issued Is + Im = 700 + 50 = 750.",
            ("found_stationary", "found_mobile", "issued_station", "issued_mobile"),
        )
    ]


def test_found_not_counted_message_with_and_without_against_all():
    assert results(valid(invalid=29)) == [
        (
            "found.not_counted",
            "error",
            "Ballots found Fs + Fm = 750 must equal invalid + candidates' votes + against all"
            " = 29 + 720 + 0 = 749 (difference 1).",
            ("found_stationary", "found_mobile", "invalid", *VOTE_PATHS),
        )
    ]
    assert results(valid(invalid=20, against_all=11), against_all=True) == [
        (
            "found.not_counted",
            "error",
            "Ballots found Fs + Fm = 750 must equal invalid + candidates' votes + against all"
            " = 20 + 720 + 11 = 751 (difference -1).",
            ("found_stationary", "found_mobile", "invalid", "against_all", *VOTE_PATHS),
        )
    ]
    assert results(valid(invalid=20, against_all=10), against_all=True) == []


def test_found_below_issued_message():
    assert results(valid(found_stationary=698, invalid=28)) == [
        (
            "found.below_issued",
            "warning",
            "Fewer ballots were found (Fs + Fm = 748) than issued (Is + Im = 750): 2 missing.",
            ("found_stationary", "found_mobile", "issued_station", "issued_mobile"),
        )
    ]


# --- warnings on the votes ------------------------------------------------------------------------


def test_the_all_zero_message():
    assert results(valid(invalid=750, votes={11: 0, 12: 0, 13: 0}))[0] == (
        "votes.all_zero",
        "warning",
        "Every candidate has 0 votes.",
        VOTE_PATHS,
    )


def test_single_candidate_warning_with_two_candidates_but_not_with_one():
    two = {11: "Ahmetov", 12: "Bekova"}
    assert results(valid(votes={11: 720, 12: 0}), candidacies=two) == [
        (
            "votes.single_candidate",
            "warning",
            "Candidate Ahmetov received every valid vote (720); all others have 0.",
            ("votes.11", "votes.12"),
        )
    ]
    assert results(valid(votes={11: 719, 12: 1}), candidacies=two) == []
    assert results(valid(votes={12: 720}), candidacies={12: "Bekova"}) == []
    assert results(valid(votes={12: 0}, invalid=750), candidacies={12: "Bekova"})[0][0] == "votes.all_zero"


def test_no_vote_warning_without_candidates_or_with_a_count_missing():
    assert [r[0] for r in results(valid(votes={}, invalid=750), candidacies={})] == ["invalid.high_share"]
    assert [r[0] for r in results(valid(votes={11: 0, 12: 0}, invalid=750))] == [
        "candidate.missing",
        "invalid.high_share",
    ]


def test_the_invalid_share_message_and_both_sides():
    assert results(valid(invalid=76, votes={11: 400, 12: 200, 13: 74})) == [
        (
            "invalid.high_share",
            "warning",
            "Invalid ballots N = 76 are 10.13% of the ballots found (750), above 10.00%.",
            ("invalid", "found_stationary", "found_mobile"),
        )
    ]
    assert results(valid(invalid=75, votes={11: 400, 12: 200, 13: 75})) == []


def test_more_invalid_ballots_than_found_is_an_error_not_a_warning():
    assert [r[0] for r in results(valid(invalid=751, votes={11: 0, 12: 0, 13: 0}))] == [
        "found.not_counted",
        "votes.all_zero",
    ]


def test_every_ballot_invalid_warns_and_no_ballot_found_does_not():
    assert [r[0] for r in results(valid(invalid=750, votes={11: 0, 12: 0, 13: 0}))] == [
        "votes.all_zero",
        "invalid.high_share",
    ]
    nothing_found = valid(found_stationary=0, found_mobile=0, invalid=0, votes={11: 0, 12: 0, 13: 0})
    assert [r[0] for r in results(nothing_found)] == ["found.below_issued", "votes.all_zero"]
