"""The command line's one boundary: consoles, progress bars, logging, and errors to messages."""

from __future__ import annotations

import json
import logging
import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from typer.core import TyperGroup
from typer.exceptions import TyperException

from accord.errors import AccordError

console = Console()
err_console = Console(stderr=True)


def error_log_path() -> Path:
    """The user's own error log (in Accord's per-user folder, private to the user), never a
    file shared by every user of the machine."""
    from accord.config import cache_dir

    folder = cache_dir() / "logs"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.chmod(0o700)
    return folder / "error.log"


def write_error_log(text: str) -> Path:
    path = error_log_path()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as fh:
        fh.write(text)
    path.chmod(0o600)
    return path


@dataclass
class CliState:
    store: Path
    quiet: bool = False
    verbose: bool = False
    debug: bool = False


def state(ctx: typer.Context) -> CliState:
    obj = ctx.find_root().obj
    if not isinstance(obj, CliState):  # a command invoked without the root callback
        obj = CliState(Path(os.environ.get("ACCORD_STORE", "accord.db")))
        ctx.find_root().obj = obj
    return obj


def configure_logging(verbose: bool, debug: bool) -> None:
    from rich.logging import RichHandler

    level = logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(
        level=level,
        format="%(message)s",
        handlers=[RichHandler(console=err_console, show_path=False)],
        force=True,
    )
    # Dask logs each worker's start and stop at INFO (--scheduler): only under --debug. Dask
    # reads this when it is first imported, and its worker processes inherit it.
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "info" if debug else "warning")


class AccordGroup(TyperGroup):
    """Turns library errors into one red line (exit 1) and bugs into a short note plus a log;
    accepts the global --store after the subcommand too (`accord ingest DIR --store x.db`)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_options(args))

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, TyperException):
            raise
        except AccordError as exc:
            print_error(exc)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err_console.print("[red]Interrupted.[/red]")
            raise typer.Exit(130) from None
        except Exception as exc:
            debug = isinstance(ctx.obj, CliState) and ctx.obj.debug
            if debug:
                raise
            log = write_error_log(traceback.format_exc())
            err_console.print(
                f"[red]Unexpected error (a bug in Accord):[/red] {type(exc).__name__}: {exc}. "
                f"Details: {log}",
                markup=True,
                highlight=False,
            )
            raise typer.Exit(1) from None


GLOBAL_VALUE_OPTIONS = ("--store",)  # options of the root command that take a value


def hoist_global_options(args: list[str]) -> list[str]:
    """Move global options given after the subcommand to the front, where click reads them."""
    moved: list[str] = []
    rest: list[str] = []
    k = 0
    while k < len(args):
        arg = args[k]
        if arg == "--":
            rest.extend(args[k:])
            break
        if arg in GLOBAL_VALUE_OPTIONS and k + 1 < len(args):
            moved += [arg, args[k + 1]]
            k += 2
            continue
        if arg.split("=", 1)[0] in GLOBAL_VALUE_OPTIONS and "=" in arg:
            moved.append(arg)
        else:
            rest.append(arg)
        k += 1
    return moved + rest


def print_error(exc: AccordError) -> None:
    err_console.print(f"[bold red]Error:[/bold red] {escape(exc.message)}", highlight=False)
    if exc.hint:
        err_console.print(f"[dim]Hint: {escape(exc.hint)}[/dim]", highlight=False)


def escape(text: str) -> str:
    from rich.markup import escape as rich_escape

    return rich_escape(text)


@contextmanager
def progress_bar(description: str, quiet: bool) -> Iterator[Any]:
    """Yields ``update(done, total, label)``; draws nothing when quiet or not on a terminal."""
    if quiet or not err_console.is_terminal:
        yield lambda *args, **kwargs: None
        return
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[label]}", style="dim"),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task(description, total=None, label="")

        def update(done: int, total: int | None, label: str = "") -> None:
            progress.update(task, completed=done, total=total, label=label[:40])

        yield update


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
