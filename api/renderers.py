"""The API's renderers: JSON through orjson, with DRF's bytes; CSV output (`?format=csv`): flat
columns, nested objects as `outer.inner`; every cell through core.spreadsheets.csv_cell, so that no
name is ever read as a formula."""

import csv
import io

import orjson
from rest_framework import renderers
from rest_framework.utils import encoders

from core.spreadsheets import csv_cell

_ESCAPED = (("\u2028".encode(), b"\\u2028"), ("\u2029".encode(), b"\\u2029"))


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON renderer, compact output written by orjson (a page of 100 rows: about a third of
    the time of the standard library's encoder, docs/PERFORMANCE.md, "API").

    The same bytes as DRF's for what the API renders: compact separators, UTF-8 text, U+2028 and
    U+2029 escaped; dates, times, decimals and lazy texts through DRF's own encoder (orjson passes
    them to it). Anything orjson refuses (a key that is not text, an integer beyond 64 bits) and
    indented output (`; indent=N`) go through DRF's renderer as before. Floats are written in
    their shortest form by both; only an exponent's spelling could differ (1e-05 and 1e-5), which
    no figure of the API reaches, and means the same number. A float that is not a number (none of
    the API's figures is one) is written as null, where DRF's encoder refuses it."""

    _default = encoders.JSONEncoder().default

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        indent = self.get_indent(accepted_media_type, renderer_context or {})
        if indent is not None or not self.compact or self.ensure_ascii or not self.strict:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            body = orjson.dumps(data, default=self._default, option=orjson.OPT_PASSTHROUGH_DATETIME)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        if b"\xe2\x80" in body:
            for raw, escaped in _ESCAPED:
                body = body.replace(raw, escaped)
        return body


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
