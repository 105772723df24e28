"""The bench's table in docs/PERFORMANCE.md: one section per preset (or custom size) between markers,
replaced by each run, the rest of the document kept as it is."""

import datetime
import os
import platform
import re
import subprocess
from pathlib import Path

from django.db import connection

START = "<!-- bench:{key}:start -->"
END = "<!-- bench:{key}:end -->"
LOAD_TEST = "## Load test"


def machine():
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass
    return {"uname": " ".join(platform.uname()), "cpu": cpu, "cores": os.cpu_count(), "ram": ram}


def database():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


def recorded_rss(text, key):
    """The peak RSS (MiB) a previous run recorded for `key`, or None."""
    m = re.search(rf"<!-- bench:{re.escape(key)}:rss=([0-9.]+) -->", text)
    return float(m.group(1)) if m else None


def marked_block(start, end, body):
    """`body` between the markers `start` and `end`."""
    return f"{start}\n{body.rstrip()}\n{end}"


def replace_marked(text, start, end, block):
    """`text` with its block between the markers `start` and `end` replaced by `block`, or None
    when `text` lacks either marker."""
    if start not in text or end not in text:
        return None
    before, rest = text.split(start, 1)
    _, after = rest.split(end, 1)
    return before + block + after


def write_section(path, key, body):
    """Replace the section of `key` (between its markers) in `path`, or add it before the load test
    section (or at the end)."""
    path = Path(path)
    text = path.read_text() if path.exists() else "# Performance\n"
    start, end = START.format(key=key), END.format(key=key)
    block = marked_block(start, end, body)
    if (replaced := replace_marked(text, start, end, block)) is not None:
        text = replaced
    elif LOAD_TEST in text:
        before, after = text.split(LOAD_TEST, 1)
        text = before.rstrip() + "\n\n" + block + "\n\n" + LOAD_TEST + after
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)


def _s(value, digits=3):
    return "n/a" if value is None else f"{value:.{digits}f}"


def _ms(value):
    return "n/a" if value is None else f"{value * 1000:.1f} ms"


def _api_cell(figures):
    if not figures:
        return "n/a"
    return (
        f"{figures['rps']:.0f} req/s, p50 {_s(figures['p50'], 1)} ms, "
        f"p95 {_s(figures['p95'], 1)} ms, {figures['errors']} errors"
    )


def _ratios(project, baseline):
    """(throughput, p95) of the project as ratios to the baseline's; None where one is missing."""
    if not baseline:
        return None, None
    rps = project["rps"] / baseline["rps"] if baseline["rps"] else None
    p95 = project["p95"] / baseline["p95"] if project["p95"] and baseline["p95"] else None
    return rps, p95


def commit():
    """The checkout's commit (with "+ uncommitted changes" when the code differs from it; the document
    the bench writes does not count), or "unknown"."""

    def git(*args):
        root = Path(__file__).resolve().parents[2]
        return subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()

    try:
        sha = git("rev-parse", "--short=12", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!docs/PERFORMANCE.md")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{sha} + uncommitted changes" if dirty else sha


def render(key, scale, label, figures, targets, *, built_seconds=None):
    m = machine()
    lines = [
        f"## Results: {label}",
        "",
        f"- date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        f"- commit: `{commit()}`",
        f"- machine: `{m['uname']}`; CPU {m['cpu']}, {m['cores']} cores, RAM {m['ram']}",
        f"- database: {database()}, default configuration, same machine (loopback)",
        f"- scale: {scale.stations:,} polling stations (one protocol each; ~90% certified, ~6% verified, ~4% empty), "
        f"{scale.contests:,} contests, {scale.candidates_min}-{scale.candidates_max} candidates each; "
        f"{figures.get('votes', 0):,} vote counts",
    ]
    if figures.get("load"):
        start, end = figures["load"]
        lines.append(
            f"- load average (1 min) at the start / end of the run: {start:.1f} / {end:.1f} "
            f"(anything above 0 is other work sharing the {m['cores']} cores)"
        )
    if built_seconds is not None:
        lines.append(f"- building the election (bulk paths, COPY): {built_seconds:.0f} s")
    if figures.get("run_seconds") is not None:
        lines.append(
            f"- this run of `manage.py bench` (building included when it built): {figures['run_seconds']:.0f} s"
        )
    lines += ["", "| figure | median | baseline | ratio | target | met |", "|---|---|---|---|---|---|"]
    agg = figures.get("aggregation") or {}
    if agg:
        ratio = agg["full"] / agg["baseline"] if agg.get("baseline") else None
        lines.append(
            f"| full aggregation (project code) | {_s(agg['full'])} s "
            f"| {_s(agg['baseline'])} s (SQL into scratch tables) "
            f"| {_s(ratio, 2)} | within 1.3x at kz and national | {targets.get('full', '')} |"
        )
        if agg.get("flags") is not None:
            rest = agg["full"] - agg["flags"]
            lines.append(
                f"| of which the anomaly flags (issue 20; the baseline computes none) | {_s(agg['flags'])} s "
                f"| | {_s(agg['flags'] / agg['full'], 2)} of full | | |"
            )
            lines.append(
                f"| full aggregation less the anomaly flags | {_s(rest)} s | {_s(agg['baseline'])} s "
                f"| {_s(rest / agg['baseline'], 2) if agg.get('baseline') else '-'} | | |"
            )
        lines.append(
            f"| incremental, one certified protocol | {_ms(agg['one'])} | | | < 50 ms | {targets.get('one', '')} |"
        )
        share_ratio = agg["share"] / agg["full"] if agg.get("full") and agg.get("share") is not None else None
        lines.append(
            f"| incremental, 1% of protocols changed ({agg['share_contests']:,.0f} contests touched) "
            f"| {_s(agg['share'])} s | | {_s(share_ratio, 2)} of full | < 0.2x full at national "
            f"| {targets.get('share', '')} |"
        )
    entry = figures.get("entry") or {}
    for workers in sorted({w for _, w in entry}):
        s, b = entry.get(("services", workers)), entry.get(("baseline", workers))
        if not s or not b:
            continue
        lines.append(
            f"| entry through the services, {workers} worker(s) (2 entries + certification) "
            f"| {s['rate']:.1f} protocols/s, "
            f"{s['errors']} errors | {b['rate']:.1f} protocols/s raw INSERT, {b['errors']} errors "
            f"| {s['rate'] / b['rate']:.2f} | >= 0.5 with 8 workers, no errors | {targets.get(f'entry{workers}', '')} |"
        )
    api = figures.get("api") or {}
    project, baseline = api.get("project") or {}, api.get("baseline") or {}
    for page in ("results", "protocols", "candidates"):
        if page in project:
            a, b = project[page], baseline.get(page)
            rps, p95 = _ratios(a, b)
            lines.append(
                f"| API `{page}` list page, {api['clients']} clients | {_api_cell(a)} "
                f"| {_api_cell(b) + ' (hand-written WSGI)' if b else 'n/a'} "
                f"| throughput {_s(rps, 2)}, p95 {_s(p95, 2)} "
                f"| throughput >= 0.5x and p95 <= 2x the baseline's, no errors | {targets.get('api_' + page, '')} |"
            )
    if figures.get("rss") is not None:
        lines.append(
            f"| peak RSS of an aggregation process | {figures['rss']:.1f} MiB "
            f"(of which {figures['rss_before']:.1f} MiB "
            f"before the run) | | | national within 1.2x of kz | {targets.get('rss', '')} |"
        )
    for kind in ("services", "baseline"):
        errs = [v["first_error"] for (k, _), v in entry.items() if k == kind and v.get("first_error")]
        if errs:
            lines.append(f"\nEntry ({kind}): first error: {errs[0]}")
    lines += ["", f"Correctness: totals equal baseline: {'yes' if figures.get('difference') is None else 'no'}"]
    if figures.get("difference"):
        lines.append(f"(first difference: {figures['difference']})")
    if project:
        workers, worker_class, threads = api["server"]
        threads_text = f" x {threads} threads" if threads and threads > 1 else ""
        lines.append(
            f"\nAPI: project and baseline each served by gunicorn with deploy/gunicorn.conf.py "
            f"({workers} {worker_class} workers{threads_text}), DEBUG off, loopback; "
            f"{project['all']['n']} requests to the project"
            + (f", {baseline['all']['n']} to the baseline" if baseline else "")
            + "."
            + (f" First error (project): {project['all']['first_error']}." if project["all"].get("first_error") else "")
            + (
                f" First error (baseline): {baseline['all']['first_error']}."
                if baseline and baseline["all"].get("first_error")
                else ""
            )
        )
        if baseline:
            same = api.get("difference") is None
            lines.append(
                f"The baseline's three pages equal the project's byte for byte: {'yes' if same else 'no'}"
                + ("" if same else f" ({api['difference']})")
            )
    for note in figures.get("notes", []):
        lines.append(f"\n{note}")
    if figures.get("rss") is not None:
        lines.append(f"\n<!-- bench:{key}:rss={figures['rss']:.1f} -->")
    return "\n".join(lines) + "\n"
