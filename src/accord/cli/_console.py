"""The command line's one boundary: consoles, progress bars, logging, and errors to messages."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from typer.core import TyperGroup
from typer.exceptions import TyperException

from accord.errors import AccordError

# The command line draws its own progress: the libraries' tqdm bars (read when tqdm is first
# imported, which comes later) would interleave with it or fill a log file with redraws.
os.environ.setdefault("TQDM_DISABLE", "1")

# Piped into a file or a pager, rich would fall back to 80 columns and cut the ranking's
# columns to "Oppor…"; COLUMNS, when set, still decides.
console = Console(width=None if sys.stdout.isatty() or "COLUMNS" in os.environ else 120)
err_console = Console(stderr=True, soft_wrap=True)  # an error stays one line in a log


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

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            tidy_help(command, ctx)
        return command

    def format_help(self, ctx: Any, formatter: Any) -> None:
        tidy_help(self, ctx)
        super().format_help(ctx, formatter)

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


def tidy_help(command: Any, ctx: Any) -> None:
    """What ``--help`` shows: typer labels every flag ``<bool>`` although a flag takes no value,
    and in rich mode keeps the line breaks of a docstring's first paragraph, which is the
    one-line summary in the list of commands."""
    for param in command.get_params(ctx):
        if getattr(param, "is_flag", False):
            param.metavar = ""  # typer shows a metavar, when set, instead of the type
    if command.help:
        first, sep, rest = command.help.strip().partition("\n\n")
        command.help = " ".join(first.split()) + sep + rest


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


# What each stage counts, as the progress display names it.
STAGES = {
    "ingest": ("Reading documents", "files"),
    "code": ("Coding passages", "passages"),
    "analyse": ("Analysing", "steps"),
    "report": ("Writing the report", "steps"),
    "collect": ("Downloading", "URLs"),
}
LOG_EVERY_S = 5.0  # without a terminal: a progress line at least this often...
LOG_EVERY_PERCENT = 10  # ... and each time this much more is done


class StageProgress:
    """Progress of one or more stages with counts, elapsed time and time left: rich bars on a
    terminal; without one (a log file, a CI job, a pipe) one line per step on stderr, so a
    long run shows it is moving without filling the log with redraws; nothing when quiet.

    Use as a context manager; call ``update(stage, done, total, label)``.
    """

    def __init__(self, quiet: bool, *, terminal: bool | None = None) -> None:
        self.terminal = err_console.is_terminal if terminal is None else terminal
        self.quiet = quiet
        self.bars: Progress | None = None
        self.tasks: dict[str, Any] = {}
        self.logs: dict[str, _StageLog] = {}
        self.last_event = time.monotonic()  # a new stage began when the one before it ended

    def __enter__(self) -> StageProgress:
        self.last_event = time.monotonic()
        if not self.quiet and self.terminal:
            self.bars = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[unit]}"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                TextColumn("{task.fields[label]}", style="dim"),
                console=err_console,
                transient=True,
            )
            self.bars.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bars is not None:
            self.bars.stop()

    def update(self, stage: str, done: int, total: int | None, label: str = "") -> None:
        if self.quiet:
            return
        description, unit = STAGES.get(stage, (stage, "steps"))
        if self.bars is None:
            now = time.monotonic()
            if stage not in self.logs:
                self.logs[stage] = _StageLog(description, unit, self.last_event)
            line = self.logs[stage].line(done, total, now)
            self.last_event = now
            if line:
                sys.stderr.write(line + "\n")
                sys.stderr.flush()
            return
        if stage not in self.tasks:
            for task in self.tasks.values():  # an earlier stage is over
                finished = self.bars.tasks[task].total or 1
                self.bars.update(task, completed=finished, total=finished)
            self.tasks[stage] = self.bars.add_task(description, total=total, unit=unit, label="")
        self.bars.update(self.tasks[stage], completed=done, total=total, label=label[:40])

    def stage(self, stage: str) -> Any:
        """``update`` for one stage, as the callbacks of ingest, coding and analysis call it."""
        return lambda done, total, label="": self.update(stage, done, total, label)


@dataclass
class _StageLog:
    """When to write a progress line for one stage, and what it says."""

    description: str
    unit: str
    started: float
    last_time: float = 0.0
    last_bucket: int = -1
    finished: bool = False

    def line(self, done: int, total: int | None, now: float) -> str | None:
        if self.finished:
            return None
        elapsed = now - self.started
        if total:
            bucket = done * 100 // total // LOG_EVERY_PERCENT
            due = bucket > self.last_bucket or now - self.last_time >= LOG_EVERY_S
            self.finished = done >= total
            if not (due or self.finished):
                return None
            self.last_bucket, self.last_time = bucket, now
            text = f"{self.description}: {done:,}/{total:,} {self.unit} ({done * 100 // total}%)"
            if self.finished:
                return f"{text} in {_duration(elapsed)}"
            left = elapsed / done * (total - done) if done else None
            eta = f", ETA {_duration(left)}" if left is not None else ""
            return f"{text}, {_duration(elapsed)} elapsed{eta}"
        if now - self.last_time < LOG_EVERY_S and self.last_bucket >= 0:
            return None
        self.last_bucket, self.last_time = 0, now
        if not done:
            return f"{self.description}: started"
        return f"{self.description}: {done:,} {self.unit}, {_duration(elapsed)} elapsed"


def _duration(seconds: float) -> str:
    """3.2 s, 4 min 05 s, 1 h 02 min."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
