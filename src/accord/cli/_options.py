"""Options that several commands share, declared once."""

from __future__ import annotations

import typer

from accord.parallel import SCHEDULER_ENV, SCHEDULER_HELP

SCHEDULER = typer.Option(
    None, "--scheduler", envvar=SCHEDULER_ENV, metavar="SPEC", help=SCHEDULER_HELP
)
