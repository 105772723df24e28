"""The layering of the apps (import-linter's contracts in pyproject.toml) holds, and says what
issue 18 asks: api | results | registry | territory | core, core importing no app of the project,
no domain app importing electadmin, api or devtools."""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _contracts():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return {contract["id"]: contract for contract in config["contracts"]}


def test_the_contracts_name_the_layers_and_the_forbidden_imports():
    contracts = _contracts()
    assert contracts["layers"]["type"] == "layers"
    assert contracts["layers"]["layers"] == ["api", "results", "registry", "territory", "core"]
    core = contracts["core-imports-no-app"]
    assert core["type"] == "forbidden" and core["source_modules"] == ["core"]
    assert set(core["forbidden_modules"]) == {"territory", "registry", "results", "api", "electadmin", "devtools"}
    domain = contracts["domain-apps-below-wiring-api-tooling"]
    assert domain["type"] == "forbidden"
    assert set(domain["source_modules"]) == {"core", "territory", "registry", "results"}
    assert set(domain["forbidden_modules"]) == {"electadmin", "api", "devtools"}


def test_lint_imports_passes():
    done = subprocess.run([str(LINT_IMPORTS)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout
