"""deploy/compose.yaml: every service, health check and volume the process layout needs."""

import re
from pathlib import Path

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
LONG_RUNNING = {"postgres", "redis", "web", "worker", "beat"}
APP_SERVICES = {"web", "worker", "beat", "migrate"}
PINNED_IMAGE = re.compile(r"^[a-z0-9./-]+:\d+\.\d+(\.\d+)?-[a-z]+$")  # e.g. postgres:15.13-bookworm


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def _duration_seconds(value):
    match = re.fullmatch(r"(\d+)(s|m)", value)
    assert match, f"duration {value!r}"
    return int(match[1]) * (60 if match[2] == "m" else 1)


def test_the_services_of_the_process_layout(compose):
    assert set(compose["services"]) == LONG_RUNNING | {"migrate"}


@pytest.mark.parametrize("name", sorted(LONG_RUNNING))
def test_every_long_running_service_has_a_health_check_and_restarts(compose, name):
    service = compose["services"][name]
    check = service.get("healthcheck")
    assert check and not check.get("disable"), f"{name} has no health check"
    assert check["test"][0] in ("CMD", "CMD-SHELL")
    assert len(check["test"]) >= 2
    for key in ("interval", "timeout", "retries"):
        assert key in check, f"{name}: healthcheck.{key}"
    assert _duration_seconds(check["timeout"]) < _duration_seconds(check["interval"])
    assert service["restart"] in ("unless-stopped", "always")


def test_web_is_ready_only_when_readyz_says_so(compose):
    test = " ".join(compose["services"]["web"]["healthcheck"]["test"])
    assert "/readyz" in test
    assert "127.0.0.1:8000" in test


def test_app_services_build_the_dockerfile_and_wait_for_their_dependencies(compose):
    for name in APP_SERVICES:
        service = compose["services"][name]
        assert service["build"]["dockerfile"] == "deploy/Dockerfile"
        assert (DEPLOY.parent / service["build"]["context"].replace("..", ".")).exists()
        depends = service["depends_on"]
        if name != "migrate":
            assert depends["migrate"]["condition"] == "service_completed_successfully"
        for dependency, rule in depends.items():
            if dependency in ("postgres", "redis"):
                assert rule["condition"] == "service_healthy"
    assert (DEPLOY / "Dockerfile").is_file()


def test_migrations_run_once_and_beat_is_single(compose):
    migrate = compose["services"]["migrate"]
    command = " ".join(migrate["command"])
    assert "manage.py migrate --noinput" in command
    assert "manage.py sync_roles" in command  # the groups get every app's permissions
    assert migrate["restart"] == "no"
    beat = compose["services"]["beat"]
    assert "beat" in beat["command"]
    assert beat.get("deploy", {}).get("replicas", 1) == 1
    assert "worker" in compose["services"]["worker"]["command"]


def test_the_app_runs_with_production_settings_and_no_secret_in_the_file(compose):
    for name in APP_SERVICES:
        env = compose["services"][name]["environment"]
        assert env["DEBUG"] == "0"
        assert env["SECRET_KEY"].startswith("${SECRET_KEY:?"), "the secret must come from the operator"
        # The application role, not the schema's owner (issue 17, point 5).
        assert env["DATABASE_URL"].startswith("postgres://electadmin_app:${APP_DB_PASSWORD:?")
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:")
    assert "WEB_CONCURRENCY" in compose["services"]["web"]["environment"]


def test_images_are_pinned(compose):
    for name in ("postgres", "redis"):
        image = compose["services"][name]["image"]
        assert PINNED_IMAGE.match(image), f"{name}: {image} is not pinned to a version"


def test_every_named_volume_is_declared_and_used(compose):
    declared = set(compose["volumes"])
    used = set()
    for service in compose["services"].values():
        for mount in service.get("volumes", []):
            source, _, target = mount.partition(":")
            assert target.startswith("/"), mount
            if not source.startswith("./"):  # a file of the repository, not a volume
                used.add(source)
    assert used == declared
    mounts = {m for s in compose["services"].values() for m in s.get("volumes", [])}
    assert "postgres-data:/var/lib/postgresql/data" in mounts
    assert "redis-data:/data" in mounts


def test_migrations_run_as_the_owner_and_the_app_connects_as_its_own_role(compose):
    """Least privilege (issue 17, point 5): only the migrate service has the owner's connection; it
    grants the application role row access after migrating; the role is made at the first start."""
    for name in APP_SERVICES - {"migrate"}:
        assert "MIGRATION_DATABASE_URL" not in compose["services"][name].get("environment", {})
    migrate = compose["services"]["migrate"]
    owner = migrate["environment"]["MIGRATION_DATABASE_URL"]
    assert owner.startswith("postgres://electadmin:${POSTGRES_PASSWORD:?")
    command = " ".join(migrate["command"])
    assert command.index("migrate --noinput") < command.index("setup_db_roles") < command.index("sync_roles")
    postgres = compose["services"]["postgres"]
    assert "./postgres/init-roles.sh:/docker-entrypoint-initdb.d/10-roles.sh:ro" in postgres["volumes"]
    assert postgres["environment"]["APP_DB_PASSWORD"].startswith("${APP_DB_PASSWORD:?")
    script = (DEPLOY / "postgres" / "init-roles.sh").read_text()
    assert "CREATE ROLE electadmin_app LOGIN PASSWORD :'app_password'" in script
    assert "SUPERUSER" not in script and "CREATEROLE" not in script


def test_checkpoints_are_signed_with_a_key_the_operator_sets(compose):
    for name in APP_SERVICES:
        assert compose["services"][name]["environment"]["AUDIT_SIGNING_KEY"].startswith("${AUDIT_SIGNING_KEY:?")
    example = (DEPLOY / "compose.env.example").read_text()
    assert "APP_DB_PASSWORD=" in example and "AUDIT_SIGNING_KEY=" in example
