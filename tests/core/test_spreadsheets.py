"""core.spreadsheets: the one cell function of every CSV and XLSX (issue 17, point 3)."""

from decimal import Decimal

import pytest

from core.spreadsheets import csv_cell, safe_text, xlsx_cell


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_starting_a_formula_gets_an_apostrophe(start):
    assert safe_text(f"{start}SUM(A1)") == f"'{start}SUM(A1)"
    assert csv_cell(f"{start}x") == f"'{start}x"
    assert xlsx_cell(f"{start}x") == f"'{start}x"


@pytest.mark.parametrize("text", ["Қарағанды", "Акмолинская", "a=b", " =x", "'=x", "", "1-2"])
def test_other_text_is_unchanged(text):
    assert csv_cell(text) == text and xlsx_cell(text) == text


def test_numbers_stay_numbers_negative_ones_too():
    assert csv_cell(-5) == -5 and xlsx_cell(-5) == -5
    assert csv_cell(-1.5) == -1.5 and xlsx_cell(Decimal("-1.25")) == -1.25
    assert csv_cell(Decimal("78.54")) == Decimal("78.54")
    assert csv_cell(True) is True and xlsx_cell(0) == 0
    assert csv_cell(None) == "" and xlsx_cell(None) is None
    assert csv_cell("-5") == "'-5"  # text is text: only numbers are exempt
