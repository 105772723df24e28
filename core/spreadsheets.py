"""Cells of every CSV and XLSX the project writes: text is never read as a formula (CSV injection).

A spreadsheet program runs a cell that begins with `=`, `+`, `-` or `@` (and, in some programs, a
tab or a carriage return before one) as a formula: a candidate named "=HYPERLINK(...)" would be a
link, or a command, in the exported file of whoever opens it. Such text is written with a leading
apostrophe, which spreadsheets show as plain text. Only text is touched: numbers stay numbers (a
negative count is an int, not text), so sums still work; None is an empty cell.

A moment (an aware datetime, already in the zone the export names in its header) is written to the
second: in CSV as ISO 8601 with its UTC offset ("2021-07-26 02:00:00+05:00"), in XLSX as a date
cell of its wall-clock time (Excel has no time zones).

The API's `?format=csv` (api.renderers) and the dashboard's exports (results.exports) write every
cell through `csv_cell` or `xlsx_cell`.
"""

import datetime
from decimal import Decimal

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value):
    """`value` as text that a spreadsheet shows as written, never runs as a formula."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_cell(value):
    """A value for csv.writer: numbers (and booleans) as they are, None as "", any other as safe text."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=0).isoformat(sep=" ")
    return safe_text(value)


def xlsx_cell(value):
    """A value for an openpyxl row: numbers as numbers (a Decimal as a float), None empty, text safe."""
    if value is None or isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=0, tzinfo=None)
    return safe_text(value)
