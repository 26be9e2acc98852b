"""Imports only go downward: cli/web -> report -> analysis/validation -> coding/ingest -> store
-> model. Siblings do not import each other."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "accord"
LEVEL = {
    "errors": 0,
    "_version": 0,
    "model": 1,
    "config": 2,
    "parallel": 2,
    "store": 3,
    "coding": 4,
    "ingestion": 4,
    "analysis": 5,
    "validation": 5,
    "report": 6,
    "web": 7,
    "cli": 8,  # `accord serve` starts the web app; the web app never imports the command line
}


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "accord" else None


def test_imports_go_downward():
    problems = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if len(relative.parts) == 1 and relative.name in ("__init__.py", "__main__.py"):
            continue  # the facade reaches every layer by design
        own = relative.parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                targets = [node.module]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            for target in targets:
                other = layer_of(target)
                if other is None or other == own:
                    continue
                if target == "accord":
                    if own not in ("cli", "web"):
                        problems.append(f"{relative}: imports the facade")
                elif LEVEL[other] >= LEVEL[own]:
                    problems.append(f"{relative}: imports {target}")
    assert not problems, "\n".join(problems)
