"""gunicorn with the production settings on loopback, against the test PostgreSQL database and Redis.

Starts `gunicorn --config deploy/gunicorn.conf.py` exactly as the container and the systemd unit
do (DEBUG=0, a real SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, HTTPS redirect on, static files collected
and served by whitenoise), checks /readyz, an API page authenticated with an auditor's token and the
JSON access log, then stops it with SIGTERM.
"""

import http.client
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from api.tokens import AUDITOR_GROUP, issue_token
from devtools.loadtest.server import database_url, free_port

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# What nginx adds in front of gunicorn (deploy/nginx/electadmin.conf) on an HTTPS request.
BEHIND_TLS = {"X-Forwarded-Proto": "https"}


def production_env(tmp_path, port):
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "SECURE_SSL_REDIRECT": "1",
        "STATIC_ROOT": str(tmp_path / "static"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        # No connection outlives the test: the test database is dropped at the end of the session.
        "CONN_MAX_AGE": "0",
        "LOG_FORMAT": "json",
    }


def get(port, path, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1", **(headers or {})})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def wait_until_serving(port, process, deadline=40):
    started = time.monotonic()
    while time.monotonic() - started < deadline:
        if process.poll() is not None:
            return False
        try:
            status, _, _ = get(port, "/healthz")
            if status == 200:
                return True
        except OSError:
            pass
        time.sleep(0.25)
    return False


@pytest.fixture
def auditor_token(django_user_model):
    auditor = django_user_model.objects.create_user("auditor-gunicorn", password=secrets.token_urlsafe())
    auditor.groups.add(Group.objects.get_or_create(name=AUDITOR_GROUP)[0])
    issuer = django_user_model.objects.create_superuser("cec-admin-gunicorn", password=secrets.token_urlsafe())
    _, raw = issue_token(auditor, issued_by=issuer, expires_in_days=1, name="gunicorn test")
    return auditor, raw


@pytest.fixture
def gunicorn(tmp_path):
    port = free_port()
    env = production_env(tmp_path, port)
    collect = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert collect.returncode == 0, collect.stderr

    stdout = (tmp_path / "gunicorn.out").open("w+")
    stderr = (tmp_path / "gunicorn.err").open("w+")
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--config", "deploy/gunicorn.conf.py", "electadmin.wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=stdout,
        stderr=stderr,
    )
    try:
        serving = wait_until_serving(port, process)
        stderr.seek(0)
        assert serving, f"gunicorn did not start:\n{stderr.read()[-4000:]}"
        yield port, process, tmp_path / "gunicorn.out"
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        stdout.close()
        stderr.close()


@pytest.mark.django_db(transaction=True)
def test_gunicorn_with_production_settings(auditor_token, gunicorn):
    auditor, raw_token = auditor_token
    port, process, access_log = gunicorn

    # Readiness over plain HTTP (exempt from the HTTPS redirect): database, broker, migrations.
    status, headers, body = get(port, "/readyz")
    assert status == 200, body
    assert json.loads(body) == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok", "migrations": "ok"},
        "failing": [],
        # The test database's role is the superuser that owns the tables: /readyz says so (issue 17).
        "warnings": ["database_role_owns_audit_table", "database_role_is_superuser"],
    }

    # Everything else is redirected to HTTPS when the proxy did not say the request was secure.
    status, headers, _ = get(port, "/api/v1/units/")
    assert status == 301
    assert headers["Location"].startswith("https://127.0.0.1")

    # The API refuses a request without a token, and serves one with the auditor's token.
    status, _, _ = get(port, "/api/v1/units/", {**BEHIND_TLS, "Accept": "application/json"})
    assert status == 401
    status, headers, body = get(
        port,
        "/api/v1/units/",
        {**BEHIND_TLS, "Accept": "application/json", "Authorization": f"Token {raw_token}", "X-Request-ID": "it-42"},
    )
    assert status == 200, body
    assert "results" in json.loads(body)
    assert headers["X-Request-ID"] == "it-42"
    assert "max-age=" in headers["Strict-Transport-Security"]

    # Static files come from STATIC_ROOT through whitenoise.
    status, headers, _ = get(port, "/static/admin/css/base.css", BEHIND_TLS)
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0

    # The access log: JSON lines, with request id and user id, without the token.
    text = access_log.read_text()
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    api_lines = [
        line for line in lines if line.get("logger") == "gunicorn.access" and line.get("request_id") == "it-42"
    ]
    assert len(api_lines) == 1
    assert api_lines[0]["path"] == "/api/v1/units/"
    assert api_lines[0]["status"] == 200
    assert api_lines[0]["user_id"] == str(auditor.pk)
    assert raw_token not in text
