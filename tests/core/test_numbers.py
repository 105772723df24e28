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
