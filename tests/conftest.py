"""Suite-wide fixtures and the service markers (postgres, redis, browser)."""

import os
import shutil

import pytest
from django.conf import settings
from django.db import connection

# The second pass of .ci/run sets this: a test that needs a service fails instead of skipping.
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
IN_CI = os.environ.get("CI", "").lower() == "true"


def _missing(marker_name):
    if marker_name == "postgres" and connection.vendor != "postgresql":
        return "needs PostgreSQL (set DATABASE_URL)"
    if marker_name == "redis" and not settings.CELERY_BROKER_URL:
        return "needs Redis and a Celery worker (set CELERY_BROKER_URL)"
    if marker_name == "browser" and not (shutil.which("chromium") and shutil.which("chromedriver")):
        return "needs Debian's chromium and chromium-driver"
    return None


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    """Tests compare messages in English, the source language, whatever catalogues are compiled
    (`make test` compiles kk and ru first): a request without a language cookie or Accept-Language
    gets English, and so does code run outside requests. tests/i18n sets the languages it checks."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _own_redis_cache_per_worker(settings):
    """With Redis as the default cache (CI's second pass), each test process gets a database of its
    own (1 + the xdist worker's number; the broker keeps 0): the fixtures that empty the cache
    between tests (throttle counts) flush only their own process's keys, never another process's
    counts in the middle of its test, nor the Celery broker's queue."""
    default = settings.CACHES["default"]
    location = default.get("LOCATION", "")
    if not (isinstance(location, str) and location.startswith(("redis://", "rediss://"))):
        return
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    server = location.rsplit("/", 1)[0] if location.count("/") > 2 else location
    settings.CACHES = {**settings.CACHES, "default": {**default, "LOCATION": f"{server}/{1 + worker}"}}


@pytest.fixture(scope="session", autouse=True)
def _flush_past_the_audit_truncate_triggers():
    """On PostgreSQL the audit tables refuse TRUNCATE (core migration 0006), and Django empties the
    database between transactional tests with TRUNCATE: the suite's flush (only) turns their
    triggers off around it, as the tables' owner may."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        sql = original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        guarded = [table for table in ("core_auditevent", "core_auditcheckpoint") if table in tables]
        if not sql or not guarded:
            return sql
        off = [f'ALTER TABLE "{table}" DISABLE TRIGGER USER' for table in guarded]
        on = [f'ALTER TABLE "{table}" ENABLE TRIGGER USER' for table in guarded]
        return [*off, *sql, *on]

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original


def pytest_runtest_setup(item):
    for name in ("postgres", "redis", "browser"):
        if item.get_closest_marker(name) is None:
            continue
        reason = _missing(name)
        if reason is None:
            continue
        must_run = (name == "browser" and IN_CI) or (name != "browser" and REQUIRE_SERVICES)
        if must_run:
            pytest.fail(f"{item.nodeid} {reason}, and this run requires it", pytrace=False)
        pytest.skip(reason)
