"""`manage.py check --deploy` with production-like settings prints no warning."""

import base64
import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _check_deploy(tmp_path, **extra):
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DEBUG="0",
        SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(60)),
        ALLOWED_HOSTS="example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        AUDIT_SIGNING_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
    )
    env.update(extra)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.returncode, result.stdout + result.stderr


def test_check_deploy_is_clean_with_debug_off_and_real_values(tmp_path):
    code, output = _check_deploy(tmp_path)
    assert code == 0, output
    assert "System check identified no issues (0 silenced)." in output
    assert "WARNING" not in output and "?:" not in output


def test_check_deploy_warns_without_an_audit_signing_key(tmp_path):
    code, output = _check_deploy(tmp_path, AUDIT_SIGNING_KEY="")
    assert code != 0
    # The command speaks the site's language (LANGUAGE_CODE = "ru"), the check's message included.
    assert "core.W001" in output
    assert "AUDIT_SIGNING_KEY не задан: подписанные контрольные точки журнала аудита" in output
    assert "is not set" not in output


def test_check_deploy_refuses_a_malformed_audit_signing_key(tmp_path):
    code, output = _check_deploy(tmp_path, AUDIT_SIGNING_KEY="c2hvcnQ=")
    assert code != 0
    assert "core.E001" in output
    assert "AUDIT_SIGNING_KEY должен содержать 32 байта (base64), а не 5." in output
