"""API latency: `results`, `protocols` and `candidates` list pages under concurrent clients, against
gunicorn on loopback started as a subprocess with production-like settings (DEBUG off).

Bounded: each client stops after its share of `requests` or at `seconds`, whichever comes first,
and gunicorn is stopped (its process group) whatever happens. The auditor's token is issued
through api.tokens (the project's service); the throttle is raised for the run (one token
would otherwise be throttled at 600/min) but still counted on every request.

Before the run, the tables the pages read are ANALYZEd: a freshly built election has no planner
statistics for some of them until autovacuum gets to it, and a server in service has them.

Two ways to connect (`keep_alive`): by default a new connection per request to gunicorn's sync
workers, as nginx in front of gunicorn does (deploy/); with keep_alive, each client keeps one
connection, as an auditor's HTTP library does, served by gthread workers (sync workers close the
connection after each response).
"""

import http.client
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.translation import gettext

from api import tokens
from core.commands import number

PAGES = ("results", "protocols", "candidates")
AUDITOR = "bench-auditor"


def auditor_token(issuer):
    user, _ = get_user_model().objects.get_or_create(username=AUDITOR)
    user.groups.add(Group.objects.get_or_create(name=tokens.AUDITOR_GROUP)[0])
    _, raw = tokens.issue_token(user, issuer, 1, name="bench")
    return raw


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url():
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


API_TABLES = (
    "core_apitoken",
    "registry_candidacy",
    "registry_person",
    "registry_contest",
    "registry_party",
    "territory_adminunit",
    "results_protocol",
    "results_protocolvote",
    "results_contestresult",
    "results_candidateresult",
)


def analyze():
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(API_TABLES)}")


def start_gunicorn(workers, threads=None):
    port = _free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": _database_url(),
        "API_THROTTLE_RATE": "1000000/min",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [
        str(gunicorn),
        "electadmin.wsgi",
        "-b",
        f"127.0.0.1:{port}",
        "-w",
        str(workers),
        "--log-level",
        "warning",
    ]
    if threads:
        command += ["-k", "gthread", "--threads", str(threads)]
    process = subprocess.Popen(
        command,
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return process, port
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {process.stderr.read().decode()[-2000:]}") from None
            time.sleep(0.2)
    stop(process)
    raise RuntimeError("gunicorn did not answer within 30 s")


def stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def measure(
    election, issuer, *, clients=20, requests=1500, seconds=60, workers=None, keep_alive=False, threads=4, say=print
):
    """{page: {"rps", "p50", "p95", "errors", "n"}} plus "all"; latencies in ms."""
    workers = workers or (2 * (os.cpu_count() or 1) + 1)
    token = auditor_token(issuer)
    analyze()
    process, port = start_gunicorn(workers, threads if keep_alive else None)
    paths = {page: f"/api/v1/{page}/?election={election.pk}" for page in PAGES}
    latencies = {page: [] for page in PAGES}
    errors = dict.fromkeys(PAGES, 0)
    first_error = [None]
    lock = threading.Lock()
    deadline = [0.0]

    def client(n, share):
        kept = None
        for i in range(share):
            if time.monotonic() > deadline[0]:
                break
            page = PAGES[(n + i) % len(PAGES)]
            start = time.perf_counter()
            try:
                conn = kept or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request(
                    "GET", paths[page], headers={"Authorization": f"Token {token}", "Accept": "application/json"}
                )
                response = conn.getresponse()
                response.read()
                if keep_alive and not response.will_close:
                    kept = conn
                else:
                    conn.close()
                    kept = None
                ok = response.status == 200
            except (OSError, http.client.HTTPException) as error:
                ok, response = False, error
                if kept is not None:
                    kept.close()
                    kept = None
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                if ok:
                    latencies[page].append(elapsed)
                else:
                    errors[page] += 1
                    first_error[0] = first_error[0] or f"{page}: {getattr(response, 'status', response)}"
        if kept is not None:
            kept.close()

    try:
        # Warm each worker's connection and caches (not measured).
        for _ in range(workers):
            for page in PAGES:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", paths[page], headers={"Authorization": f"Token {token}"})
                conn.getresponse().read()
        deadline[0] = time.monotonic() + seconds
        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(n, requests // clients)) for n in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
    finally:
        stop(process)
    out = {}
    for page in PAGES:
        lat = latencies[page]
        out[page] = {
            "n": len(lat),
            "rps": len(lat) / wall,
            "p50": statistics.median(lat) if lat else None,
            "p95": _percentile(lat, 95) if lat else None,
            "errors": errors[page],
        }
    every = [x for page in PAGES for x in latencies[page]]
    out["all"] = {
        "n": len(every),
        "rps": len(every) / wall,
        "p50": statistics.median(every) if every else None,
        "p95": _percentile(every, 95) if every else None,
        "errors": sum(errors.values()),
        "first_error": first_error[0],
        "workers": workers,
        "clients": clients,
        "keep_alive": keep_alive,
    }
    say(
        gettext("bench: API %(rps)s req/s, p95 %(p95)s ms, errors %(errors)s")
        % {"rps": number(out["all"]["rps"], 0), "p95": out["all"]["p95"], "errors": number(out["all"]["errors"])}
        + (gettext(" (first: %(error)s)") % {"error": first_error[0]} if first_error[0] else "")
    )
    return out
