"""Without SECRET_KEY and with DEBUG off: schema commands run (a fresh checkout's
`manage.py makemigrations --check`), the web entry points refuse to start."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(args, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}}
    # An empty SECRET_KEY in the environment wins over a developer's local .env (read without overwrite).
    env.update(DEBUG="0", SECRET_KEY="", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_makemigrations_check_runs_without_a_secret_key(tmp_path):
    result = _run(["manage.py", "makemigrations", "--check", "--dry-run"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


@pytest.mark.parametrize("entry_point", ["electadmin.wsgi", "electadmin.asgi"])
def test_the_web_entry_points_refuse_to_start_without_a_secret_key(tmp_path, entry_point):
    result = _run(["-c", f"import {entry_point}"], tmp_path)
    assert result.returncode != 0
    assert "The SECRET_KEY setting must not be empty." in result.stderr
