"""Reading a nominations file (CSV or XLSX) into rows for `services.import_nominations`."""

import csv
import io

from django.utils.translation import gettext as _

from core.text import UndecodableFile, decode_text_file

from . import errors
from .services.bulk import COLUMNS, missing_columns

MAX_ROWS = 20000


def _reject(code, message):
    return errors.ImportRejected(
        details={"rows": [{"row": 0, "status": "error", "errors": [{"code": code, "message": message}]}]}
    )


def _normalise(header):
    return [str(h).strip().lower() if h is not None else "" for h in header]


def _rows_from(header, records):
    header = _normalise(header)
    missing = missing_columns(header)
    if missing:
        raise _reject("missing_columns", _("Missing columns: %(cols)s.") % {"cols": ", ".join(missing)})
    rows = []
    for record in records:
        values = list(record)
        if not any(v not in (None, "") for v in values):
            continue  # blank line
        rows.append({name: values[i] if i < len(values) else None for i, name in enumerate(header) if name in COLUMNS})
        if len(rows) > MAX_ROWS:
            raise _reject("too_many_rows", _("At most %(n)d rows per file.") % {"n": MAX_ROWS})
    return rows


def read_csv(data, encoding=None):
    """Rows of a CSV file (bytes; UTF-8 with or without BOM, else Windows-1251, or the `encoding`
    named; comma, semicolon or tab separated)."""
    try:
        text, _used = decode_text_file(data, encoding)
    except UndecodableFile as exc:
        raise _reject(exc.code, exc.message) from exc
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader, None)
        if header is None:
            raise _reject("empty", _("The file is empty."))
        return _rows_from(header, reader)
    except csv.Error as exc:  # a field over csv's limit (128 KiB), a broken quote
        raise _reject("bad_csv", _("Line %(line)d: %(error)s.") % {"line": reader.line_num, "error": exc}) from exc


def read_xlsx(data):
    """Rows of the first sheet of an XLSX workbook (bytes)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise _reject("bad_file", _("The file is not a readable XLSX workbook.")) from exc
    try:
        records = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(records, None)
        if header is None:
            raise _reject("empty", _("The file is empty."))
        return _rows_from(header, records)
    finally:
        workbook.close()


def read_file(data, filename, encoding=None):
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        return read_xlsx(data)
    if name.endswith((".csv", ".txt")):
        return read_csv(data, encoding)
    raise _reject("bad_format", _("Upload a .csv or .xlsx file."))


def import_file(actor, election, data, filename, *, register=False, encoding=None):
    """Read and import a nominations file, all or nothing (see services.import_nominations)."""
    from .services import import_nominations

    return import_nominations(actor, election, read_file(data, filename, encoding), register=register)
