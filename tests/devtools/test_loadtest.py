"""The load test's pure parts: when each clerk starts (--ramp-up), the figures per kind of request,
the pass/fail verdict against issue 21's targets, errors counted with their request, and the
block it writes into docs/PERFORMANCE.md. No server, no timing."""

import pytest
from django.utils import translation

from devtools.loadtest import report, runner, seed, server
from devtools.management.commands.loadtest import check_lines


def test_without_a_ramp_up_every_clerk_starts_at_once():
    assert runner.start_delays(4, 0) == [0, 0, 0, 0]
    assert runner.start_delays(3, -5) == [0, 0, 0]
    assert runner.start_delays(0, 60) == []


def test_a_ramp_up_spreads_the_clerks_evenly_over_it():
    delays = runner.start_delays(50, 60)

    assert len(delays) == 50
    assert delays[0] == 0
    assert delays[-1] == pytest.approx(58.8)  # the last one step before the end: 50 starts in 60 s
    steps = {round(b - a, 9) for a, b in zip(delays, delays[1:], strict=False)}
    assert steps == {1.2}


def test_run_starts_each_clerk_after_its_delay_and_auditors_at_once(monkeypatch):
    started = []
    monkeypatch.setattr(runner, "clerk", lambda *args: started.append(("clerk", args[1], args[-1])))
    monkeypatch.setattr(runner, "auditor", lambda *args: started.append(("auditor", args[1], None)))
    plan = seed.Plan(election_id=1, password="pw", pairs=[("a", "b", []), ("c", "d", [])], auditor_tokens=["t1"])

    runner.run(plan, 1, ramp_up=8)

    clerks = sorted((who, delay) for kind, who, delay in started if kind == "clerk")
    assert clerks == [("a", 0), ("b", 2), ("c", 4), ("d", 6)]
    assert ("auditor", "t1", None) in started


def stats_with(samples, errors=()):
    stats = runner.Stats()
    for kind, seconds in samples:
        stats.sample(kind, seconds)
    for kind, detail in errors:
        stats.error(kind, detail)
    return stats


def test_the_summary_groups_kinds_into_login_entry_and_api():
    stats = stats_with(
        [("login_get", 0.01), ("login_post", 1.0), ("login_post", 3.0)]
        + [("form_get", 0.1), ("entry_post", 0.2)]
        + [("api_get", s / 100) for s in range(1, 101)],
        errors=[("login_post", "timed out"), ("api_get", "HTTP 500")],
    )

    groups = stats.summary()["groups"]

    assert groups["login"] == {"requests": 3, "p50_ms": 1000, "p95_ms": 3000, "max_ms": 3000, "errors": 1}
    assert groups["entry"] == {"requests": 2, "p50_ms": 150, "p95_ms": 200, "max_ms": 200, "errors": 0}
    assert groups["api"]["requests"] == 100
    assert groups["api"]["p95_ms"] == 960  # the 96th of 100 ordered samples
    assert groups["api"]["errors"] == 1
    assert stats.summary()["errors_by_kind"] == {"api_get": 1, "login_post": 1}


def test_a_failed_request_is_an_error_of_its_kind_and_counts_its_wait():
    stats = runner.Stats()
    browser = runner.Browser(server.free_port(), stats, deadline=float("inf"))  # nothing listens there

    with pytest.raises(runner.Failed):
        browser.request("login_get", "GET", "/entry/login/")

    assert [kind for kind, _detail in stats.errors] == ["login_get"]
    assert len(stats.samples["login_get"]) == 1


MET = {"login": {"p95_ms": 4999}, "entry": {"p95_ms": 1999}, "api": {"p95_ms": 1999}}


def test_the_verdict_passes_when_every_target_is_met():
    checks = runner.verdict(MET, errors=0, lost=0)

    assert all(check["passed"] for check in checks.values())
    assert set(checks) == {"login_p95_ms", "entry_p95_ms", "api_p95_ms", "errors", "lost"}


@pytest.mark.parametrize(
    ("groups", "errors", "lost", "missed"),
    [
        ({**MET, "login": {"p95_ms": 5000}}, 0, 0, "login_p95_ms"),  # under 5 s, not at it
        ({**MET, "entry": {"p95_ms": 2000}}, 0, 0, "entry_p95_ms"),
        ({**MET, "api": {"p95_ms": 2500}}, 0, 0, "api_p95_ms"),
        ({**MET, "api": {"requests": 0}}, 0, 0, "api_p95_ms"),  # not measured is not met
        ({k: v for k, v in MET.items() if k != "entry"}, 0, 0, "entry_p95_ms"),
        (MET, 1, 0, "errors"),
        (MET, 0, 1, "lost"),
    ],
)
def test_the_verdict_fails_on_each_missed_target(groups, errors, lost, missed):
    checks = runner.verdict(groups, errors=errors, lost=lost)

    assert [name for name, check in checks.items() if not check["passed"]] == [missed]


def result(passed=True):
    groups = {
        "login": {"requests": 100, "p50_ms": 300, "p95_ms": 2400, "max_ms": 3300, "errors": 0},
        "entry": {"requests": 400, "p50_ms": 90, "p95_ms": 650, "max_ms": 1200, "errors": 0},
        "api": {"requests": 4000, "p50_ms": 120, "p95_ms": 330, "max_ms": 950, "errors": 0},
    }
    return {
        "clerks": 50,
        "auditors": 20,
        "gunicorn": {"worker_class": "gthread", "workers": 3, "threads": 8},
        "hasher": "pbkdf2_sha256, iterations 1000000",
        "load_average": {"start": 1.5, "max": 6.3, "end": 4.2},
        "ramp_up_seconds": 60.0,
        "wall_seconds": 59.7,
        "requests": 4500,
        "throughput_rps": 75.4,
        "all": {"requests": 4500, "p50_ms": 110, "p95_ms": 400, "max_ms": 3300},
        "groups": groups,
        "by_kind": {"login_post": {"requests": 50, "p50_ms": 850, "p95_ms": 3075}},
        "server_time": {"login_post": {"requests": 50, "p50_ms": 846, "p95_ms": 3064}},
        "errors": 0,
        "conflicts": 0,
        "entries_acknowledged": 200,
        "entries_in_database": 200,
        "lost": 0,
        "protocols": 100,
        "protocols_verified": 100,
        "audit_chain": "intact",
        "audit_events": 500,
        "verdict": runner.verdict(groups, errors=0, lost=0),
        "passed": passed,
    }


@pytest.fixture
def no_machine(monkeypatch):
    monkeypatch.setattr(report, "commit", lambda: "abc123def456")
    monkeypatch.setattr(report, "database", lambda: "PostgreSQL 15")


def test_the_block_gives_each_group_against_its_target(no_machine):
    body = report.render(result())

    assert "commit `abc123def456`" in body
    assert "gthread workers, 3 processes x 8 threads; password hasher: pbkdf2_sha256, iterations 1000000" in body
    assert "| logins (login page, POST credentials) | 100 | 0.30 s | 2.40 s | 3.30 s | 0 | < 5.00 s | **met** |" in body
    assert "| entry pages (form, POST) | 400 | 0.09 s | 0.65 s | 1.20 s | 0 | < 2.00 s | **met** |" in body
    assert "| POST login | 50 | 0.85 s / 3.08 s | 846 ms / 3064 ms |" in body
    assert "| GET login page | 0 | n/a / n/a | n/a |" in body
    assert "- result: **pass**" in body
    assert "1.5 / 6.3 / 4.2" in body


def test_the_block_replaces_its_predecessor_inside_the_load_test_section(tmp_path):
    doc = tmp_path / "PERFORMANCE.md"
    doc.write_text("# Performance\n\n## Load test\n\nHow it runs.\n\n## Imports\n\nTheirs.\n")

    report.write_section(doc, "first figures")
    report.write_section(doc, "second figures")

    text = doc.read_text()
    assert "first figures" not in text
    assert text.count(report.START) == 1
    assert text.index("How it runs.") < text.index("second figures") < text.index("## Imports") < text.index("Theirs.")


def test_the_block_goes_at_the_end_when_the_load_test_section_is_last_or_missing(tmp_path):
    last = tmp_path / "last.md"
    last.write_text("# Performance\n\n## Load test\n\nHow it runs.\n")
    report.write_section(last, "figures")
    assert last.read_text().endswith("How it runs.\n\n<!-- loadtest:start -->\nfigures\n<!-- loadtest:end -->\n")

    missing = tmp_path / "missing.md"
    missing.write_text("# Performance\n")
    report.write_section(missing, "figures")
    assert (
        missing.read_text()
        == "# Performance\n\n## Load test\n\n<!-- loadtest:start -->\nfigures\n<!-- loadtest:end -->\n"
    )


def test_the_server_runs_the_deployed_worker_count_unless_told(tmp_path):
    deployed = server.production_env(tmp_path, 8123)
    told = server.production_env(tmp_path, 8123, workers=3, threads=4)

    assert "WEB_CONCURRENCY" not in deployed and "GUNICORN_THREADS" not in deployed
    assert (told["WEB_CONCURRENCY"], told["GUNICORN_THREADS"]) == ("3", "4")


def test_the_reported_configuration_is_what_gunicorn_conf_sets(tmp_path):
    env = server.production_env(tmp_path, 8123, workers=5, threads=2)

    config = server.deployed_config(env)

    assert config["worker_class"] == "gthread"
    assert (config["workers"], config["threads"], config["worker_connections"]) == (5, 2, 8)


@pytest.mark.parametrize(
    ("language", "lines"),
    [
        (
            "ru",
            [
                "входы, p95, мс: 4999 (цель: 5000): выполнено",
                "страницы ввода, p95, мс: 1999 (цель: 2000): выполнено",
                "запросы к API, p95, мс: 2500 (цель: 2000): НЕ ВЫПОЛНЕНО",
                "ошибки: 0 (цель: 0): выполнено",
                "потерянные вводы: 3 (цель: 0): НЕ ВЫПОЛНЕНО",
            ],
        ),
        (
            "kk",
            [
                "кірулер, p95, мс: 4999 (мақсат: 5000): орындалды",
                "енгізу беттері, p95, мс: 1999 (мақсат: 2000): орындалды",
                "API сұраулары, p95, мс: 2500 (мақсат: 2000): ОРЫНДАЛМАДЫ",
                "қателер: 0 (мақсат: 0): орындалды",
                "жоғалған енгізулер: 3 (мақсат: 0): ОРЫНДАЛМАДЫ",
            ],
        ),
        (
            "en",
            [
                "logins, p95 in ms: 4999 (target: 5000): met",
                "entry pages, p95 in ms: 1999 (target: 2000): met",
                "API calls, p95 in ms: 2500 (target: 2000): MISSED",
                "errors: 0 (target: 0): met",
                "lost entries: 3 (target: 0): MISSED",
            ],
        ),
    ],
)
def test_the_checks_are_printed_in_the_commands_language_names_included(language, lines):
    """No check prints under its identifier (`login_p95_ms`) in a Kazakh or Russian output."""
    checks = runner.verdict({**MET, "api": {"p95_ms": 2500}}, errors=0, lost=3)
    with translation.override(language):
        assert check_lines(checks) == lines
