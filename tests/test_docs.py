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
