"""API latency: `results`, `protocols` and `candidates` list pages under concurrent clients, against
the project and against a hand-written endpoint (devtools.bench.api_baseline, the API's physical
limit), each served in turn by gunicorn on loopback with the project's configuration
(deploy/gunicorn.conf.py, whatever worker class and count it says) and production-like settings
(DEBUG off), measured by the same clients in the same run.

Bounded: each client stops after its share of `requests` or at `seconds`, whichever comes first,
and gunicorn is stopped (its process group) whatever happens. The auditor's token is issued
through api.tokens (the project's service); the throttle is raised for the run (one token
would otherwise be throttled at 600/min) but still counted on every request.

Before measuring, each server's three pages are fetched with the same Host header and the
baseline's bytes compared with the project's (`difference`): a baseline answering something else
would not be a limit of the same work.

Before the run, the tables the pages read are ANALYZEd: a freshly built election has no planner
statistics for some of them until autovacuum gets to it, and a server in service has them.

Two ways to connect (`keep_alive`): by default a new connection per request, as nginx in front of
gunicorn does (deploy/); with keep_alive, each client keeps its connection while the server keeps it
open (sync workers close it after each response).
"""

import http.client
import os
import runpy
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
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
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(API_TABLES)}")


CONFIG = Path("deploy") / "gunicorn.conf.py"
PROJECT = "electadmin.wsgi:application"
BASELINE = "devtools.bench.api_baseline:application"
# Both servers answer a check request with this Host, so that their `next` links are the same.
CHECK_HOST = "127.0.0.1"


def server_environment(port):
    """The environment both servers run with: production-like (DEBUG off), on loopback."""
    from api.pagination import default_page_size

    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": _database_url(),
        "API_THROTTLE_RATE": "1000000/min",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "BENCH_BASELINE_LANGUAGE": settings.LANGUAGE_CODE,
        "BENCH_BASELINE_TIME_ZONE": settings.TIME_ZONE,
        "BENCH_BASELINE_PAGE_SIZE": str(default_page_size()),
    }


def gunicorn_settings(env):
    """(workers, worker class, threads) that deploy/gunicorn.conf.py gives in `env`."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        values = runpy.run_path(str(Path(settings.BASE_DIR) / CONFIG))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return values.get("workers", 1), values.get("worker_class", "sync"), values.get("threads", 1)


def start_gunicorn(app, log):
    """Start gunicorn serving `app` with the project's configuration, its messages into the file
    `log`; (process, port)."""
    port = _free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "--config", str(CONFIG), app],
        cwd=settings.BASE_DIR,
        env=server_environment(port),
        stdout=subprocess.DEVNULL,
        stderr=log,
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
                log.seek(0)
                raise RuntimeError(f"gunicorn exited: {log.read().decode(errors='replace')[-2000:]}") from None
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


def page_paths(election):
    return {page: f"/api/v1/{page}/?election={election.pk}" for page in PAGES}


def fetch_pages(port, paths, token):
    """{page: (status, body)} of each page, asked with CHECK_HOST as the Host."""
    out = {}
    for page, path in paths.items():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request(
                "GET",
                path,
                headers={"Host": CHECK_HOST, "Authorization": f"Token {token}", "Accept": "application/json"},
            )
            response = conn.getresponse()
            out[page] = (response.status, response.read())
        finally:
            conn.close()
    return out


def first_difference(project, baseline):
    """None when each page's status and bytes are the same; else where the first page differs."""
    for page in PAGES:
        (status_p, body_p), (status_b, body_b) = project[page], baseline[page]
        if status_p != 200 or status_b != 200:
            return f"{page}: status {status_p} (project) / {status_b} (baseline)"
        if body_p != body_b:
            at = next(
                (i for i, (a, b) in enumerate(zip(body_p, body_b, strict=False)) if a != b),
                min(len(body_p), len(body_b)),
            )
            return (
                f"{page}: byte {at} of {len(body_p)} / {len(body_b)}: "
                f"{body_p[max(0, at - 40) : at + 40]!r} != {body_b[max(0, at - 40) : at + 40]!r}"
            )
    return None


def run_clients(port, paths, token, *, clients, requests, seconds, keep_alive, warm):
    """{page: {"rps", "p50", "p95", "errors", "n"}} plus "all"; latencies in ms. `warm` requests of
    each page first (not measured)."""
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

    # Warm each worker's connection and caches (not measured).
    for _ in range(warm):
        for page in PAGES:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", paths[page], headers={"Authorization": f"Token {token}"})
            conn.getresponse().read()
            conn.close()
    deadline[0] = time.monotonic() + seconds
    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n, requests // clients)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
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
    }
    return out


def _serve(app, paths, token, **run):
    """(the pages as fetched for the check, the clients' figures) of one server."""
    with tempfile.TemporaryFile() as log:
        process, port = start_gunicorn(app, log)
        try:
            pages = fetch_pages(port, paths, token)
            return pages, run_clients(port, paths, token, **run)
        finally:
            stop(process)


def measure(election, issuer, *, clients=20, requests=1500, seconds=60, keep_alive=False, say=print):
    """{"project": figures, "baseline": figures or None (SQLite), "difference": None or where the
    baseline's bytes differ from the project's, "server": (workers, worker class, threads)}; figures
    as run_clients() gives them."""
    token = auditor_token(issuer)
    analyze()
    server = gunicorn_settings(server_environment(0))
    workers, _class, threads = server
    run = {
        "clients": clients,
        "requests": requests,
        "seconds": seconds,
        "keep_alive": keep_alive,
        "warm": workers * max(threads, 1),
    }
    paths = page_paths(election)
    pages, project = _serve(PROJECT, paths, token, **run)
    out = {"project": project, "baseline": None, "difference": None, "server": server, "clients": clients}
    say(_summary(False, project))
    if connection.vendor == "postgresql":
        baseline_pages, out["baseline"] = _serve(BASELINE, paths, token, **run)
        out["difference"] = first_difference(pages, baseline_pages)
        say(_summary(True, out["baseline"]))
        if out["difference"]:
            say(
                gettext("bench: the API baseline's answer differs from the project's: %(where)s")
                % {"where": out["difference"]}
            )
    return out


def _summary(baseline, figures):
    every = figures["all"]
    if baseline:
        text = gettext("bench: API, the hand-written baseline: %(rps)s req/s, p95 %(p95)s ms, errors %(errors)s")
    else:
        text = gettext("bench: API, the project: %(rps)s req/s, p95 %(p95)s ms, errors %(errors)s")
    text %= {
        "rps": number(every["rps"], 0),
        "p95": number(every["p95"], 1) if every["p95"] is not None else "-",
        "errors": number(every["errors"]),
    }
    return text + (gettext(" (first: %(error)s)") % {"error": every["first_error"]} if every["first_error"] else "")
