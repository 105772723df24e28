"""Properties of the KATO functions, over generated codes."""

from hypothesis import given
from hypothesis import strategies as st

from territory import kato

digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


@given(st.text(max_size=12))
def test_only_nine_ascii_digits_not_starting_00_are_well_formed(code):
    well_formed = len(code) == 9 and code.isascii() and code.isdigit() and not code.startswith("00")
    assert (kato.kato_errors(code) == []) == well_formed


@given(digits.filter(lambda c: not c.startswith("00")))
def test_parent_code_is_a_higher_level_prefix(code):
    level = kato.level_of_code(code)
    parent = kato.parent_code(code)
    if level == 1:
        assert parent is None
        return
    assert kato.kato_errors(parent) == []
    assert kato.level_of_code(parent) < level
    assert code.startswith(kato.significant_prefix(parent, kato.level_of_code(parent)))


@given(digits.filter(lambda c: not c.startswith("00")))
def test_a_code_sits_under_its_parent_code_when_the_kinds_nest(code):
    level = kato.level_of_code(code)
    parent = kato.parent_code(code)
    if level == 1 or kato.level_of_code(parent) != level - 1:
        return
    kind, parent_kind = kato.DEFAULT_KIND[level], kato.DEFAULT_KIND[level - 1]
    assert kato.nesting_errors(code, kind, parent, parent_kind) == []
