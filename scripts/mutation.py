"""Mutation testing of the rule modules (issue 24): run mutmut on each module in turn, print the score.

    python scripts/mutation.py                         # every module of [tool.mutmut] only_mutate
    python scripts/mutation.py registry/iin.py         # one module
    python scripts/mutation.py --report                # only print the figures of the last run
    python scripts/mutation.py --survivors             # also list the surviving mutants' names

mutmut reads its configuration from pyproject.toml ([tool.mutmut]); it copies the project into
mutants/ and runs each mutant against the tests that call the mutated function. Each run starts
from a fresh mutants/ (unless --keep), so the figures never mix results of older code or tests.
The score is killed / all mutants generated (a timeout, a survivor or a mutant no test reaches
counts against it). Exit status 1 when a module is below --fail-under (90 by default).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# mutmut's exit codes of a mutant's test run, as in mutmut.stats.status_by_exit_code.
KILLED = {1, 3}
SURVIVED = {0}
NO_TESTS = {5, 33}
TIMEOUT = {36, -24, 24, 152, 255}


def configured_modules():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    return config["tool"]["mutmut"]["only_mutate"]


def dotted(module):
    return module.removesuffix(".py").replace("/", ".")


def figures(module):
    """{"mutants", "killed", "survived", "timeout", "no_tests", "other", "survivors"} of the last run
    ("other": not checked, suspicious, segfault)."""
    meta = ROOT / "mutants" / (module + ".meta")
    if not meta.exists():
        return None
    codes = json.loads(meta.read_text("utf-8"))["exit_code_by_key"]
    out = {"mutants": len(codes), "killed": 0, "survived": 0, "timeout": 0, "no_tests": 0, "other": 0}
    survivors = []
    for name, code in sorted(codes.items()):
        if code in KILLED:
            out["killed"] += 1
        elif code in SURVIVED:
            out["survived"] += 1
            survivors.append(name)
        elif code in TIMEOUT:
            out["timeout"] += 1
        elif code in NO_TESTS:
            out["no_tests"] += 1
        else:  # not checked (None), suspicious, segfault, interrupted
            out["other"] += 1
    out["survivors"] = survivors
    return out


def diff(mutant_name, module):
    """The changed lines of a mutant (mutmut's own diff, from mutants/)."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        text = get_diff_for_mutant(mutant_name, path=module)
    finally:
        os.chdir(cwd)
    return [line for line in text.splitlines()[2:] if line[:1] in "+-"]


def score(f):
    return 100.0 * f["killed"] / f["mutants"] if f["mutants"] else 100.0


def run_module(module, max_children):
    env = {**os.environ, "DEBUG": "1"}
    command = [sys.executable, "-m", "mutmut", "run", "--max-children", str(max_children), dotted(module) + ".*"]
    print(f"== mutmut on {module}: {' '.join(command[2:])}", flush=True)
    started = time.monotonic()
    log = ROOT / "mutants" / f"mutmut-{dotted(module)}.log"
    log.parent.mkdir(exist_ok=True)
    # mutmut's output goes to the log; the terminal gets its progress, not the closing list of every mutant.
    with open(log, "wb") as out, subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE) as process:
        echo = True
        for chunk in iter(lambda: process.stdout.read1(4096), b""):
            out.write(chunk)
            if echo and b"Mutant results" in chunk:
                echo = False
                chunk = chunk.split(b"Mutant results")[0]
            if echo:
                sys.stdout.buffer.write(chunk)
                sys.stdout.buffer.flush()
        returncode = process.wait()
    print(f"\n== {module}: {time.monotonic() - started:.0f} s (mutmut exit status {returncode}; log {log})", flush=True)
    return returncode


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("modules", nargs="*", help="rule modules (default: [tool.mutmut] only_mutate)")
    parser.add_argument("--max-children", type=int, default=2, help="parallel mutant runs (default 2)")
    parser.add_argument("--fail-under", type=float, default=90.0, help="minimum score per module, percent")
    parser.add_argument("--report", action="store_true", help="print the figures of the last run only")
    parser.add_argument("--keep", action="store_true", help="reuse mutants/ and mutmut's cached results")
    parser.add_argument("--survivors", action="store_true", help="list the surviving mutants")
    args = parser.parse_args(argv)

    known = configured_modules()
    modules = args.modules or known
    unknown = [m for m in modules if m not in known]
    if unknown:
        parser.error(f"not in [tool.mutmut] only_mutate: {', '.join(unknown)}")

    started = time.monotonic()
    if not args.report:
        if not args.keep:
            shutil.rmtree(ROOT / "mutants", ignore_errors=True)
        for module in modules:
            if run_module(module, args.max_children) not in (0, None):
                print(f"mutmut failed on {module}", file=sys.stderr)
                return 2

    print()
    header = ("mutants", "killed", "survived", "timeout", "no tests", "other", "score")
    print(f"{'module':<26} " + " ".join(f"{h:>{max(len(h), 7)}}" for h in header))
    below = []
    for module in modules:
        f = figures(module)
        if f is None:
            print(f"{module:<26} {'not run':>7}")
            below.append(module)
            continue
        print(
            f"{module:<26} {f['mutants']:>7} {f['killed']:>7} {f['survived']:>8} {f['timeout']:>7}"
            f" {f['no_tests']:>8} {f['other']:>7} {score(f):>6.1f}%"
        )
        if score(f) < args.fail_under:
            below.append(module)
        if args.survivors:
            for name in f["survivors"]:
                print(f"    survived: {name}")
                for line in diff(name, module):
                    print(f"        {line}")
    if not args.report:
        print(f"\nmake mutation: {time.monotonic() - started:.0f} s")
    if below:
        print(f"below {args.fail_under:g}%: {', '.join(below)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
