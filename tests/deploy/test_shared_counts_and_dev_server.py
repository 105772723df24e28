"""Where counts live and how the development server connects:

- the default cache (the API's throttle counts) is Redis when Redis is configured, so every web
  process counts together; each process's memory without it (point 7 of issue 17);
- the development server (`runserver`, `make run`) keeps no persistent PostgreSQL connection:
  it runs a thread per request (point 12)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import caches

ROOT = Path(__file__).resolve().parents[2]


def _settings_value(expression, argv, **env):
    """`expression` evaluated on electadmin.settings imported in a fresh process with this argv and env."""
    environ = {k: v for k, v in os.environ.items() if k not in {"CACHE_URL", "CELERY_BROKER_URL", "CONN_MAX_AGE"}}
    environ.update(DEBUG="1", **env)
    code = f"import sys; sys.argv = {argv!r}; from electadmin import settings as s; print(repr({expression}))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout.strip()


PG = "postgres://someone@127.0.0.1:5432/anything"


def test_the_development_server_closes_its_connection_after_each_request():
    assert _settings_value('s.DATABASES["default"]["CONN_MAX_AGE"]', ["manage.py", "runserver"], DATABASE_URL=PG) == "0"
    assert (
        _settings_value(
            's.DATABASES["default"]["CONN_MAX_AGE"]', ["manage.py", "runserver"], DATABASE_URL=PG, CONN_MAX_AGE="60"
        )
        == "0"
    )
    # Other processes keep CONN_MAX_AGE.
    assert _settings_value('s.DATABASES["default"]["CONN_MAX_AGE"]', ["manage.py", "migrate"], DATABASE_URL=PG) == "60"
    assert _settings_value('s.DATABASES["default"]["CONN_MAX_AGE"]', ["gunicorn"], DATABASE_URL=PG) == "60"


def test_make_run_serves_with_conn_max_age_0():
    run_lines = [line for line in (ROOT / "Makefile").read_text().splitlines() if "manage.py runserver" in line]
    assert run_lines and all("CONN_MAX_AGE=0" in line for line in run_lines)


def test_without_redis_the_counts_stay_in_each_process():
    backend = _settings_value('s.CACHES["default"]["BACKEND"]', ["gunicorn"])
    assert backend == "'django.core.cache.backends.locmem.LocMemCache'"


def test_with_redis_configured_the_default_cache_is_redis():
    assert _settings_value(
        '(s.CACHES["default"]["BACKEND"], s.CACHES["default"]["LOCATION"])',
        ["gunicorn"],
        CELERY_BROKER_URL="redis://redis:6379/0",
    ) == str(("django.core.cache.backends.redis.RedisCache", "redis://redis:6379/0"))
    assert "redis://cache:6379/3" in _settings_value(
        's.CACHES["default"]["LOCATION"]',
        ["gunicorn"],
        CELERY_BROKER_URL="redis://redis:6379/0",
        CACHE_URL="redis://cache:6379/3",
    )


def test_the_migration_role_is_used_by_schema_commands_only():
    owner = "postgres://owner@db:5432/electadmin"
    app = "postgres://app@db:5432/electadmin"
    expr = 's.DATABASES["default"]["USER"]'
    env = {"DATABASE_URL": app, "MIGRATION_DATABASE_URL": owner}
    assert _settings_value(expr, ["manage.py", "migrate"], **env) == "'owner'"
    assert _settings_value(expr, ["manage.py", "setup_db_roles"], **env) == "'owner'"
    assert _settings_value(expr, ["manage.py", "runserver"], **env) == "'app'"
    assert _settings_value(expr, ["gunicorn"], **env) == "'app'"
    assert _settings_value(expr, ["manage.py", "migrate"], DATABASE_URL=app) == "'app'"


@pytest.mark.redis
def test_two_processes_share_one_throttle_count(rf, settings):
    """Two cache clients (as two web processes have) count one token's requests together."""
    from api.throttling import TokenRateThrottle

    if "RedisCache" not in settings.CACHES["default"]["BACKEND"]:
        pytest.fail("with CELERY_BROKER_URL set to Redis, the default cache must be Redis")
    settings.API_THROTTLE_RATE = "3/min"
    first, second = caches.create_connection("default"), caches.create_connection("default")
    assert first is not second and first._cache.get_client(write=True) is not second._cache.get_client(write=True)

    class Anonymous:
        is_authenticated = False

    def allowed(cache):
        throttle = TokenRateThrottle()
        throttle.cache = cache
        request = rf.get("/api/v1/units/", REMOTE_ADDR="203.0.113.77")
        request.user, request.auth = Anonymous(), None
        return throttle.allow_request(request, view=None)

    first.delete(TokenRateThrottle.cache_format % {"scope": "api", "ident": "ip:203.0.113.77"})
    try:
        assert [allowed(first), allowed(second), allowed(first)] == [True, True, True]
        assert allowed(second) is False  # the fourth request, whichever process serves it
        assert allowed(first) is False
    finally:
        first.delete(TokenRateThrottle.cache_format % {"scope": "api", "ident": "ip:203.0.113.77"})
