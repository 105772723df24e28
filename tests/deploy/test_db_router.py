"""The API read replica: reads routed to a second database alias inside use_replica(), writes never."""

import copy
import os
import subprocess
import sys

import pytest
from django.contrib.auth.models import Group
from django.db import connections, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from electadmin.db_router import REPLICA_DB_ALIAS, ReplicaForApiMiddleware, ReplicaRouter, use_replica

router = ReplicaRouter()


@pytest.fixture(scope="module")
def replica(django_db_setup, django_db_blocker):
    """A second alias on the same test database, as a streaming replica would be (same rows).

    Module-scoped so that it exists before pytest-django sets up each test's databases.
    """
    connections.settings[REPLICA_DB_ALIAS] = copy.deepcopy(connections["default"].settings_dict)
    yield connections[REPLICA_DB_ALIAS]
    with django_db_blocker.unblock():
        connections[REPLICA_DB_ALIAS].close()
    del connections[REPLICA_DB_ALIAS]
    del connections.settings[REPLICA_DB_ALIAS]


with_replica_db = pytest.mark.django_db(transaction=True, databases=["default", REPLICA_DB_ALIAS])


def test_without_a_replica_alias_the_router_leaves_reads_alone():
    saved = connections.settings.pop(REPLICA_DB_ALIAS, None)
    try:
        with use_replica():
            assert router.db_for_read(Group) is None
    finally:
        if saved is not None:
            connections.settings[REPLICA_DB_ALIAS] = saved


def test_outside_use_replica_reads_stay_on_default(replica):
    assert router.db_for_read(Group) is None


def test_the_replica_is_never_migrated_nor_written(replica):
    assert router.allow_migrate(REPLICA_DB_ALIAS, "core") is False
    assert router.allow_migrate("default", "core") is None
    with use_replica():
        assert router.db_for_write(Group) == "default"


@with_replica_db
def test_reads_in_use_replica_run_on_the_replica_connection(replica, settings):
    settings.DATABASE_ROUTERS = ["electadmin.db_router.ReplicaRouter"]
    Group.objects.create(name="replica-router-test")  # committed on default

    with (
        use_replica(),
        CaptureQueriesContext(connections["default"]) as on_default,
        CaptureQueriesContext(replica) as on_replica,
    ):
        names = list(Group.objects.filter(name__startswith="replica-router").values_list("name", flat=True))

    assert names == ["replica-router-test"]
    assert len(on_replica) == 1
    assert len(on_default) == 0


@with_replica_db
def test_writes_and_reads_inside_a_transaction_stay_on_default(replica, settings):
    settings.DATABASE_ROUTERS = ["electadmin.db_router.ReplicaRouter"]

    with use_replica(), CaptureQueriesContext(replica) as on_replica:
        group = Group.objects.create(name="replica-router-clerks")
        with transaction.atomic():
            Group.objects.select_for_update().get(pk=group.pk)
        fetched = Group.objects.get(pk=group.pk)
        read_from = fetched._state.db
        fetched.name = "replica-router-clerks-2"
        fetched.save()

    assert read_from == REPLICA_DB_ALIAS
    assert fetched._state.db == "default"
    assert [q["sql"].split()[0] for q in on_replica] == ["SELECT"]
    assert Group.objects.using("default").get(pk=group.pk).name == "replica-router-clerks-2"


def _seen_by_view(method, path):
    seen = {}

    def view(request):
        seen["db"] = router.db_for_read(Group)
        return None

    ReplicaForApiMiddleware(view)(getattr(RequestFactory(), method)(path))
    return seen["db"]


def test_middleware_routes_only_safe_api_requests(replica):
    assert _seen_by_view("get", "/api/v1/units/") == REPLICA_DB_ALIAS
    assert _seen_by_view("head", "/api/v1/units/") == REPLICA_DB_ALIAS
    assert _seen_by_view("post", "/api/v1/units/") is None
    assert _seen_by_view("get", "/admin/") is None
    # The context does not leak past the request.
    assert router.db_for_read(Group) is None


def _settings_value(expression, **env):
    """Evaluate an expression over freshly imported settings in a clean process."""
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_REPLICA_URL",)}
    environment.update({"DEBUG": "1", **env})
    code = f"import electadmin.settings as s; print(repr({expression}))"
    result = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=False)
    return result


def test_settings_add_the_replica_alias_and_router_only_when_configured():
    without = _settings_value("(sorted(s.DATABASES), getattr(s, 'DATABASE_ROUTERS', []))")
    assert without.returncode == 0, without.stderr
    assert "'replica'" not in without.stdout

    with_replica = _settings_value(
        "(s.DATABASES['replica']['NAME'], s.DATABASES['replica']['TEST'], s.DATABASE_ROUTERS)",
        DATABASE_REPLICA_URL="postgres://reader@replica.example:5432/electadmin",
    )
    assert with_replica.returncode == 0, with_replica.stderr
    assert "'electadmin'" in with_replica.stdout
    assert "'MIRROR': 'default'" in with_replica.stdout
    assert "electadmin.db_router.ReplicaRouter" in with_replica.stdout
