"""Clerks and auditors as threads against a running server; figures; entries counted afterwards.

A clerk logs in (GET the login page for the CSRF token, POST the credentials), then for each of its
protocols GETs the entry form (CSRF token and the protocol's version) and POSTs "finish". The two
clerks of a pair walk their protocols in opposite orders, so they meet on one protocol in the
middle: when both read the form before either saved, the later POST is refused as a stale form
(the designed optimistic check, not an error); the clerk reloads the form and enters again, as a
person would. Counted as a conflict; an error is any other outcome (unexpected status, exception).

An auditor GETs API list pages with its token, round robin, until the clerks are done (or its
request bound or the deadline is reached).
"""

import http.client
import json
import re
import statistics
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from django.db.models import Count

from core.audit import verify_chain
from results.models import Protocol, ProtocolEntry, ProtocolState

API_PATHS = (
    "/api/v1/protocols/",
    "/api/v1/results/",
    "/api/v1/turnout/",
    "/api/v1/contests/",
    "/api/v1/units/",
    "/api/v1/audit-events/",
)
MY_STATIONS = "/entry/"
# What a person waits for, by the kinds of request it takes, and the p95 each must stay under
# (issue 21): logging in, the entry pages, the auditors' API calls.
GROUPS = {
    "login": ("login_get", "login_post"),
    "entry": ("form_get", "entry_post"),
    "api": ("api_get",),
}
TARGET_P95_MS = {"login": 5000, "entry": 2000, "api": 2000}
ATTEMPTS = 5  # per protocol: a stale form is reloaded and entered again
TIMEOUT = 60
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_VERSION = re.compile(r'name="version" value="(\d+)"')


class Stop(Exception):
    """The run's deadline passed."""


class Failed(Exception):
    """A request failed (timeout, connection refused or reset); already counted as an error."""


def figures(samples):
    """Median, p95 and maximum of `samples` (seconds), in milliseconds."""
    if not samples:
        return {"requests": 0}
    ordered = sorted(samples)
    return {
        "requests": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000),
        "max_ms": round(ordered[-1] * 1000),
    }


def start_delays(count, ramp_up):
    """Seconds after the start at which each of `count` clerks begins: evenly spread over `ramp_up`
    (the first at once, the last one step before its end); all at once without a ramp-up."""
    if count <= 0:
        return []
    step = max(ramp_up, 0.0) / count
    return [i * step for i in range(count)]


@dataclass
class Stats:
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    samples: dict = field(default_factory=lambda: defaultdict(list))  # kind -> [seconds]
    errors: list = field(default_factory=list)  # (kind, detail)
    conflicts: int = 0
    entries_saved: int = 0  # POSTs answered "entry finished"
    lock: threading.Lock = field(default_factory=threading.Lock)

    def sample(self, kind, seconds):
        with self.lock:
            self.samples[kind].append(seconds)

    def error(self, kind, detail):
        with self.lock:
            self.errors.append((kind, str(detail)[:300]))

    def summary(self):
        wall = (self.finished or time.monotonic()) - self.started
        every = [s for samples in self.samples.values() for s in samples]
        errors_by_kind = defaultdict(int)
        for kind, _detail in self.errors:
            errors_by_kind[kind] += 1
        groups = {}
        for group, kinds in GROUPS.items():
            samples = [s for kind in kinds for s in self.samples.get(kind, ())]
            groups[group] = {**figures(samples), "errors": sum(errors_by_kind.get(kind, 0) for kind in kinds)}
        return {
            "wall_seconds": round(wall, 1),
            "requests": len(every),
            "throughput_rps": round(len(every) / wall, 1) if wall else 0,
            "all": figures(every),
            "groups": groups,
            "by_kind": {kind: figures(samples) for kind, samples in sorted(self.samples.items())},
            "errors": len(self.errors),
            "errors_by_kind": dict(sorted(errors_by_kind.items())),
            "error_examples": self.errors[:5],
            "conflicts": self.conflicts,
            "entries_saved": self.entries_saved,
        }


class Browser:
    """One user's HTTP session on loopback: cookies kept by hand (the server marks them Secure,
    which a cookie jar would not send over plain HTTP), a new connection per request (gunicorn's
    sync workers close them)."""

    def __init__(self, port, stats, deadline):
        self.port, self.stats, self.deadline = port, stats, deadline
        self.cookies = {}

    def request(self, kind, method, path, *, form=None, headers=None):
        if time.monotonic() > self.deadline:
            raise Stop
        head = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if self.cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            head |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"http://127.0.0.1:{self.port}",
                "Referer": f"http://127.0.0.1:{self.port}{path}",
            }
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        began = time.monotonic()
        try:
            conn.request(method, path, body=body, headers=head)
            response = conn.getresponse()
            content = response.read()
        except OSError as error:  # timeouts included: the client waited that long too
            self.stats.sample(kind, time.monotonic() - began)
            self.stats.error(kind, f"{method} {path}: {error!r}")
            raise Failed from error
        finally:
            conn.close()
        self.stats.sample(kind, time.monotonic() - began)
        for header in response.msg.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.getheader("Location", ""), content.decode("utf-8", "replace")


def _expect(stats, kind, ok, status, detail=""):
    if not ok:
        stats.error(kind, f"HTTP {status} {detail}")
    return ok


def clerk(port, username, password, protocols, stats, deadline, delay=0.0):
    b = Browser(port, stats, deadline)
    time.sleep(delay)
    try:
        status, _, page = b.request("login_get", "GET", "/entry/login/")
        csrf = _CSRF.search(page)
        if not _expect(stats, "login_get", status == 200 and csrf, status):
            return
        status, location, _ = b.request(
            "login_post",
            "POST",
            "/entry/login/",
            form={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": csrf.group(1),
                "next": MY_STATIONS,
            },
        )
        if not _expect(stats, "login_post", status == 302 and location.endswith(MY_STATIONS), status, location):
            return
        for protocol in protocols:
            path = f"/entry/protocol/{protocol.pk}/"
            for _attempt in range(ATTEMPTS):
                status, _, page = b.request("form_get", "GET", path)
                csrf, version = _CSRF.search(page), _VERSION.search(page)
                if not _expect(stats, "form_get", status == 200 and csrf and version, status, path):
                    break
                form = {**protocol.form, "csrfmiddlewaretoken": csrf.group(1), "version": version.group(1)}
                status, location, _ = b.request("entry_post", "POST", path, form=form)
                if status == 302 and location.endswith(MY_STATIONS):
                    with stats.lock:
                        stats.entries_saved += 1
                    break
                if status == 302 and location.endswith(path):  # refused with a message: stale form
                    with stats.lock:
                        stats.conflicts += 1
                    continue
                stats.error("entry_post", f"HTTP {status} {location} {path}")
                break
            else:
                stats.error("entry_post", f"gave up after {ATTEMPTS} attempts on {path}")
    except Stop:
        stats.error("deadline", f"{username} stopped by the deadline")
    except Failed:
        return  # counted with its request's kind; this clerk goes no further
    except Exception as error:
        stats.error("clerk", f"{username}: {error!r}")


def auditor(port, token, stats, deadline, clerks_done, max_requests, offset):
    b = Browser(port, stats, deadline)
    headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
    try:
        for n in range(max_requests):
            if clerks_done.is_set():
                return
            path = API_PATHS[(n + offset) % len(API_PATHS)]
            status, _, _ = b.request("api_get", "GET", path, headers=headers)
            _expect(stats, "api_get", status == 200, status, path)
    except (Stop, Failed):
        return  # auditors simply stop at the deadline (a failed request is counted already)
    except Exception as error:
        stats.error("auditor", repr(error))


def run(plan, port, *, max_seconds=300, auditor_requests=200, ramp_up=0.0):
    """Drive the plan against the server on `port`; returns the Stats. With `ramp_up` seconds, the
    clerks start evenly spread over that time (start_delays); all at once by default. The auditors
    start at once and read until the last clerk is done."""
    stats = Stats()
    deadline = time.monotonic() + max_seconds
    clerks_done = threading.Event()
    clerk_args = []
    for first, second, protocols in plan.pairs:
        clerk_args.append((port, first, plan.password, protocols, stats, deadline))
        clerk_args.append((port, second, plan.password, protocols[::-1], stats, deadline))
    clerk_threads = [
        threading.Thread(target=clerk, args=(*args, delay))
        for args, delay in zip(clerk_args, start_delays(len(clerk_args), ramp_up), strict=True)
    ]
    auditor_threads = [
        threading.Thread(target=auditor, args=(port, token, stats, deadline, clerks_done, auditor_requests, i))
        for i, token in enumerate(plan.auditor_tokens)
    ]
    for t in clerk_threads + auditor_threads:
        t.start()
    for t in clerk_threads:
        t.join()
    clerks_done.set()
    for t in auditor_threads:
        t.join()
    stats.finished = time.monotonic()
    return stats


def verdict(groups, *, errors, lost):
    """Pass or fail against the targets: each group's p95 under TARGET_P95_MS (a group without
    requests fails: it was not measured), no error, no lost entry.
    Returns {check: {"value", "limit", "passed"}}."""
    checks = {}
    for group, limit in TARGET_P95_MS.items():
        p95 = groups.get(group, {}).get("p95_ms")
        checks[f"{group}_p95_ms"] = {"value": p95, "limit": limit, "passed": p95 is not None and p95 < limit}
    checks["errors"] = {"value": errors, "limit": 0, "passed": errors == 0}
    checks["lost"] = {"value": lost, "limit": 0, "passed": lost == 0}
    return checks


def _kind(method, path):
    if path.startswith("/api/"):
        return "api_get"
    if path.startswith("/entry/login/"):
        return "login_get" if method == "GET" else "login_post"
    if path.startswith("/entry/protocol/"):
        return "form_get" if method == "GET" else "entry_post"
    return None


def server_times(access_log):
    """Time spent inside gunicorn per kind (its access log's duration: from the worker taking the
    request to the response), i.e. the client's latency without the wait in the listen queue."""
    by_kind = defaultdict(list)
    for line in access_log.read_text().splitlines():
        if not line.startswith("{"):
            continue
        record = json.loads(line)
        if record.get("logger") != "gunicorn.access" or record.get("duration_ms") is None:
            continue
        kind = _kind(record.get("method"), record.get("path", ""))
        if kind:
            by_kind[kind].append(float(record["duration_ms"]))
    out = {}
    for kind, samples in sorted(by_kind.items()):
        ordered = sorted(samples)
        out[kind] = {
            "requests": len(ordered),
            "p50_ms": round(statistics.median(ordered)),
            "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]),
        }
    return out


def count(plan, stats):
    """What the database holds afterwards, against what the clients were told."""
    finished = ProtocolEntry.objects.filter(
        protocol__election_id=plan.election_id, status=ProtocolEntry.Status.FINISHED
    ).count()
    states = dict(
        Protocol.objects.filter(election_id=plan.election_id).order_by().values_list("state").annotate(n=Count("pk"))
    )
    chain_count, broken = verify_chain()
    return {
        "entries_in_database": finished,
        "entries_acknowledged": stats.entries_saved,
        "lost": stats.entries_saved - finished,
        "protocols": len(plan.protocols),
        "protocols_verified": states.get(ProtocolState.VERIFIED, 0),
        "protocol_states": states,
        "audit_chain": "intact" if broken is None else f"broken at record {broken}",
        "audit_events": chain_count,
    }
