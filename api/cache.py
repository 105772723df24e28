"""Rendered list pages kept in Django's cache, for resources that change only when aggregation runs.

A viewset opts in with `page_version(request)`: a value read from the database on every request
that changes whenever the rows of the page change (for the result tables: the signature of the
election's roll-up rows, which every aggregation run writes; api.resources.results_totals). The key holds that
version, so a page is never served after the data under it changed, from any process: with the per-process
cache of settings (LocMemCache, alias "api-pages") each gunicorn worker keeps its own copies, all
keyed by the same database version; a shared cache (Redis, memcached) works the same way.

The key also holds everything else the bytes depend on: the resource, the full path with its
query, the accepted media type, the active language and time zone, and the request's territory
(api.scoping), so one territory's page is never served to another. Only JSON answers of GET
with status 200 are kept. What changes without aggregation (a unit's or a candidate's name
corrected in the admin) may lag by at most API_CACHE_SECONDS.
"""

import hashlib

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import InvalidCacheBackendError
from django.utils import timezone, translation

from .scoping import scope_for_request

ALIAS = "api-pages"


def timeout():
    return getattr(settings, "API_CACHE_SECONDS", 60)


def _cache():
    """The "api-pages" cache (settings.CACHES), apart from the default one so that pages never push
    out throttle counters; the default cache where it is not configured."""
    try:
        return caches[ALIAS]
    except InvalidCacheBackendError:
        return caches["default"]


def page_key(view, request, version):
    """The cache key of this request's page, or None when the page is not to be cached."""
    if version is None or not timeout() or request.method != "GET":
        return None
    renderer = getattr(request, "accepted_renderer", None)
    if renderer is None or renderer.format != "json":
        return None
    scope = scope_for_request(request)
    parts = (
        view.basename,
        request.get_full_path(),
        request.accepted_media_type,
        translation.get_language() or "",
        timezone.get_current_timezone_name(),
        "national" if scope.national else "",
        sorted(scope.region_ids),
        sorted(scope.district_ids),
        sorted(scope.station_ids),
        version,
    )
    return "api-page:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def get(key):
    """(content type, body) of a kept page, or None."""
    return _cache().get(key)


def keep(key, response):
    """Keep a rendered 200 response's content type and body."""
    _cache().set(key, (response["Content-Type"], response.content), timeout())


def clear():
    _cache().clear()
