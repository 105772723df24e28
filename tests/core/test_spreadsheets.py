"""core.spreadsheets: the one cell function of every CSV and XLSX (issue 17, point 3)."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

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


def test_a_moment_is_written_to_the_second_with_its_offset_in_csv_and_as_wall_time_in_xlsx():
    moment = datetime.datetime(2021, 7, 26, 2, 0, 5, 999999, tzinfo=ZoneInfo("Asia/Aqtau"))
    assert csv_cell(moment) == "2021-07-26 02:00:05+05:00"  # cut, not rounded: never a second later
    assert xlsx_cell(moment) == datetime.datetime(2021, 7, 26, 2, 0, 5)  # Excel has no zones
    assert xlsx_cell(moment).tzinfo is None
