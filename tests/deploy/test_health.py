"""/healthz and /readyz: JSON, no authentication, 503 naming the failing dependency."""

import socket
import time
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def closed_port():
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_readyz_names_the_broker_when_the_broker_port_is_closed():
    url = f"redis://127.0.0.1:{closed_port()}/0"
    with override_settings(CELERY_BROKER_URL=url):
        started = time.monotonic()
        response = Client().get("/readyz")
        elapsed = time.monotonic() - started

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failing"] == ["broker"]
    assert body["checks"] == {"database": "ok", "broker": "fail", "migrations": "ok"}
    # The probe answers well inside a load balancer's timeout.
    assert elapsed < 5
    # No detail that names hosts or ports.
    assert str(url.split(":")[2].split("/")[0]) not in response.content.decode()


def test_readyz_names_the_database_when_it_is_unreachable():
    with mock.patch.object(connection, "ensure_connection", side_effect=OperationalError("down")):
        response = Client().get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert "database" in body["failing"]
    assert body["checks"]["database"] == "fail"
    assert "down" not in response.content.decode()


def test_readyz_names_migrations_when_one_is_not_applied():
    # Forget the last migration of one app (rolled back with the test's transaction).
    app_label, name = sorted(MigrationLoader(connection).graph.leaf_nodes())[0]
    MigrationRecorder(connection).record_unapplied(app_label, name)

    response = Client().get("/readyz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["migrations"]


def test_readyz_rejects_writes():
    assert Client().post("/readyz").status_code == 405
    assert Client().post("/healthz").status_code == 405


@override_settings(CELERY_BROKER_URL="")
def test_readyz_ok_without_a_broker_configured_reports_it_skipped():
    response = Client().get("/readyz")

    assert response.status_code == 200
    body = response.json()
    body.pop("warnings", None)  # on PostgreSQL the suite connects as the owner (tests/integration/test_db_roles.py)
    assert body == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "skipped", "migrations": "ok"},
        "failing": [],
    }
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.redis
def test_readyz_ok_with_the_real_broker():
    response = Client().get("/readyz")

    assert response.status_code == 200, response.content
    assert response.json()["checks"]["broker"] == "ok"


def test_healthz_answers_without_authentication_or_database():
    with mock.patch.object(connection, "ensure_connection", side_effect=OperationalError("down")):
        response = Client().get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@override_settings(SECURE_SSL_REDIRECT=True, CELERY_BROKER_URL="")
def test_probes_are_exempt_from_the_https_redirect():
    client = Client()  # a new client builds its middleware under the overridden settings

    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    # Everything else is still redirected.
    assert client.get("/admin/login/").status_code == 301
    assert client.get("/healthz/extra").status_code == 301
