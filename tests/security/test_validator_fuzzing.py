"""The IIN validator under any Python value (the registry's tests cover strings): a refusal with a
known code or a clean pass, never an exception; the model validator turns refusals into a
ValidationError (one message per refusal) and nothing else."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from registry import iin
from registry.models.people import validate_iin

CODES = {
    "iin_type",
    "iin_length",
    "iin_not_digits",
    "iin_century_digit",
    "iin_date",
    "iin_check_digit",
    "iin_not_issuable",
}
anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.binary(max_size=14),
    st.lists(st.integers(0, 9), max_size=13),
    st.text(max_size=14),
    st.text(alphabet="0123456789٠١٢٣٤٥٦٧٨٩０１２３４５６７８９ \t\n\x00-", min_size=10, max_size=14),
    st.integers(min_value=10**11, max_value=10**12 - 1),  # twelve digits, but not a string
)


@settings(max_examples=500, deadline=None)
@given(anything)
def test_any_value_is_refused_with_codes_or_passes_and_never_raises(value):
    errors = iin.iin_errors(value)
    assert {e.code for e in errors} <= CODES
    if not errors:
        assert isinstance(value, str) and len(value) == 12 and value.isascii() and value.isdigit()
        assert iin.birth_date_and_sex(value)
    try:
        validate_iin(value)
    except ValidationError as error:
        assert errors and len(error.messages) == len(errors)
    else:
        assert not errors


@pytest.mark.parametrize("value", [123456789012, None, b"880101300123", "８８０１０１３００１２３"])
def test_near_misses_are_refused(value):
    assert iin.iin_errors(value)
