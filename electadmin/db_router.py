"""Optional read replica for the read-only API: a database router and the middleware that turns it on.

When `DATABASE_REPLICA_URL` is set, settings add a `replica` database alias and this router.
Reads go to the replica only while `use_replica()` is active, which the middleware enables for
safe requests (GET, HEAD, OPTIONS) under /api/; the admin, clerk pages, Celery tasks and every
write keep using `default`. Inside a transaction on `default` reads stay on `default`, so a
service never reads stale rows it is about to change.
"""

import contextlib
import contextvars

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA_DB_ALIAS = "replica"
API_PATH_PREFIX = "/api/"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_use_replica = contextvars.ContextVar("electadmin_use_replica", default=False)


def replica_configured():
    return REPLICA_DB_ALIAS in connections.settings


@contextlib.contextmanager
def use_replica():
    """Route reads in this block to the replica (when one is configured)."""
    token = _use_replica.set(True)
    try:
        yield
    finally:
        _use_replica.reset(token)


class ReplicaRouter:
    """Reads to `replica` inside use_replica(); everything else to `default`."""

    def db_for_read(self, model, **hints):
        if not _use_replica.get() or not replica_configured():
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as default: objects from either may be related.
        aliases = {DEFAULT_DB_ALIAS, REPLICA_DB_ALIAS}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica follows the primary through replication; never migrate it directly.
        if db == REPLICA_DB_ALIAS:
            return False
        return None


class ReplicaForApiMiddleware:
    """Enables use_replica() for safe requests to the API."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in SAFE_METHODS and request.path.startswith(API_PATH_PREFIX):
            with use_replica():
                return self.get_response(request)
        return self.get_response(request)
