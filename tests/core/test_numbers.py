"""core.numbers.percent: the one percentage of the project, rounded half up in Decimal."""

from decimal import Decimal

from core.numbers import percent


def test_two_places_by_default_half_up():
    assert percent(7854, 10000) == Decimal("78.54")
    assert percent(1, 8) == Decimal("12.50")
    assert percent(1, 3) == Decimal("33.33")
    assert percent(2, 3) == Decimal("66.67")
    # 0.125 exactly: half up gives 0.13 where binary floats and round() give 0.12.
    assert percent(1, 800) == Decimal("0.13")
    assert round(1 / 800 * 100, 2) == 0.12
    # Both sides of the half: 0.1249... down, 0.1251... up.
    assert percent(1249, 1_000_000) == Decimal("0.12")
    assert percent(1251, 1_000_000) == Decimal("0.13")


def test_one_place():
    assert percent(1419, 2297, places=1) == Decimal("61.8")
    assert percent(878, 2297, places=1) == Decimal("38.2")
    assert percent(1, 8, places=1) == Decimal("12.5")
    assert percent(1, 16, places=1) == Decimal("6.3")  # 6.25 -> 6.3
    assert str(percent(1, 2, places=1)) == "50.0"


def test_no_share_of_nothing():
    assert percent(1, 0) is None
    assert percent(0, None) is None
    assert percent(0, 5) == Decimal("0.00")


def test_control_messages_show_shares_as_percent_does():
    from fractions import Fraction

    from results.controls import Thresholds, run_controls

    assert f"{float(Fraction(13, 800)) * 100:.2f}" == "1.62"  # the float formatting it replaces
    # Invalid 13 of 800 found: 1.625%, above a 1% threshold; the message says 1.63.
    values = {
        "voters": 1000,
        "ballots_received": 1000,
        "issued_station": 800,
        "issued_mobile": 0,
        "spoiled": 0,
        "unused": 200,
        "found_stationary": 800,
        "found_mobile": 0,
        "invalid": 13,
        "votes": {"1": 787},
    }
    report = run_controls(values, candidacies={1: "A"}, thresholds=Thresholds(invalid_share=Fraction(1, 100)))
    (warning,) = [r for r in report.results if r.code == "invalid.high_share"]
    assert "1.63%" in warning.message and "above 1.00%" in warning.message
