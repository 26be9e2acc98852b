"""Every third-party package the code imports is declared in pyproject.toml, so a fresh
install has it (an undeclared import once passed locally and failed CI)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    requirements = [*project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        requirements += extra
    return {normalise(re.split(r"[\s<>=!~\[;]", r, maxsplit=1)[0]) for r in requirements}


def imported(folder: Path) -> set[str]:
    names = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"accord", "__future__"} - local_modules()


FOLDERS = ("src", "tests", "benchmarks")


def local_modules() -> set[str]:
    """Modules of this repository (benchmarks use the tests' generated fixtures)."""
    folders = [ROOT / f for f in FOLDERS]
    return {p.stem for f in folders for p in f.rglob("*.py")} | {
        p.name for f in folders for p in f.rglob("*") if p.is_dir()
    }


def test_every_imported_package_is_declared():
    distributions = packages_distributions()
    wanted = declared()
    missing = {}
    for folder in FOLDERS:
        for module in sorted(imported(ROOT / folder)):
            owners = {normalise(d) for d in distributions.get(module, [])}
            if not owners & wanted:
                missing[module] = sorted(owners) or ["not installed"]
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"
