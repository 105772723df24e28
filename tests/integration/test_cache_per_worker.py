"""With Redis as the default cache, each test process has a Redis database of its own (tests/conftest.py):
a fixture emptying the cache (the API's throttle counts) leaves other processes' counts and the
Celery broker's queue (database 0) alone. On CI's first pass, ran before the fix, a parallel test's
flush reset a throttle count mid-test (200 where 429 was due)."""

import os

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import cache

pytestmark = pytest.mark.redis


def test_the_default_cache_is_this_processs_own_database_and_not_the_brokers():
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    location = django_settings.CACHES["default"]["LOCATION"]
    assert location.endswith(f"/{1 + worker}")
    cache.set("isolation-probe", "here", 30)
    broker = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    own = redis.Redis.from_url(location)
    try:
        assert not broker.keys("*isolation-probe*")
        assert own.keys("*isolation-probe*")
    finally:
        cache.delete("isolation-probe")
