"""manage.py bench_demo (devtools/bench/demo.py): each run is a fresh process on a fresh copy of the
migrated file, in `make run`'s environment; the median decides the 15 s target on both sides of it;
a failing command stops the bench with its exit status and its last output; the section replaces
its own and keeps the rest of the document."""

import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from devtools.bench import demo

PY = sys.executable
# A stand-in for `migrate`: creates the database file with one line in it.
MIGRATE = [PY, "-c", "import os; open(os.environ['DATABASE_URL'][len('sqlite:///'):], 'w').write('migrated\\n')"]
# A stand-in for `load_demo`: fails unless its file is a fresh copy of the migrated one and the
# environment is `make run`'s; then appends to the file, so a run that reused the file would fail.
LOAD = [
    PY,
    "-c",
    "import os, sys\n"
    "path = os.environ['DATABASE_URL'][len('sqlite:///'):]\n"
    "env = (os.environ['DEBUG'], os.environ['DEVTOOLS'], os.environ['CELERY_BROKER_URL'])\n"
    "sys.exit(2) if open(path).read() != 'migrated\\n' else None\n"
    "sys.exit(3) if env != ('1', '1', '') else None\n"
    "open(path, 'a').write('loaded\\n')\n",
]
STARTUP = [PY, "-c", "pass"]


def test_each_run_is_a_fresh_process_on_a_fresh_copy_in_make_runs_environment(monkeypatch):
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
    said = []
    figures = demo.measure(3, say=lambda step, s: said.append(step), startup=STARTUP, migrate=MIGRATE, load=LOAD)
    assert len(figures["load"]) == 3 and len(figures["startup"]) == 3
    assert all(s > 0 for s in [*figures["load"], *figures["startup"], figures["migrate"]])
    assert said == ["startup", "migrate", "load", "load", "load"]
    assert len(figures["load_average"]) == 2


def test_a_failing_command_stops_the_bench_with_its_status_and_last_output():
    failing = [PY, "-c", "import sys; print('first line'); print('no such table: territory_adminunit'); sys.exit(4)"]
    with pytest.raises(demo.StepFailed) as caught:
        demo.measure(1, startup=STARTUP, migrate=MIGRATE, load=failing)
    assert "exited with 4" in str(caught.value)
    assert "no such table: territory_adminunit" in str(caught.value)
    with pytest.raises(ValueError):
        demo.measure(0, startup=STARTUP, migrate=MIGRATE, load=LOAD)


def test_the_real_migrate_leaves_a_database_that_load_demo_could_use():
    """The default commands run: the copy each run gets has every migration applied."""
    check = [PY, "manage.py", "migrate", "--check"]
    figures = demo.measure(1, migrate=demo.MIGRATE, load=check)
    assert figures["migrate"] > 0 and figures["load"][0] > 0


def _figures(loads, startup=(1.0, 1.2, 0.8), migrate=4.5):
    return {"startup": list(startup), "migrate": migrate, "load": list(loads), "load_average": (0.5, 1.5)}


@pytest.mark.parametrize(
    ("loads", "met"),
    [((16.0, 14.0, 15.0), True), ((15.01, 14.0, 16.0), False), ((9.0,), True), ((15.01,), False)],
)
def test_the_target_is_the_median_at_15_seconds_or_less(loads, met):
    assert demo.met(_figures(loads)) is met
    row = demo.render(_figures(loads)).splitlines()
    line = next(line for line in row if line.startswith("| `load_demo`"))
    assert line.endswith(f"| {'yes' if met else 'no'} |")


def test_the_section_states_median_runs_baseline_and_ratio():
    body = demo.render(_figures((16.0, 14.0, 15.0)))
    assert "| `load_demo` on a migrated empty database, fresh process | 15.0 s | 16.0, 14.0, 15.0 " in body
    assert "| 1.00 s (Django start-up alone) | 15.0x | <= 15 s | yes |" in body
    assert "| `migrate` on an empty file (once, before the demo) | 4.5 s |" in body
    assert "`make run` waits for both before it serves: 19.5 s here." in body
    assert "- load average (1 min) at the start / end of the run: 0.5 / 1.5" in body
    assert "- commit: `" in body and "- machine: `" in body


def test_the_command_writes_its_section_and_keeps_the_rest(tmp_path, monkeypatch):
    doc = tmp_path / "PERFORMANCE.md"
    doc.write_text(
        "# Performance\n\nIntro.\n\n<!-- bench:demo:start -->\nold figures\n<!-- bench:demo:end -->\n\n"
        "## Load test\n\nkept\n"
    )
    monkeypatch.setattr(demo, "measure", lambda runs, say: _figures((15.2, 15.3, 15.1)))
    out = StringIO()
    call_command("bench_demo", "--doc", str(doc), "--language", "en", stdout=out)
    text = doc.read_text()
    assert "old figures" not in text and "| 15.2 s | 15.2, 15.3, 15.1 " in text
    assert text.startswith("# Performance\n\nIntro.\n") and text.endswith("## Load test\n\nkept\n")
    assert text.count("<!-- bench:demo:start -->") == 1
    assert out.getvalue().rstrip().endswith("target (15 s or less): missed")


def test_no_doc_leaves_the_document_alone_and_a_failure_is_a_command_error(tmp_path, monkeypatch):
    doc = tmp_path / "PERFORMANCE.md"
    doc.write_text("# Performance\n")
    monkeypatch.setattr(demo, "measure", lambda runs, say: _figures((12.0,)))
    out = StringIO()
    call_command("bench_demo", "--doc", str(doc), "--no-doc", "--language", "en", stdout=out)
    assert doc.read_text() == "# Performance\n"
    assert out.getvalue().rstrip().endswith("target (15 s or less): met")

    def failing(runs, say):
        raise demo.StepFailed("manage.py load_demo exited with 1: database is locked")

    monkeypatch.setattr(demo, "measure", failing)
    with pytest.raises(CommandError, match="load_demo exited with 1: database is locked"):
        call_command("bench_demo", "--doc", str(doc), "--language", "en", stdout=StringIO())
    with pytest.raises(CommandError, match="--runs must be at least 1"):
        call_command("bench_demo", "--runs", "0", "--language", "en", stdout=StringIO())


def test_the_commands_own_lines_are_in_the_chosen_language(tmp_path, monkeypatch):
    def measure(runs, say):
        say("startup", 0.84)
        say("load", 14.26)
        return _figures((15.2,))

    monkeypatch.setattr(demo, "measure", measure)
    out = StringIO()
    call_command("bench_demo", "--doc", str(tmp_path / "P.md"), "--no-doc", "--language", "kk", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[:2] == ["bench_demo: Django іске қосылуы: 0,8 с", "bench_demo: load_demo, бір рет: 14,3 с"]
    assert lines[2] == "bench: P.md бөлімі (құжаттың өзі сияқты ағылшын тілінде):"
    assert lines[-1] == "мақсат (15 с немесе аз): орындалмады"
