"""The nginx site in front of gunicorn, and gunicorn's configuration read from the environment."""

import multiprocessing
import re
import runpy
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def active_lines():
    text = (DEPLOY / "nginx" / "electadmin.conf").read_text()
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def test_nginx_site_is_balanced_and_proxies_to_gunicorn():
    conf = active_lines()
    assert conf.count("{") == conf.count("}")
    assert re.search(r"upstream electadmin_web\s*{[^}]*server 127\.0\.0\.1:8000", conf)
    assert "proxy_pass http://electadmin_web;" in conf
    # Django trusts X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER): nginx must set it, not pass it through.
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    assert "proxy_set_header X-Request-ID $request_id;" in conf
    assert re.search(r"location /static/ {[^}]*alias /opt/electadmin/staticfiles/;", conf)


def test_nginx_logs_no_query_string():
    log_format = re.search(r"log_format electadmin ([^;]*);", active_lines(), flags=re.S)[1]
    assert "$request " not in log_format and "$request_uri" not in log_format and "$args" not in log_format
    assert "$uri" in log_format


def load_gunicorn_conf(monkeypatch, **env):
    for name in ("WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_BIND", "GUNICORN_TIMEOUT", "LOG_FORMAT", "DEBUG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))


def test_gunicorn_reads_workers_bind_and_timeout_from_env(monkeypatch):
    conf = load_gunicorn_conf(monkeypatch, WEB_CONCURRENCY="5", GUNICORN_BIND="0.0.0.0:9000", GUNICORN_TIMEOUT="90")

    assert conf["workers"] == 5
    assert conf["bind"] == ["0.0.0.0:9000"]
    assert conf["timeout"] == 90


def test_gunicorn_runs_threaded_workers_a_process_per_core_and_one_more(monkeypatch):
    # A login holds one thread while its password hash runs, not a whole process (docs/OPERATIONS.md).
    monkeypatch.setattr(multiprocessing, "cpu_count", lambda: 2)
    conf = load_gunicorn_conf(monkeypatch)

    assert conf["worker_class"] == "gthread"
    assert conf["workers"] == 3
    assert conf["threads"] == 8
    # Room for a few queued requests and the proxy's kept-alive connections; a full process stops
    # accepting and leaves new connections to the others.
    assert conf["worker_connections"] == 32


def test_gunicorn_caps_the_default_processes_on_a_large_host(monkeypatch):
    monkeypatch.setattr(multiprocessing, "cpu_count", lambda: 32)

    assert load_gunicorn_conf(monkeypatch)["workers"] == 8


@pytest.mark.parametrize(("processes", "threads"), [("1", "1"), ("12", "32")])
def test_gunicorn_takes_processes_and_threads_from_the_environment(monkeypatch, processes, threads):
    monkeypatch.setattr(multiprocessing, "cpu_count", lambda: 2)
    conf = load_gunicorn_conf(monkeypatch, WEB_CONCURRENCY=processes, GUNICORN_THREADS=threads)

    assert conf["workers"] == int(processes)
    assert conf["threads"] == int(threads)
    assert conf["worker_connections"] == 4 * int(threads)


def test_gunicorn_treats_empty_values_as_unset(monkeypatch):
    monkeypatch.setattr(multiprocessing, "cpu_count", lambda: 2)
    conf = load_gunicorn_conf(monkeypatch, WEB_CONCURRENCY=" ", GUNICORN_THREADS="")

    assert (conf["workers"], conf["threads"]) == (3, 8)


def test_gunicorn_defaults_to_loopback_and_json_logs(monkeypatch):
    conf = load_gunicorn_conf(monkeypatch)

    assert conf["bind"] == ["127.0.0.1:8000"]
    assert 1 <= conf["workers"] <= 8
    assert conf["logconfig_dict"]["formatters"]["json"]["()"] == "core.logging.JsonFormatter"


def test_gunicorn_text_access_log_has_no_query_or_client_details(monkeypatch):
    conf = load_gunicorn_conf(monkeypatch, DEBUG="1")

    assert "logconfig_dict" not in conf
    for atom in ("%(q)s", "%(r)s", "%(h)s", "%(a)s", "%(f)s"):
        assert atom not in conf["access_log_format"]
