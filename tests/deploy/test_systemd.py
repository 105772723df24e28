"""deploy/systemd: the units parse, name an EnvironmentFile and a restart policy; systemd-analyze agrees."""

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest

UNITS = Path(__file__).resolve().parents[2] / "deploy" / "systemd"
SERVICES = ["electadmin-web.service", "electadmin-worker@.service", "electadmin-beat.service"]
ALL_SERVICES = [*SERVICES, "electadmin-migrate.service"]
VENV_BIN = "/opt/electadmin/.venv/bin/"


def parse(name):
    # systemd allows repeated keys; strict=False keeps the last, which is enough for these checks.
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string((UNITS / name).read_text())
    return parser


@pytest.mark.parametrize("name", ALL_SERVICES)
def test_service_sections_and_keys(name):
    unit = parse(name)
    assert unit.has_section("Unit") and unit["Unit"].get("Description")
    service = unit["Service"]
    assert service["ExecStart"].startswith(VENV_BIN)
    # (the parser keeps the last of repeated keys: the migration unit reads a second file after it)
    assert "EnvironmentFile=/etc/electadmin/electadmin.env\n" in (UNITS / name).read_text()
    assert service["User"] == "electadmin"
    assert "Restart" in service
    assert service["WorkingDirectory"] == "/opt/electadmin"


@pytest.mark.parametrize("name", SERVICES)
def test_long_running_services_restart_and_install(name):
    unit = parse(name)
    assert unit["Service"]["Restart"] in ("on-failure", "always")
    assert unit["Install"]["WantedBy"] == "electadmin.target"


def test_the_migration_unit_runs_once_and_never_at_boot():
    unit = parse("electadmin-migrate.service")
    assert unit["Service"]["Type"] == "oneshot"
    assert unit["Service"]["ExecStart"].endswith("manage.py migrate --noinput")
    assert not unit.has_section("Install")


def test_only_the_migration_unit_reads_the_owners_connection():
    text = (UNITS / "electadmin-migrate.service").read_text()
    assert "EnvironmentFile=/etc/electadmin/migrate.env" in text
    assert text.index("manage.py setup_db_roles") < text.index("manage.py sync_roles")
    for name in SERVICES:
        assert "migrate.env" not in (UNITS / name).read_text()
    owner = (UNITS / "migrate.env.example").read_text()
    assert "MIGRATION_DATABASE_URL=postgres://electadmin:" in owner and "-m 0600" in owner
    app = (UNITS / "electadmin.env.example").read_text()
    assert "DATABASE_URL=postgres://electadmin_app:" in app and "MIGRATION_DATABASE_URL" not in app
    assert "AUDIT_SIGNING_KEY=" in app


def test_process_commands():
    assert "gunicorn --config deploy/gunicorn.conf.py" in parse("electadmin-web.service")["Service"]["ExecStart"]
    worker = parse("electadmin-worker@.service")["Service"]["ExecStart"]
    assert "celery -A electadmin worker" in worker
    assert "%i" in worker, "each instance of the template is its own Celery node"
    assert "celery -A electadmin beat" in parse("electadmin-beat.service")["Service"]["ExecStart"]


def test_the_environment_file_example_sets_no_real_secret():
    text = (UNITS / "electadmin.env.example").read_text()
    assert "SECRET_KEY=change-me" in text
    assert "DEBUG=0" in text


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_systemd_analyze_verify(tmp_path):
    # verify checks that ExecStart binaries exist: point the units at stand-ins in a scratch directory.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for program in ("gunicorn", "celery", "python"):
        stub = bin_dir / program
        stub.write_text("#!/bin/sh\n")
        stub.chmod(0o755)
    units = tmp_path / "units"
    units.mkdir()
    for source in UNITS.iterdir():
        if source.suffix in (".service", ".target"):
            (units / source.name).write_text(source.read_text().replace(VENV_BIN, f"{bin_dir}/"))
    (units / "electadmin-worker@1.service").write_text((units / "electadmin-worker@.service").read_text())
    names = [*(n for n in ALL_SERVICES if "@" not in n), "electadmin-worker@1.service", "electadmin.target"]

    result = subprocess.run(
        ["systemd-analyze", "verify", *names], cwd=units, capture_output=True, text=True, timeout=60, check=False
    )

    # verify exits 0 on some warnings (unknown keys, bad values): any output is a failure.
    assert result.returncode == 0 and not result.stderr.strip() and not result.stdout.strip(), result.stderr
