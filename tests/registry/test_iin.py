"""IIN validation: generated valid numbers pass and give back their date and sex; every kind of bad number fails."""

import datetime

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from registry import iin


@pytest.fixture(autouse=True)
def _registry_permissions():
    """These are pure tests: no database (this replaces the registry conftest's group sync, which needs one)."""


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


# Example-based tests: published numbers, both sides of every boundary, the exact messages and details.


def _errors(value):
    return [(e.code, str(e.message), e.details) for e in iin.iin_errors(value)]


@pytest.mark.parametrize(
    ("value", "birth_date", "sex"),
    [
        # python-stdnum's doctest (stdnum/kz/iin.py): the first weights give the check digit 1.
        ("921029350851", datetime.date(1992, 10, 29), "M"),
        # py-kz-validators' README: first weights, check digit 8.
        ("791028302728", datetime.date(1979, 10, 28), "M"),
        # kz-iin-validator's README: the first sum is 10, so the second weights give the check digit 2.
        ("061211600012", datetime.date(2006, 12, 11), "F"),
    ],
)
def test_published_iins_are_valid_with_their_birth_date_and_sex(value, birth_date, sex):
    assert iin.iin_errors(value) == []
    assert iin.is_valid(value) is True
    assert iin.check_digit(value[:11]) == int(value[11])
    assert iin.birth_date_and_sex(value) == (birth_date, sex)


def test_the_weights_are_those_of_the_rules():
    assert iin.WEIGHTS_1 == (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
    assert iin.WEIGHTS_2 == (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
    assert iin.CENTURY_SEX == {
        1: (1800, "M"),
        2: (1800, "F"),
        3: (1900, "M"),
        4: (1900, "F"),
        5: (2000, "M"),
        6: (2000, "F"),
    }
    assert (iin.MALE, iin.FEMALE) == ("M", "F")


@pytest.mark.parametrize(
    ("first_eleven", "digit"),
    [
        ("10000000000", 1),  # weight 1 on the first digit
        ("00000000001", 0),  # weight 11 on the last: 11 % 11
        ("00000000002", 0),
        ("01000000000", 2),
        ("00000000090", 2),  # 9 * 10 = 90 = 8 * 11 + 2
        # First sum 10 (5 * 2): the second weights give 5 * 4 % 11 = 9.
        ("05000000000", 9),
        # First sum 10 (1 * 10 on the 10th digit): the second weights give 1 * 1 = 1.
        ("00000000010", 1),
        # First sum 10 (2 * 5 on the 5th digit): the second weights give 2 * 7 % 11 = 3.
        ("00002000000", 3),
    ],
)
def test_check_digit_of_examples(first_eleven, digit):
    assert iin.check_digit(first_eleven) == digit


def test_check_digit_is_none_when_both_sums_give_ten():
    # A prefix of 1 January 1980 (male) whose two sums both give 10, found by search.
    prefix = next(f"8001013{serial:04d}" for serial in range(10000) if iin.check_digit(f"8001013{serial:04d}") is None)
    digits = [int(c) for c in prefix]
    assert sum(d * w for d, w in zip(digits, range(1, 12), strict=True)) % 11 == 10
    assert sum(d * w for d, w in zip(digits, (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2), strict=True)) % 11 == 10


@pytest.mark.parametrize("prefix", ["1234567890", "123456789012", ""])
def test_check_digit_refuses_a_prefix_not_of_eleven_digits(prefix):
    with pytest.raises(ValueError):
        iin.check_digit(prefix)


def test_is_valid_both_ways():
    assert iin.is_valid("921029350851") is True
    assert iin.is_valid("921029350852") is False
    assert iin.is_valid(None) is False


def test_a_value_that_is_not_a_string_has_the_type_error():
    assert _errors(921029350851) == [("iin_type", "An IIN is a string of 12 digits.", {})]


@pytest.mark.parametrize("value", ["92102935085", "9210293508511"])
def test_the_length_error_names_the_length(value):
    n = len(value)
    assert _errors(value) == [("iin_length", f"An IIN has exactly 12 digits, not {n}.", {"length": n})]


def test_the_digits_error():
    assert _errors("92102935085X") == [("iin_not_digits", "An IIN has digits only.", {})]


def test_the_century_error_names_the_seventh_digit_and_the_check_digit_is_still_checked():
    # 9210297 5085 ?: the 7th digit 7 is no century; the check digit is checked all the same.
    prefix = "92102975085"
    digit = iin.check_digit(prefix)
    assert digit is not None
    assert _errors(f"{prefix}{digit}") == [
        (
            "iin_century_digit",
            "The 7th digit of an IIN (century and sex) must be 1 to 6, not 7.",
            {"digit": "7"},
        )
    ]
    wrong = (digit + 1) % 10
    assert [code for code, _m, _d in _errors(f"{prefix}{wrong}")] == ["iin_century_digit", "iin_check_digit"]
    # 0 is no century either (below the smallest).
    prefix = "92102905085"
    assert _errors(f"{prefix}{iin.check_digit(prefix)}")[0][2] == {"digit": "0"}


def test_the_date_error_names_the_six_digits():
    prefix = "92133135085"  # month 13
    digit = iin.check_digit(prefix)
    assert _errors(f"{prefix}{digit}") == [
        ("iin_date", "The first six digits of the IIN (921331) are not a real date.", {"yymmdd": "921331"})
    ]


def test_the_check_digit_error_names_both_digits():
    assert _errors("921029350857") == [
        (
            "iin_check_digit",
            "The IIN's check digit is wrong (expected 1, found 7).",
            {"expected": 1, "found": 7},
        )
    ]


def test_the_not_issuable_error():
    prefix = next(f"8001013{serial:04d}" for serial in range(10000) if iin.check_digit(f"8001013{serial:04d}") is None)
    assert _errors(prefix + "0") == [("iin_not_issuable", "No IIN is issued with these first 11 digits.", {})]


def test_birth_date_and_sex_of_an_invalid_iin_names_every_error():
    prefix = "92102975085"
    expected = iin.check_digit(prefix)
    wrong = (expected + 1) % 10
    with pytest.raises(ValueError) as raised:
        iin.birth_date_and_sex(f"{prefix}{wrong}")
    assert str(raised.value) == (
        "The 7th digit of an IIN (century and sex) must be 1 to 6, not 7.; "
        f"The IIN's check digit is wrong (expected {expected}, found {wrong})."
    )


@pytest.mark.parametrize(
    ("birth_date", "sex", "digit"),
    [
        (datetime.date(1800, 1, 1), "M", "1"),
        (datetime.date(1899, 12, 31), "F", "2"),
        (datetime.date(1900, 1, 1), "M", "3"),
        (datetime.date(1999, 12, 31), "F", "4"),
        (datetime.date(2000, 1, 1), "M", "5"),
        (datetime.date(2099, 12, 31), "F", "6"),
    ],
)
def test_century_and_sex_digit_on_both_sides_of_each_century(birth_date, sex, digit):
    assert iin.century_sex_digit(birth_date, sex) == int(digit)
    value, _used = iin.build_next_iin(birth_date, sex, 1)
    assert value[6] == digit
    assert iin.birth_date_and_sex(value) == (birth_date, sex)


@pytest.mark.parametrize(("year", "sex"), [(1799, "M"), (2100, "F")])
def test_no_century_digit_outside_1800_to_2099(year, sex):
    with pytest.raises(ValueError, match=f"^no IIN century digit for {year} and {sex}$"):
        iin.century_sex_digit(datetime.date(year, 6, 1), sex)
    with pytest.raises(ValueError, match="^no IIN century digit"):
        iin.build_next_iin(datetime.date(year, 6, 1), sex, 1)


def test_a_sex_that_is_neither_has_no_century_digit():
    with pytest.raises(ValueError, match="^no IIN century digit for 1980 and X$"):
        iin.century_sex_digit(datetime.date(1980, 1, 1), "X")


def _issuable(birth_date, sex, serial):
    return iin.check_digit(f"{birth_date:%y%m%d}{iin.century_sex_digit(birth_date, sex)}{serial:04d}") is not None


def test_make_gives_the_serial_in_four_digits_and_the_check_digit():
    assert iin.build_iin(datetime.date(1992, 10, 29), "M", 5085) == "921029350851"
    assert iin.build_iin(datetime.date(1979, 10, 28), "M", 272) == "791028302728"


def test_make_takes_serials_from_0_to_9999():
    day = next(
        datetime.date(1980, 1, 1) + datetime.timedelta(days=k)
        for k in range(400)
        if _issuable(datetime.date(1980, 1, 1) + datetime.timedelta(days=k), "M", 0)
        and _issuable(datetime.date(1980, 1, 1) + datetime.timedelta(days=k), "M", 9999)
    )
    assert iin.build_iin(day, "M", 0)[7:11] == "0000"
    assert iin.build_iin(day, "M", 9999)[7:11] == "9999"
    for serial in (-1, 10000):
        with pytest.raises(ValueError, match=f"^an IIN serial is 0 to 9999, not {serial}$"):
            iin.build_iin(day, "M", serial)


def test_build_iin_refuses_a_serial_never_issued_with_its_reason():
    serial = next(s for s in range(10000) if not _issuable(datetime.date(1980, 1, 1), "M", s))
    with pytest.raises(ValueError, match="^this serial is never issued$"):
        iin.build_iin(datetime.date(1980, 1, 1), "M", serial)


def test_build_next_iin_keeps_an_issuable_serial():
    assert iin.build_next_iin(datetime.date(1992, 10, 29), "M", 5085) == ("921029350851", 5085)


def test_build_next_iin_skips_a_serial_never_issued_to_the_next_one():
    day = datetime.date(1980, 1, 1)
    serial = next(s for s in range(1, 9999) if not _issuable(day, "M", s) and _issuable(day, "M", s + 1))
    assert iin.build_next_iin(day, "M", serial) == (iin.build_iin(day, "M", serial + 1), serial + 1)


def test_build_next_iin_wraps_after_9999_and_counts_on():
    # 27 February 1950, male: serial 9999 is never issued, serial 0 is.
    day = datetime.date(1950, 2, 27)
    assert not _issuable(day, "M", 9999)
    assert _issuable(day, "M", 0)
    assert iin.build_next_iin(day, "M", 9999) == (iin.build_iin(day, "M", 0), 10000)
    assert iin.build_next_iin(day, "M", 10000) == (iin.build_iin(day, "M", 0), 10000)


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("", ""),
        (None, ""),
        ("1", "*"),
        ("12345", "*****"),  # below six: everything hidden
        ("123456", "12**56"),  # six: the ends shown
        ("1234567", "12***67"),
    ],
)
def test_mask_of_short_values(value, masked):
    assert iin.mask(value) == masked
