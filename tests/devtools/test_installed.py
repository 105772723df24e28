"""The development tooling is installed only when DEVTOOLS (default: DEBUG) says so: production settings,
built from deploy/'s environments, leave it out; the image does not ship it; no domain app imports it."""

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
# electadmin (wiring) names it once, in settings, to install it.
DOMAIN = ("core", "territory", "registry", "results")
PROBE = (
    "import json, django; from django.conf import settings; django.setup();"
    "from django.core.management import get_commands;"
    "print(json.dumps([settings.INSTALLED_APPS, sorted(get_commands())]))"
)


def _local_env_sets(*names):
    """A developer's git-ignored .env is read without overwriting: one that sets these would decide."""
    path = ROOT / ".env"
    if not path.exists():
        return False
    return any(
        re.match(rf"\s*(export\s+)?{name}\s*=", line) for line in path.read_text().splitlines() for name in names
    )


def _settings(environment, tmp_path):
    env = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "DEVTOOLS", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", SECRET_KEY="x" * 50)
    env["DJANGO_SETTINGS_MODULE"] = "electadmin.settings"
    env.update(environment)
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    apps, commands = json.loads(result.stdout.strip().splitlines()[-1])
    return apps, commands


def _compose_app_env():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    env = {}
    for name, value in compose["x-app"]["environment"].items():
        # ${VAR:?message} and ${VAR:-default}: a value the operator gives (any), or the default.
        value = re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(value))
        env[name] = re.sub(r"\$\{[A-Z_]+:\?[^}]*\}", "set-by-operator", value)
    env["DATABASE_URL"] = "sqlite:////tmp/not-opened.sqlite3"  # the settings never connect at import
    return env


def _systemd_env():
    env = {}
    for line in (DEPLOY / "systemd" / "electadmin.env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            env[name.strip()] = value.strip()
    env["DATABASE_URL"] = "sqlite:////tmp/not-opened.sqlite3"
    return env


@pytest.mark.parametrize("source", ["compose", "systemd"])
def test_production_environments_do_not_install_the_tooling(tmp_path, source):
    if _local_env_sets("DEVTOOLS", "DEBUG"):
        pytest.skip("the local .env sets DEVTOOLS or DEBUG")
    environment = _compose_app_env() if source == "compose" else _systemd_env()
    assert environment["DEBUG"] == "0" and "DEVTOOLS" not in environment
    apps, commands = _settings(environment, tmp_path)
    assert "devtools" not in apps
    assert {"results", "registry", "territory", "core"} <= set(apps)
    assert not {"load_demo", "bench", "bench_demo", "loadtest"} & set(commands)
    assert "aggregate" in commands  # the domain's own commands stay


@pytest.mark.parametrize(
    ("environment", "installed"),
    [
        ({"DEBUG": "1"}, True),  # make run, make test, .ci/run (DEBUG=1, and DEVTOOLS=1 too)
        ({"DEBUG": "1", "DEVTOOLS": "1"}, True),
        ({"DEBUG": "0", "DEVTOOLS": "1", "SECURE_SSL_REDIRECT": "0"}, True),  # make bench: DEBUG=0 DEVTOOLS=1
        ({"DEBUG": "1", "DEVTOOLS": "0"}, False),
        ({"DEBUG": "0", "DEVTOOLS": "0"}, False),
        ({"DEBUG": "0"}, False),
    ],
)
def test_devtools_follows_the_flag_and_defaults_to_debug(tmp_path, environment, installed):
    if "DEVTOOLS" not in environment and _local_env_sets("DEVTOOLS"):
        pytest.skip("the local .env sets DEVTOOLS")
    apps, commands = _settings(environment, tmp_path)
    assert ("devtools" in apps) is installed
    assert ({"load_demo", "bench", "bench_demo", "loadtest"} <= set(commands)) is installed


def test_the_makefile_targets_set_the_flag():
    makefile = (ROOT / "Makefile").read_text()
    for command in (
        "manage.py load_demo",
        "manage.py runserver",
        "pytest $(PYTEST_ARGS)",
        "manage.py bench ",
        "manage.py bench_demo",
    ):
        line = next(line for line in makefile.splitlines() if command in line)
        assert "DEVTOOLS=1" in line, line


def test_the_image_does_not_ship_the_tooling():
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text().split()
    assert "devtools" in ignored
    assert "tests" in ignored  # the tests import devtools


def _imports(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value  # a dotted path for importlib or a setting


def test_no_domain_app_imports_the_tooling():
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for app in DOMAIN
        for path in sorted((ROOT / app).rglob("*.py"))
        for name in _imports(path)
        if name == "devtools" or name.startswith("devtools.")
    ]
    assert offenders == []
    assert [p.name for p in (ROOT / "devtools" / "management" / "commands").glob("*.py") if p.stem != "__init__"]
    for app in DOMAIN:
        assert not list((ROOT / app).rglob("demo*.py")), f"demo code left in {app}"
        assert not (ROOT / app / "bench").exists() and not (ROOT / app / "loadtest").exists()
