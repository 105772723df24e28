"""gunicorn with the production settings on a loopback port, as deploy/gunicorn.conf.py starts it
(its worker class, processes and threads: the deployed configuration for this machine, unless
told otherwise) and as tests/integration/test_gunicorn.py does: DEBUG=0, a fresh SECRET_KEY, ALLOWED_HOSTS
127.0.0.1, static files collected into a temporary STATIC_ROOT. SECURE_SSL_REDIRECT=0: the load
client talks plain HTTP on loopback, where nginx would terminate TLS in production.
"""

import contextlib
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)
BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url():
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def production_env(workdir, port, workers=None, extra=None, *, threads=None):
    """The environment gunicorn runs in. WEB_CONCURRENCY and GUNICORN_THREADS only when given:
    otherwise deploy/gunicorn.conf.py's defaults for this machine, as deployed."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(workdir),
        "LANG": "C.UTF-8",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": str(Path(workdir) / "static"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "LOG_FORMAT": "json",
    }
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    if threads:
        env["GUNICORN_THREADS"] = str(threads)
    env.update(extra or {})
    return env


def _healthy(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


CONFIG = "deploy/gunicorn.conf.py"
SHOWN = ("worker_class", "workers", "threads", "worker_connections", "keepalive", "timeout")


def deployed_config(env):
    """What deploy/gunicorn.conf.py sets in `env` (worker class, workers, threads...), read by a
    child interpreter as gunicorn would read it."""
    code = f"import json, runpy; c = runpy.run_path({CONFIG!r}); print(json.dumps({{k: c.get(k) for k in {SHOWN!r}}}))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(done.stdout)


@contextlib.contextmanager
def gunicorn(workdir, *, workers=None, threads=None, extra_env=None, start_timeout=60, config=None):
    """Run gunicorn with deploy/gunicorn.conf.py for the duration of the block; yields the port.
    Logs go to files in workdir (gunicorn.out holds the JSON access log). `config`, a dict, receives
    the configuration gunicorn runs with (deployed_config)."""
    workdir = Path(workdir)
    port = free_port()
    env = production_env(workdir, port, workers, extra_env, threads=threads)
    if config is not None:
        config.update(deployed_config(env))
    collect = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if collect.returncode != 0:
        raise RuntimeError(f"collectstatic failed:\n{collect.stderr[-3000:]}")
    with (workdir / "gunicorn.out").open("w") as out, (workdir / "gunicorn.err").open("w") as err:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--config", CONFIG, "electadmin.wsgi:application"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=err,
        )
        try:
            started = time.monotonic()
            while not _healthy(port):
                if process.poll() is not None or time.monotonic() - started > start_timeout:
                    raise RuntimeError(f"gunicorn did not start:\n{(workdir / 'gunicorn.err').read_text()[-3000:]}")
                time.sleep(0.25)
            yield port
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
