"""IIN validation: generated valid numbers pass and give back their date and sex; every kind of bad number fails."""

import datetime

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from registry import iin

dates = st.dates(min_value=datetime.date(1800, 1, 1), max_value=datetime.date(2099, 12, 31))
sexes = st.sampled_from(["M", "F"])
serials = st.integers(min_value=0, max_value=9999)


def _reference_check_digit(first_eleven):
    """An independent transcription of the rule in docs/DOMAIN.md ("The IIN"), to compare against."""
    d = [int(c) for c in first_eleven]
    s = sum(d[i] * (i + 1) for i in range(11)) % 11
    if s == 10:
        w = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]
        s = sum(d[i] * w[i] for i in range(11)) % 11
        if s == 10:
            return None
    return s


@given(dates, sexes, serials)
def test_generated_iins_are_valid_and_give_back_birth_date_and_sex(birth_date, sex, serial):
    value, _used = iin.build_next_iin(birth_date, sex, serial)
    assert iin.iin_errors(value) == []
    assert iin.birth_date_and_sex(value) == (birth_date, sex)
    assert len(value) == 12 and value.isdigit()


@given(dates, sexes, serials, st.integers(min_value=1, max_value=9))
def test_a_changed_check_digit_is_refused(birth_date, sex, serial, delta):
    value, _ = iin.build_next_iin(birth_date, sex, serial)
    wrong = value[:11] + str((int(value[11]) + delta) % 10)
    codes = [e.code for e in iin.iin_errors(wrong)]
    assert codes == ["iin_check_digit"]
    with pytest.raises(ValueError):
        iin.birth_date_and_sex(wrong)


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_check_digit_matches_the_reference_rule(first_eleven):
    assert iin.check_digit(first_eleven) == _reference_check_digit(first_eleven)


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_any_twelve_digits_are_valid_exactly_when_date_century_and_check_digit_are(value):
    century_ok = value[6] in "123456"
    date_ok = False
    if century_ok:
        base = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}[value[6]]
        try:
            datetime.date(base + int(value[:2]), int(value[2:4]), int(value[4:6]))
            date_ok = True
        except ValueError:
            pass
    check_ok = _reference_check_digit(value[:11]) == int(value[11])
    assert iin.is_valid(value) == (century_ok and date_ok and check_ok)


@given(st.text(min_size=0, max_size=20))
def test_strings_not_of_twelve_ascii_digits_are_refused(value):
    assume(not (len(value) == 12 and value.isascii() and value.isdigit()))
    errors = iin.iin_errors(value)
    assert errors and errors[0].code in {"iin_length", "iin_not_digits"}


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("12345678901", "iin_length"),
        ("1234567890123", "iin_length"),
        ("80010130012a", "iin_not_digits"),
        ("８00101300123", "iin_not_digits"),  # full-width digit
        ("800101000123", "iin_century_digit"),
        ("800101700123", "iin_century_digit"),
    ],
)
def test_bad_forms_have_their_codes(value, code):
    assert code in [e.code for e in iin.iin_errors(value)]


def test_impossible_dates_are_refused_even_with_a_right_check_digit():
    for yymmdd, century in (("210229", "3"), ("800231", "3"), ("801301", "4"), ("800100", "3")):
        prefix = f"{yymmdd}{century}0001"
        digit = iin.check_digit(prefix) or 0
        assert "iin_date" in [e.code for e in iin.iin_errors(f"{prefix}{digit}")]


def test_29_february_of_a_leap_year_is_a_date():
    value, _ = iin.build_next_iin(datetime.date(2000, 2, 29), "F", 1)
    assert value[6] == "6"
    assert iin.birth_date_and_sex(value) == (datetime.date(2000, 2, 29), "F")


def test_century_and_sex_digit():
    assert iin.build_iin(datetime.date(1899, 5, 1), "M", 1)[6] == "1"
    assert iin.build_iin(datetime.date(1985, 5, 1), "F", 1)[6] == "4"
    assert iin.build_iin(datetime.date(2001, 5, 1), "M", 1)[6] == "5"


def test_a_prefix_whose_both_sums_give_ten_is_never_issued():
    # Search deterministically for such a prefix: build_iin() must refuse it.
    for serial in range(10000):
        prefix = f"8001013{serial:04d}"
        if iin.check_digit(prefix) is None:
            with pytest.raises(ValueError):
                iin.build_iin(datetime.date(1980, 1, 1), "M", serial)
            assert "iin_not_issuable" in [e.code for e in iin.iin_errors(prefix + "0")]
            return
    pytest.fail("no unissuable prefix found")


def test_mask_hides_all_but_the_ends():
    assert iin.mask("800101300123") == "80********23"
    assert iin.mask("") == ""
