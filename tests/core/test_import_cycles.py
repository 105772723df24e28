"""No import cycles between the modules of the project's apps.

Two checks: the graph of module-level imports (read from the source, every module) has no cycle,
and a fresh interpreter imports the modules in several orders, each order starting from a module
that used to sit on a cycle, with the admin's autodiscovery held back so that nothing but the
models is loaded before the module under test.
"""

import ast
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("core", "territory", "registry", "results")


def _module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def app_modules():
    """{module name: path} of every module of the apps, migrations aside."""
    found = {}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            found[_module_name(path)] = path
    return found


def _resolve(module, path, level, target):
    if level == 0:
        return target
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[: len(package) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def _packages_of(module):
    return {module.rsplit(".", n)[0] for n in range(1, module.count(".") + 1)}


def import_graph(modules):
    """{module: modules of the project it imports at module level} (imports inside functions are lazy: left out)."""
    graph = {}
    for module, path in modules.items():
        edges = set()
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(module, path, node.level, node.module)
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            # A module's own packages are always initialised before it: `from . import sibling` is no cycle.
            # Importing a.b.c imports a and a.b first: the packages of a target are imported too.
            ancestors = _packages_of(module)
            targets = set(targets).union(*(_packages_of(t) for t in targets))
            edges.update(t for t in targets if t in modules and t != module and t not in ancestors)
        graph[module] = edges
    return graph


def find_cycle(graph):
    """One cycle of the graph as a list of modules, or None."""
    state = {}

    def visit(node, stack):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state:
                cycle = visit(nxt, stack)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node, [])
            if cycle:
                return cycle
    return None


def test_the_finder_sees_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_the_module_level_imports_of_the_apps_have_no_cycle():
    modules = app_modules()
    assert {"registry.offices.services", "registry.admin", "results.aggregation.run"} <= set(modules)
    assert find_cycle(import_graph(modules)) is None


def test_no_module_imports_at_its_end():
    late = []
    for module, path in app_modules().items():
        if "noqa: E402" in path.read_text():
            late.append(module)
    assert late == []


# Modules that sat on a cycle (or imported at their end), each imported first in its own interpreter.
FIRST = (
    "registry.offices.services",
    "registry.services",
    "registry.admin.offices",
    "registry.admin",
    "results.admin.winners",
    "results.models.aggregates",
)

_IMPORT_ALL = """
import importlib, sys
import django
import django.contrib.admin
django.contrib.admin.autodiscover = lambda: None  # the module under test comes first, not the admin
django.setup()
for name in sys.argv[1:]:
    importlib.import_module(name)
"""


def _import_in_fresh_interpreter(names):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "electadmin.settings", "DEBUG": "1"}
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL, *names], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.mark.parametrize("first", FIRST)
def test_each_former_cycle_member_imports_first(first):
    _import_in_fresh_interpreter([first])


@pytest.mark.parametrize("order", ["sorted", "reversed", "shuffled"])
def test_every_module_imports_in_several_orders(order):
    names = sorted(app_modules())
    if order == "reversed":
        names.reverse()
    elif order == "shuffled":
        random.Random(18).shuffle(names)
    _import_in_fresh_interpreter(names)
