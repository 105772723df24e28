"""The base of every API resource: read-only, authenticated, throttled, JSON/CSV, scoped lists."""

import itertools

from django.db.models import Count
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from rest_framework import renderers, routers, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer, ListSerializer

from . import cache as page_cache
from .authentication import ApiTokenAuthentication
from .errors import exception_handler
from .filters import ApiFilterBackend
from .pagination import PageNumberPagination, default_page_size
from .parameters import check_parameters
from .permissions import IsAuditor
from .prepared import PreparedValues
from .renderers import CSVRenderer, JSONRenderer, csv_lines, flatten
from .schema import ApiSchema
from .scoping import scope_for_request
from .throttling import TokenRateThrottle


class ApiMixin:
    """Authentication, permission, throttling, rendering and error bodies of the whole API."""

    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuditor]
    throttle_classes = [TokenRateThrottle]
    renderer_classes = [JSONRenderer, renderers.BrowsableAPIRenderer, CSVRenderer]
    schema = ApiSchema()

    def get_exception_handler(self):
        return exception_handler

    def initial(self, request, *args, **kwargs):
        # After authentication, permission and throttling: a stranger learns no parameter names.
        super().initial(request, *args, **kwargs)
        check_parameters(self, request)

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors are always JSON, whatever format was asked for.
        renderer = getattr(request, "accepted_renderer", None)
        if response.status_code >= 400 and renderer is not None and renderer.format == "csv":
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = request.accepted_renderer.media_type
        elif (
            renderer is not None
            and renderer.format == "csv"
            and hasattr(self, "csv_filename")
            and not response.has_header("Content-Disposition")
        ):
            response["Content-Disposition"] = f'attachment; filename="{self.csv_filename()}"'
        return super().finalize_response(request, response, *args, **kwargs)


PAGING_PARAMETERS = frozenset({"page", "page_size", "cursor"})


class _CountedPlain:
    """The rows of a list page from `.values(*fields)`, counted on the filtered queryset itself.

    A page-number paginator counts the rows it pages; counted on the `.values()` queryset, the
    count keeps the joins its related columns need (person, party, election for candidates: 13 ms
    per page for 9,500 candidacies), while the filtered queryset counts with the filters' joins only
    (an index-only scan, under 2 ms). Cursor pagination slices without counting."""

    ordered = True

    def __init__(self, filtered, fields):
        self._filtered = filtered
        self._rows = filtered.values(*fields)

    def count(self):
        return self._filtered.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        return self._rows[index]

    def __getattr__(self, name):
        # Anything else a paginator asks of a queryset (order_by and filter for cursors, the model,
        # the query) is the rows' queryset's.
        return getattr(self._rows, name)


class _PreparedPlain(_CountedPlain):
    """_CountedPlain for a plain request of a national token (one id filter, no other parameter):
    the count and the first page (the slice a paginator asks for it) run as queries compiled once
    per resource (api.prepared), with the request's id as their parameter; the SQL is the one the
    ORM writes for the same queryset. Any other slice or ordering goes through the ORM."""

    def __init__(self, filtered, fields, prepared, value):
        super().__init__(filtered, fields)
        self._prepared, self._value = prepared, value

    def count(self):
        found = self._prepared.count.rows(self._rows.db, value=self._value)
        return found[0][0] if found else 0

    def order_by(self, *fields):
        if tuple(fields) == tuple(self._rows.query.order_by):
            return self
        return self._rows.order_by(*fields)

    def __getitem__(self, index):
        page = self._prepared.pages.get((index.start, index.stop)) if isinstance(index, slice) else None
        if page is None or index.step is not None:
            return super().__getitem__(index)
        return page.dicts(self._rows.db, value=self._value)


class _PreparedPages:
    """The compiled count and first pages (page size and page size + 1 rows, for numbered and
    cursor pages) of one resource filtered by one id lookup."""

    def __init__(self, queryset, lookup, fields, size):
        def count(value):
            filtered = queryset.filter(**{lookup: value}).order_by()
            return filtered.values(lookup).annotate(_n=Count("pk")).values_list("_n")

        def page(stop):
            return lambda value: queryset.filter(**{lookup: value}).values(*fields)[:stop]

        self.count = PreparedValues(count, value=-7)
        self.pages = {(None, stop): PreparedValues(page(stop), value=-7) for stop in (size, size + 1)}
        self.pages.update({(0, stop): prepared for (_, stop), prepared in list(self.pages.items())})


class ReadOnlyViewSet(ApiMixin, viewsets.ReadOnlyModelViewSet):
    """List and retrieve only. `?format=csv` on a list streams every matching row, unpaginated."""

    # Any path segment reaches the view, so that a malformed id gets the JSON 404 of the API.
    lookup_value_regex = "[^/]+"
    filter_backends = [ApiFilterBackend]
    pagination_class = PageNumberPagination
    csv_chunk_size = 2000
    # Fast list pages (api.rows): the `.values()` a list page selects, and a function from a
    # page of those dicts to the rows of the response. None: the serializer builds the page.
    list_fields = None
    # (lookup, value) of a page served by _PreparedPlain (set by _plain_rows): list_rows may read
    # the page's related rows by the same lookup. None otherwise.
    plain_value = None

    def list_rows(self, rows):
        raise NotImplementedError

    # Id filters of the plain path: {parameter: (lookup, exists)}. A request whose parameters are
    # only these (each given once, a plain integer id for which `exists(id)`) and the paging ones
    # is filtered by the lookups alone, without building the FilterSet (its form, deep-copied
    # filters and the filter's own query cost about 5 ms of CPU a request); anything else goes
    # through the FilterSet, which answers as before (a 400 naming an unknown id, for instance).
    plain_filters = {}

    def filter_queryset(self, queryset):
        lookups = self._plain_lookups()
        if lookups is None:
            return super().filter_queryset(queryset)
        return queryset.filter(**lookups) if lookups else queryset

    def _plain_lookups(self):
        if not hasattr(self, "_plain"):
            self._plain = self._find_plain_lookups()
        return self._plain

    def _find_plain_lookups(self):
        if not self.plain_filters:
            return None
        params = self.request.query_params
        lookups = {}
        for name in params:
            values = params.getlist(name)
            if name in PAGING_PARAMETERS and len(values) == 1:
                continue
            if name not in self.plain_filters or len(values) != 1:
                return None
            raw = values[0]
            lookup, exists = self.plain_filters[name]
            if not (raw.isascii() and raw.isdigit() and len(raw) <= 18 and exists(int(raw))):
                return None
            lookups[lookup] = int(raw)
        return lookups

    def page_version(self, request):
        """A value that changes whenever this resource's rows change, to keep rendered list pages
        in the cache under (api.cache); None: pages are not kept."""
        return None

    def prepare_rows(self, rows):
        """Attach data loaded in bulk to a page (or CSV chunk, or one object); override as needed."""
        return rows

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return self.prepare_rows(page) if page is not None else None

    def get_object(self):
        value = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, "")
        if not (value.isascii() and value.isdigit() and len(value) <= 18):
            raise NotFound()
        obj = super().get_object()
        self.prepare_rows([obj])
        return obj

    def list(self, request, *args, **kwargs):
        if getattr(request.accepted_renderer, "format", None) == "csv":
            # Unpaged, but the paging parameters are checked as for JSON: the schema is the same.
            self.paginator.check_parameters(request)
            return self.stream_csv(self.filter_queryset(self.get_queryset()))
        key = page_cache.page_key(self, request, self.page_version(request))
        if key is not None:
            kept = page_cache.get(key)
            if kept is not None:
                content_type, body = kept
                return HttpResponse(body, content_type=content_type)
            self._keep_page_as = key
        if self.list_fields is None:
            return super().list(request, *args, **kwargs)
        filtered = self.filter_queryset(self.get_queryset())
        page = self.paginator.paginate_queryset(self._plain_rows(filtered), request, view=self)
        return self.get_paginated_response(self.list_rows(page))

    # {(viewset class, lookup, page size): _PreparedPages}, filled on first use.
    _prepared_pages = {}

    def _plain_rows(self, filtered):
        """The rows of a list page: prepared (_PreparedPlain) for the first page of a national
        token's request filtered by one plain id alone (`?election=<id>`, the auditors' usual
        request), else _CountedPlain."""
        lookups = self._plain_lookups()
        if not lookups or len(lookups) != 1 or len(self.request.query_params) != 1:
            return _CountedPlain(filtered, self.list_fields)
        if not scope_for_request(self.request).national:
            return _CountedPlain(filtered, self.list_fields)
        ((lookup, value),) = lookups.items()
        self.plain_value = (lookup, value)
        size = default_page_size()
        key = (type(self), lookup, size)
        prepared = self._prepared_pages.get(key)
        if prepared is None:
            prepared = self._prepared_pages[key] = _PreparedPages(self.get_queryset(), lookup, self.list_fields, size)
        return _PreparedPlain(filtered, self.list_fields, prepared, value)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        key = getattr(self, "_keep_page_as", None)
        if key is not None and isinstance(response, Response) and response.status_code == 200:
            response.render()
            page_cache.keep(key, response)
        return response

    # CSV of a resource whose rows hold a list of candidates: (field, serializer of one item) makes
    # one CSV line per item, the row's columns repeated, the item's as `field.column` (a row whose
    # list is empty still has its line, those columns blank). None: lists are `;`-joined in a cell.
    csv_rows_per = None

    def csv_header(self):
        header = list(flatten(_blank(self.get_serializer_class()())).keys())
        if self.csv_rows_per is None:
            return header
        field, item_serializer = self.csv_rows_per
        return [c for c in header if c != field] + [f"{field}.{c}" for c in flatten(_blank(item_serializer()))]

    def csv_lines_of(self, item):
        """The flat CSV rows of one serialized row (see csv_rows_per)."""
        if self.csv_rows_per is None:
            return [flatten(item)]
        field = self.csv_rows_per[0]
        outer = flatten({k: v for k, v in item.items() if k != field})
        return [{**outer, **flatten(inner, f"{field}.")} for inner in item.get(field) or [{}]]

    def csv_filename(self):
        """`<resource>[-election-<id>].csv`: the resource's path segment, and the election when the
        request names one (a valid `election` filter or the election's own row)."""
        resource = self.request.path.rstrip("/").split("/")[-1 if self.action == "list" else -2]
        election = self.request.query_params.get("election", "") if self.action == "list" else ""
        if self.action != "list" and self.basename == "election":
            election = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, "")
        if election.isascii() and election.isdigit():
            return f"{resource}-election-{election}.csv"
        by_election = self.action == "list" and "election" in getattr(self.filterset_class, "base_filters", {})
        return f"{resource}-all-elections.csv" if by_election else f"{resource}.csv"

    def stream_csv(self, queryset):
        serializer_class = self.get_serializer_class()
        context = self.get_serializer_context()
        header = self.csv_header()

        def rows():
            iterator = queryset.iterator(chunk_size=self.csv_chunk_size)
            while chunk := list(itertools.islice(iterator, self.csv_chunk_size)):
                self.prepare_rows(chunk)
                for item in serializer_class(chunk, many=True, context=context).data:
                    yield from self.csv_lines_of(item)

        response = StreamingHttpResponse(csv_lines(header, rows()), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.csv_filename()}"'
        return response


def _blank(serializer):
    """The serializer's field names as a nested dict (for the CSV header)."""
    return {
        name: _blank(field) if isinstance(field, BaseSerializer) and not isinstance(field, ListSerializer) else None
        for name, field in serializer.fields.items()
    }


class ApiRootView(ApiMixin, routers.APIRootView):
    """The resources of the auditors' API."""

    schema = None  # not an endpoint of the schema


class ApiRouter(routers.DefaultRouter):
    APIRootView = ApiRootView
    include_format_suffixes = False


def not_found(request, *args, **kwargs):
    """Any other path under /api/: the API's JSON 404 instead of an HTML page."""
    return JsonResponse({"status": 404, "code": "not_found", "detail": _("No such API path.")}, status=404)
