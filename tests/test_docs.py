"""Documentation that cannot fall behind the code: command help, settings, README."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from accord.cli import app
from accord.config import settings_reference

ROOT = Path(__file__).resolve().parents[1]


def commands():
    group = typer.main.get_command(app)
    for name, command in group.commands.items():
        if hasattr(command, "commands"):  # a sub-app such as `codebook`
            for sub_name, sub in command.commands.items():
                yield f"{name} {sub_name}", sub
        else:
            yield name, command


@pytest.mark.parametrize(("name", "command"), list(commands()), ids=lambda v: str(v))
def test_every_command_has_summary_and_example(name, command):
    doc = command.callback.__doc__ or ""
    assert doc.strip(), f"accord {name} has no docstring"
    assert "Example:" in doc, f"accord {name} docstring has no Example: block"


def test_settings_reference_is_current():
    assert settings_reference() in (ROOT / "docs" / "settings.md").read_text("utf-8")


def test_readme_quick_start():
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "make demo" in readme and "make test" in readme


def test_skip_reasons_table_is_current():
    from accord.model.provenance import skip_reasons_reference

    assert skip_reasons_reference() in (ROOT / "docs" / "ingest.md").read_text("utf-8")


def _recorded_reasons() -> set[str]:
    """Every reason code the code can record for a skipped input: reasons of the error classes
    whose failures become skips, reason= arguments, and the reason argument of Skipped(...)
    and _skipped(...) calls."""
    import ast

    from accord import errors

    found: set[str] = set()
    pending = [errors.IngestError, errors.CollectError, errors.ValidationDataError]
    while pending:
        cls = pending.pop()
        found.add(cls.reason)
        pending.extend(cls.__subclasses__())
    sources = [*(ROOT / "src" / "accord" / "ingestion").rglob("*.py")]
    sources.append(ROOT / "src" / "accord" / "validation" / "gold.py")
    sources.append(ROOT / "src" / "accord" / "validation" / "qdpx_gold.py")
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                if keyword.arg == "reason" and isinstance(keyword.value, ast.Constant):
                    found.add(keyword.value.value)
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            position = {"Skipped": 2, "_skipped": 1}.get(name)
            if position is not None and len(node.args) > position:
                argument = node.args[position]
                if isinstance(argument, ast.Constant):
                    found.add(argument.value)
    return found


def test_every_skip_reason_the_code_can_record_is_documented():
    from accord.model.provenance import SKIP_REASONS

    missing = sorted(_recorded_reasons() - set(SKIP_REASONS))
    assert not missing, f"reasons recorded but not in SKIP_REASONS (docs/ingest.md): {missing}"
