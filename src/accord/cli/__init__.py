"""The ``accord`` command: one module per verb, all thin wrappers over the library."""

from __future__ import annotations

from pathlib import Path

import typer

from accord._version import __version__
from accord.cli import _console
from accord.cli._console import AccordGroup, CliState

app = typer.Typer(
    cls=AccordGroup,
    help="Accord: where international organisations already agree on AI, domain by domain.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"accord {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    store: Path = typer.Option(
        Path("accord.db"), "--store", envvar="ACCORD_STORE", help="The Accord store (SQLite file)."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log each stage."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of unexpected errors."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Accord: where international organisations already agree on AI, domain by domain."""
    ctx.obj = CliState(store=store, quiet=quiet, verbose=verbose, debug=debug)
    _console.configure_logging(verbose, debug)


def _register() -> None:
    from accord.cli import (
        analyse,
        cache,
        code,
        codebook,
        collect,
        info,
        ingest,
        report,
        run,
        search,
        serve,
        train,
        validate,
    )

    modules = (
        run,
        ingest,
        code,
        codebook,
        validate,
        train,
        analyse,
        report,
        search,
        serve,
        info,
        collect,
        cache,
    )
    for module in modules:
        module.register(app)


_register()


def main() -> None:
    app()
