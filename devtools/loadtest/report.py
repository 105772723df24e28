"""The load test's figures in docs/PERFORMANCE.md: one block between markers inside the "Load test"
section, replaced by each run (`manage.py loadtest`, unless --no-doc); the rest of the document is
kept as it is. English, as the document."""

import datetime
from pathlib import Path

from devtools.bench.report import commit, database, machine, marked_block, replace_marked

START = "<!-- loadtest:start -->"
END = "<!-- loadtest:end -->"
HEADING = "## Load test"
GROUP_NAMES = {
    "login": "logins (login page, POST credentials)",
    "entry": "entry pages (form, POST)",
    "api": "API calls",
}
KIND_NAMES = {
    "login_get": "GET login page",
    "login_post": "POST login",
    "form_get": "GET entry form",
    "entry_post": "POST entry (finish)",
    "api_get": "API GET (auditor, token)",
}


def _s(ms):
    return "n/a" if ms is None else f"{ms / 1000:.2f} s"


def _met(check):
    return "**met**" if check["passed"] else "**missed**"


def render(result):
    """The block for `result` (the command's figures, verdict included)."""
    m = machine()
    config = result.get("gunicorn") or {}
    load = result.get("load_average") or {}
    checks = result["verdict"]
    lines = [
        f"- date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; commit `{commit()}`",
        f"- machine: `{m['uname']}`; CPU {m['cpu']}, {m['cores']} cores, RAM {m['ram']}; {database()} on the same host",
        f"- load average (1 min) at the start / highest / end of the run: {load.get('start', 0):.1f} / "
        f"{load.get('max', 0):.1f} / {load.get('end', 0):.1f} (above 0: other work sharing the cores)",
        f"- gunicorn (deploy/gunicorn.conf.py as deployed): {config.get('worker_class')} workers, "
        f"{config.get('workers')} processes x {config.get('threads')} threads; password hasher: {result['hasher']}",
        f"- {result['clerks']} clerks arriving over {result['ramp_up_seconds']:g} s, {result['auditors']} auditors; "
        f"{result['requests']} requests in {result['wall_seconds']} s ({result['throughput_rps']} requests/s)",
        f"- entries acknowledged / in the database: {result['entries_acknowledged']} / "
        f"{result['entries_in_database']} ({result['lost']} lost); protocols verified: "
        f"{result['protocols_verified']} of {result['protocols']}; audit chain {result['audit_chain']} "
        f"({result['audit_events']} records); stale-form conflicts: {result['conflicts']}",
        f"- result: **{'pass' if result['passed'] else 'fail'}**",
        "",
        "| requests of | count | median | p95 | max | errors | target (p95) | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for group, name in GROUP_NAMES.items():
        g = result["groups"].get(group, {})
        check = checks[f"{group}_p95_ms"]
        lines.append(
            f"| {name} | {g.get('requests', 0)} | {_s(g.get('p50_ms'))} | {_s(g.get('p95_ms'))} "
            f"| {_s(g.get('max_ms'))} | {g.get('errors', 0)} | < {_s(check['limit'])} | {_met(check)} |"
        )
    lines.append(
        f"| all | {result['all'].get('requests', 0)} | {_s(result['all'].get('p50_ms'))} "
        f"| {_s(result['all'].get('p95_ms'))} | {_s(result['all'].get('max_ms'))} | {result['errors']} "
        f"| 0 errors, 0 lost | {_met({'passed': checks['errors']['passed'] and checks['lost']['passed']})} |"
    )
    lines += ["", "| kind | requests | client p50 / p95 | inside gunicorn p50 / p95 |", "|---|---|---|---|"]
    for kind, name in KIND_NAMES.items():
        client = result["by_kind"].get(kind, {})
        inside = result.get("server_time", {}).get(kind, {})
        inside_text = f"{inside['p50_ms']} ms / {inside['p95_ms']} ms" if inside else "n/a"
        lines.append(
            f"| {name} | {client.get('requests', 0)} | {_s(client.get('p50_ms'))} / {_s(client.get('p95_ms'))} "
            f"| {inside_text} |"
        )
    return "\n".join(lines)


def write_section(path, body):
    """Replace the block between the markers in `path`; without them, add it at the end of the
    "Load test" section (or of the document, under that heading when it has none)."""
    path = Path(path)
    text = path.read_text() if path.exists() else "# Performance\n"
    block = marked_block(START, END, body)
    if (replaced := replace_marked(text, START, END, block)) is not None:
        text = replaced
    elif HEADING in text:
        before, section = text.split(HEADING, 1)
        following = section.find("\n## ")
        if following == -1:
            text = before + HEADING + section.rstrip() + "\n\n" + block + "\n"
        else:
            text = before + HEADING + section[:following].rstrip() + "\n\n" + block + "\n" + section[following:]
    else:
        text = text.rstrip() + "\n\n" + HEADING + "\n\n" + block + "\n"
    path.write_text(text)
