"""Pagination: page numbers for reference data, cursors (stable under inserts) for growing tables.

`page_size` is bounded: anything but an integer from 1 to MAX_PAGE_SIZE is answered with 400
naming the parameter (no silent clamping, so a client never mistakes a short page for the end).
"""

import base64

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError

MAX_PAGE_SIZE = 1000
MAX_PAGE = 999_999_999  # a page number of 9 digits at most (the schema says so)
PAGE_SIZE_HELP = _("Results per page, 1 to 1000.")


def default_page_size():
    return getattr(settings, "API_PAGE_SIZE", 100)


def bounded_page_size(request, param="page_size"):
    raw = request.query_params.get(param)
    if raw is None or raw == "":
        return default_page_size()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6 and 1 <= int(raw) <= MAX_PAGE_SIZE):
        raise ValidationError(
            {param: [_("Must be an integer from 1 to %(max)d.") % {"max": MAX_PAGE_SIZE}]}, code="invalid"
        )
    return int(raw)


def page_size_parameter_schema(param):
    return {
        "name": param,
        "required": False,
        "in": "query",
        "description": str(PAGE_SIZE_HELP),
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
    }


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        return bounded_page_size(request, self.page_size_query_param)

    def check_parameters(self, request):
        """400 for a page size or page number the schema refuses (also where nothing is paged: CSV)."""
        self.get_page_size(request)
        self._check_page(request)

    def _check_page(self, request):
        raw = request.query_params.get(self.page_query_param)
        valid = (
            raw is None
            or raw == "last"
            or (raw.isascii() and raw.isdigit() and 0 < len(raw) <= 9 and 1 <= int(raw) <= MAX_PAGE)
        )
        if not valid:
            raise ValidationError({self.page_query_param: [_("Must be a positive integer.")]}, code="invalid")
        return raw

    def paginate_queryset(self, queryset, request, view=None):
        raw = self._check_page(request)
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound:
            raise NotFound(_("There is no page %(page)s.") % {"page": raw}, code="page_not_found") from None

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        for param in params:
            if param["name"] == self.page_query_param:
                param["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}
        return [p for p in params if p["name"] != self.page_size_query_param] + [
            page_size_parameter_schema(self.page_size_query_param)
        ]


class CursorPagination(pagination.CursorPagination):
    """Cursor pagination over a unique, increasing integer key (default `id`)."""

    ordering = "id"
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    invalid_cursor_message = _("Invalid cursor: use the `next` or `previous` link as given.")

    def invalid_cursor(self):
        # Any text is a well-formed cursor (the schema's); one this API did not give names no page: 404,
        # as a page number past the last.
        return NotFound(self.invalid_cursor_message, code="invalid_cursor")

    def get_page_size(self, request):
        return bounded_page_size(request, self.page_size_query_param)

    def check_parameters(self, request):
        """400 for a page size the schema refuses, 404 for a cursor not given (also for CSV)."""
        self.get_page_size(request)
        self.decode_cursor(request)

    def decode_cursor(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        try:
            if encoded:
                base64.b64decode(encoded.encode("ascii"), validate=True)
            cursor = super().decode_cursor(request)
        except (NotFound, ValueError):
            raise self.invalid_cursor() from None
        if cursor is not None and cursor.position is not None:
            # The position is compared with an integer key: anything else would reach the database.
            position = cursor.position
            if not (position.lstrip("-").isascii() and position.lstrip("-").isdigit() and len(position) <= 19):
                raise self.invalid_cursor()
        return cursor

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        return [p for p in params if p["name"] != self.page_size_query_param] + [
            page_size_parameter_schema(self.page_size_query_param)
        ]
