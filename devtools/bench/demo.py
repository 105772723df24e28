"""The newcomer's first run (issue 21, part 4): how long `manage.py load_demo` takes on SQLite, as
`make run` runs it (DEBUG=1, DEVTOOLS=1, no broker: Celery eager), each run in a fresh process on a
fresh copy of one migrated database file. Measured by `manage.py bench_demo`; the section it writes
in docs/PERFORMANCE.md is rendered here.

Baselines measured in the same run: the Django start-up alone (a process that sets Django up and
exits; every `manage.py` command pays it) and `migrate` on an empty file (what `make run` does
before the demo)."""

import datetime
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings

from devtools.bench.report import commit, machine

KEY = "demo"
TARGET_SECONDS = 15.0
# What a newcomer's `make run` sets (Makefile); the rest of the environment is the caller's, less
# anything that would point the child at another database or a broker.
RUN_ENV = {"DEBUG": "1", "DEVTOOLS": "1", "CELERY_BROKER_URL": ""}
STARTUP = [sys.executable, "-c", "import django; django.setup()"]
MIGRATE = [sys.executable, "manage.py", "migrate", "--noinput"]
LOAD_DEMO = [sys.executable, "manage.py", "load_demo"]


class StepFailed(RuntimeError):
    """A measured command exited non-zero; the message names it and ends with its last output."""


def _env(database):
    env = {**os.environ, **RUN_ENV, "DATABASE_URL": f"sqlite:///{database}"}
    env.setdefault("DJANGO_SETTINGS_MODULE", "electadmin.settings")
    return env


def timed(argv, database):
    """Seconds (wall clock) that `argv` took in a fresh process on the SQLite file `database`."""
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=settings.BASE_DIR, env=_env(database), capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise StepFailed(f"{' '.join(argv[1:])} exited with {done.returncode}: " + " | ".join(tail))
    return seconds


def measure(runs, *, say=lambda step, seconds: None, startup=STARTUP, migrate=MIGRATE, load=LOAD_DEMO):
    """{"startup", "migrate", "load": [seconds of each run], "load_average": (start, end)}: the
    start-up `runs` times, `migrate` once on an empty file, then `load` `runs` times, each on a
    fresh copy of the migrated file."""
    if runs < 1:
        raise ValueError("runs must be at least 1")
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-demo-") as workdir:
        migrated = Path(workdir) / "migrated.sqlite3"
        startups = [timed(startup, migrated) for _ in range(runs)]
        say("startup", statistics.median(startups))
        migrate_seconds = timed(migrate, migrated)
        say("migrate", migrate_seconds)
        loads = []
        for n in range(runs):
            database = Path(workdir) / f"run-{n}.sqlite3"
            shutil.copyfile(migrated, database)
            loads.append(timed(load, database))
            database.unlink()
            say("load", loads[-1])
    return {
        "startup": startups,
        "migrate": migrate_seconds,
        "load": loads,
        "load_average": (load_start, os.getloadavg()[0]),
    }


def met(figures):
    return statistics.median(figures["load"]) <= TARGET_SECONDS


def render(figures):
    """The section of docs/PERFORMANCE.md (English, as the document)."""
    m = machine()
    load, startup = statistics.median(figures["load"]), statistics.median(figures["startup"])
    start, end = figures["load_average"]
    runs = ", ".join(f"{s:.1f}" for s in figures["load"])
    return "\n".join(
        [
            "## Results: the demo load (`manage.py bench_demo`)",
            "",
            f"- date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
            f"- commit: `{commit()}`",
            f"- machine: `{m['uname']}`; CPU {m['cpu']}, {m['cores']} cores, RAM {m['ram']}",
            "- database: SQLite file in a temporary directory; DEBUG=1, DEVTOOLS=1, Celery eager (as `make run`)",
            f"- load average (1 min) at the start / end of the run: {start:.1f} / {end:.1f} "
            f"(anything above 0 is other work sharing the {m['cores']} cores)",
            "",
            "| figure | median | runs (s) | baseline | ratio | target | met |",
            "|---|---|---|---|---|---|---|",
            f"| `load_demo` on a migrated empty database, fresh process | {load:.1f} s | {runs} "
            f"| {startup:.2f} s (Django start-up alone) | {load / startup:.1f}x | <= {TARGET_SECONDS:.0f} s "
            f"| {'yes' if met(figures) else 'no'} |",
            f"| `migrate` on an empty file (once, before the demo) | {figures['migrate']:.1f} s | | | | | |",
            "",
            f"`make run` waits for both before it serves: {figures['migrate'] + load:.1f} s here.",
            "",
        ]
    )
