"""Liveness (/healthz) and readiness (/readyz) probes: JSON bodies, no authentication, no data.

/healthz answers 200 as long as the process serves requests. /readyz answers 200 when the
database is reachable, the Celery broker is reachable (when one is configured) and every
migration is applied; otherwise 503 with the failing dependency named in `failing`. Error
details go to the log, never into the response (they may name hosts or users).

`warnings` names what is unsafe but does not stop the process from serving (still 200): on
PostgreSQL, `database_role_owns_audit_table` when the application connects as the role that owns
the audit table (it could disable the table's triggers, truncate or rewrite it: run the app as
a separate role, docs/OPERATIONS.md section 11), and `database_role_is_superuser`.
"""

import logging

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

# Seconds to wait for the broker: a probe must answer well inside the load balancer's timeout.
BROKER_TIMEOUT = 1.0

OK = "ok"
FAIL = "fail"
SKIPPED = "skipped"


def check_database(alias=DEFAULT_DB_ALIAS):
    connection = connections[alias]
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        logger.warning("readyz: database %s unreachable: %s", alias, type(exc).__name__)
        return FAIL
    return OK


def check_migrations(alias=DEFAULT_DB_ALIAS):
    try:
        executor = MigrationExecutor(connections[alias])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        logger.warning("readyz: cannot read migration state: %s", type(exc).__name__)
        return FAIL
    if plan:
        logger.warning("readyz: %d migration(s) not applied", len(plan))
        return FAIL
    return OK


def check_broker(url=None):
    url = settings.CELERY_BROKER_URL if url is None else url
    if not url:
        # No broker configured: tasks run eagerly in-process, nothing to reach.
        return SKIPPED
    from kombu import Connection

    try:
        with Connection(
            url,
            connect_timeout=BROKER_TIMEOUT,
            transport_options={"socket_timeout": BROKER_TIMEOUT, "socket_connect_timeout": BROKER_TIMEOUT},
        ) as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT)
    except Exception as exc:
        logger.warning("readyz: broker unreachable: %s", type(exc).__name__)
        return FAIL
    return OK


AUDIT_TABLE = "core_auditevent"


def database_role_warnings(alias=DEFAULT_DB_ALIAS):
    """What is wrong with the role the application connects as (PostgreSQL; [] elsewhere)."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return []
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT r.rolsuper, COALESCE(pg_has_role(current_user, c.relowner, 'USAGE'), false) "
                "FROM pg_roles r LEFT JOIN pg_class c ON c.oid = to_regclass(%s) WHERE r.rolname = current_user",
                [AUDIT_TABLE],
            )
            superuser, owns = cursor.fetchone()
    except Exception as exc:
        logger.warning("readyz: cannot read the database role: %s", type(exc).__name__)
        return []
    warnings = []
    if owns:
        warnings.append("database_role_owns_audit_table")
    if superuser:
        warnings.append("database_role_is_superuser")
    return warnings


@never_cache
@require_safe
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    checks = {"database": check_database(), "broker": check_broker()}
    # Migration state needs the database; report it as failing when the database is down.
    checks["migrations"] = check_migrations() if checks["database"] == OK else FAIL
    failing = [name for name, state in checks.items() if state == FAIL]
    body = {"status": "unavailable" if failing else "ok", "checks": checks, "failing": failing}
    warnings = database_role_warnings() if checks["database"] == OK else []
    if warnings:
        body["warnings"] = warnings
    return JsonResponse(body, status=503 if failing else 200)
