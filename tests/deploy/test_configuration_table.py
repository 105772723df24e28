"""README's configuration table lists every environment variable the code reads, and nothing else."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# First-party code that runs in production (tests and migrations read no configuration).
SCANNED = ["electadmin", "core", "territory", "registry", "results", "deploy", "manage.py"]
# django-environ readers: env("X"), env.str("X"), env.bool("X"), ...
ENV_METHODS = {"str", "bool", "int", "float", "list", "tuple", "dict", "json", "url", "db", "db_url", "path"}
ENV_METHODS |= {"cache", "cache_url", "email", "email_url", "search_url", "decimal", "parse_value"}
# Set by the process launcher, not by the operator.
NOT_CONFIGURATION = {"DJANGO_SETTINGS_MODULE", "PATH"}


def _is_os_environ(node):
    return isinstance(node, ast.Attribute) and node.attr == "environ" and getattr(node.value, "id", None) == "os"


def _reads_env(func):
    if isinstance(func, ast.Name):
        return func.id == "env"
    if not isinstance(func, ast.Attribute):
        return False
    owner = getattr(func.value, "id", None)
    return (
        (owner == "env" and func.attr in ENV_METHODS)
        or (_is_os_environ(func.value) and func.attr in {"get", "pop"})
        or (owner == "os" and func.attr == "getenv")
    )


def _is_env_helper(func):
    return isinstance(func, ast.Name) and func.id != "env" and "env" in func.id.lower()


def _is_upper_literal(node):
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isupper()


class EnvReads(ast.NodeVisitor):
    """Collects variable names read from the environment; `unknown` holds reads whose name is not a literal."""

    def __init__(self):
        self.names = set()
        self.unknown = []
        self._functions = []

    def visit_FunctionDef(self, node):
        self._functions.append(node.name)
        self.generic_visit(node)
        self._functions.pop()

    def _record(self, node, arg):
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            self.names.add(arg.value)
        elif not any("env" in name.lower() for name in self._functions):
            # A computed name is allowed only inside a small env-reading helper (whose callers pass literals).
            self.unknown.append(node.lineno)

    def visit_Call(self, node):
        func = node.func
        first = node.args[0] if node.args else None
        if first is not None and _reads_env(func):
            self._record(node, first)
        elif first is not None and _is_env_helper(func) and _is_upper_literal(first):
            # Local helpers such as gunicorn.conf.py's _env_int("WEB_CONCURRENCY", 3).
            self.names.add(first.value)
        self.generic_visit(node)

    def visit_Subscript(self, node):
        if _is_os_environ(node.value) and isinstance(node.ctx, ast.Load):
            self._record(node, node.slice)
        self.generic_visit(node)


def env_reads_in(source):
    visitor = EnvReads()
    visitor.visit(ast.parse(source))
    return visitor


def scanned_files():
    for entry in SCANNED:
        path = ROOT / entry
        files = [path] if path.is_file() else sorted(path.rglob("*.py"))
        for file in files:
            if "migrations" not in file.parts:
                yield file


def variables_read_by_the_code():
    names, unknown = {}, []
    for file in scanned_files():
        visitor = env_reads_in(file.read_text())
        for name in visitor.names:
            names.setdefault(name, file.relative_to(ROOT).as_posix())
        unknown += [f"{file.relative_to(ROOT)}:{line}" for line in visitor.unknown]
    return {k: v for k, v in names.items() if k not in NOT_CONFIGURATION}, unknown


def readme_table():
    text = (ROOT / "README.md").read_text()
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|", section, flags=re.MULTILINE)


def test_the_scanner_finds_every_kind_of_read():
    source = """
import os
A = env.str("A_STR", default="")
B = env("B_CALL")
C = env.db("C_DB")
D = os.environ.get("D_GET")
E = os.environ["E_ITEM"]
F = os.getenv("F_GETENV")
G = _env_int("G_HELPER", 3)
os.environ.setdefault("NOT_A_READ", "x")
def read(name):
    return os.environ.get(name)
"""
    visitor = env_reads_in(source)

    assert visitor.names == {"A_STR", "B_CALL", "C_DB", "D_GET", "E_ITEM", "F_GETENV", "G_HELPER"}
    assert visitor.unknown == [12]


def test_every_variable_read_is_in_the_readme_table():
    names, unknown = variables_read_by_the_code()
    documented = set(readme_table())

    assert not unknown, f"environment read with a computed name (cannot be checked): {unknown}"
    missing = {name: where for name, where in names.items() if name not in documented}
    assert not missing, f"add these to README.md, Configuration: {missing}"


def test_the_readme_table_lists_no_stale_or_duplicate_variables():
    names, _ = variables_read_by_the_code()
    rows = readme_table()

    assert len(rows) == len(set(rows)), "a variable is listed twice"
    stale = set(rows) - set(names)
    assert not stale, f"README lists variables nothing reads: {stale}"


def test_the_table_covers_the_deployment_variables():
    # The processes in deploy/ are configured only through these.
    assert {"WEB_CONCURRENCY", "GUNICORN_BIND", "CONN_MAX_AGE", "LOG_FORMAT", "DATABASE_REPLICA_URL"} <= set(
        readme_table()
    )
