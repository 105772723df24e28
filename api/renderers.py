"""CSV output (`?format=csv`): flat columns, nested objects as `outer.inner`; every cell through
core.spreadsheets.csv_cell, so that no name is ever read as a formula."""

import csv
import io

from rest_framework import renderers

from core.spreadsheets import csv_cell


def flatten(data, prefix=""):
    """A nested dict as one flat dict with dotted keys; lists become `;`-joined text."""
    flat = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        elif isinstance(value, list | tuple):
            flat[name] = ";".join(
                str(v) if not isinstance(v, dict) else ",".join(f"{k}={x}" for k, x in v.items()) for v in value
            )
        else:
            flat[name] = "" if value is None else value
    return flat


class Echo:
    """A file-like object whose write returns what it is given (for streaming csv.writer)."""

    def write(self, value):
        return value


def csv_lines(header, rows):
    """Yield CSV text lines: the header, then each row (a flat dict); text cells formula-safe."""
    writer = csv.writer(Echo())
    yield writer.writerow([csv_cell(column) for column in header])
    for row in rows:
        yield writer.writerow([csv_cell(row.get(column, "")) for column in header])


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if isinstance(data, dict) and "results" in data and isinstance(data["results"], list):
            data = data["results"]
        view = (renderer_context or {}).get("view")
        lines_of = getattr(view, "csv_lines_of", lambda item: [flatten(item)])
        rows = [row for item in (data if isinstance(data, list) else [data]) for row in lines_of(item)]
        # The view's columns when it has them (a detail has the list's columns, whatever is null),
        # then any other key of the rows (a null nested object is its columns, blank, not one more).
        header = view.csv_header() if hasattr(view, "csv_header") else []
        nested = {column.split(".")[0] for column in header if "." in column}
        for row in rows:
            header.extend(key for key in row if key not in header and key not in nested)
        out = io.StringIO()
        for line in csv_lines(header, rows):
            out.write(line)
        return out.getvalue().encode(self.charset)
