"""accord ingest: files, folders and a manifest into the store."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import typer
from rich.table import Table

from accord.cli._console import StageProgress, console, err_console, escape, print_json, state
from accord.cli._options import SCHEDULER
from accord.errors import AccordError


def ingest(
    ctx: typer.Context,
    sources: list[Path] = typer.Argument(None, help="Files or folders (searched recursively)."),
    manifest: Path | None = typer.Option(
        None, "--manifest", "-m", help="CSV/YAML manifest (found automatically in a folder)."
    ),
    path_column: str = typer.Option("path", help="Manifest column naming each row's file."),
    strict: bool = typer.Option(False, "--strict", help="Fail (exit 1) if any file is skipped."),
    allow_outside: bool = typer.Option(
        False, "--allow-outside", help="Also read files outside the corpus folder."
    ),
    workers: int | None = typer.Option(None, min=1, help="Parallel parser processes."),
    file_timeout: float | None = typer.Option(None, help="Seconds allowed to parse one file."),
    max_file_mb: float | None = typer.Option(None, help="Skip files larger than this (MB)."),
    institutions: Path | None = typer.Option(None, help="Your own institution registry (YAML)."),
    settings: Path | None = typer.Option(None, help="Settings file (TOML or YAML)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    scheduler: str | None = SCHEDULER,
) -> None:
    """Ingest a corpus into the store: PDF, HTML, DOCX, TXT and Markdown, with a manifest.

    Example:
        accord ingest corpus/ --manifest corpus/manifest.csv
        accord ingest pdfs/ -m manifest.csv --path-column original_path
        accord ingest corpus/ --scheduler local:2
    """
    import accord

    if not sources and manifest is None:
        raise typer.BadParameter(
            "give a corpus folder, files, or --manifest.", param_hint="SOURCES"
        )
    cli = state(ctx)
    overrides = {
        "workers": workers,
        "file_timeout_s": file_timeout,
        "max_file_mb": max_file_mb,
        "allow_outside": allow_outside,
    }
    config = accord.load_settings(settings, ingest={k: v for k, v in overrides.items() if v})
    with StageProgress(cli.quiet) as progress:
        report = accord.ingest(
            cli.store,
            *(sources or []),
            manifest=manifest,
            path_column=path_column,
            settings=config,
            institutions=institutions,
            command=shlex.join(sys.argv),
            on_progress=lambda name, done, total: progress.update("ingest", done, total, name),
            scheduler=scheduler,
        )
    if as_json:
        print_json(report.as_dict())
    else:
        render_ingest_report(report, cli.store)
    check_outcome(report, strict)


def render_ingest_report(report, store: Path) -> None:
    table = Table(title=f"Ingest into {store}", show_header=False, title_justify="left")
    table.add_row(
        "Added",
        f"{len(report.added)} documents ({report.n_passages:,} passages, {report.n_words:,} words)",
    )
    if report.new_versions:
        table.add_row("New versions", str(len(report.new_versions)))
    table.add_row(
        "Unchanged",
        str(report.unchanged + report.updated)
        + (f" ({report.updated} with updated metadata)" if report.updated else ""),
    )
    table.add_row("Skipped", str(len(report.skipped)))
    table.add_row("Time", f"{report.elapsed_s:.1f} s")
    console.print(table)
    if report.skipped:
        skipped = Table("File", "Reason", "Message", title="Skipped files", title_justify="left")
        for item in report.skipped:
            skipped.add_row(escape(_short(item.source)), item.reason, escape(item.message))
        console.print(skipped)
    if report.flagged:
        console.print(
            f"[yellow]{len(report.flagged)} document(s) flagged[/yellow] "
            "(see `accord info`): "
            + ", ".join(sorted({f for fl in report.flagged.values() for f in fl}))
        )
    if report.unknown_organisations:
        console.print(
            "[yellow]Organisations not in the registry (kept as given):[/yellow] "
            + escape("; ".join(report.unknown_organisations))
        )


def check_outcome(report, strict: bool) -> None:
    if report.n_ingested == 0:
        why, hint = report.why_nothing()
        raise AccordError(f"Nothing could be ingested: {why}.", hint=hint)
    if strict and report.skipped:
        from collections import Counter

        reasons = Counter(s.reason for s in report.skipped)
        counts = ", ".join(f"{reason} {n}" for reason, n in sorted(reasons.items()))
        err_console.print(
            f"[red]--strict: {len(report.skipped)} input(s) skipped ({escape(counts)}); "
            "the rest was ingested, but the run counts as failed.[/red]",
            highlight=False,
        )
        raise typer.Exit(1)


def _short(source: str) -> str:
    try:
        return str(Path(source).relative_to(Path.cwd()))
    except ValueError:
        return source


def register(app: typer.Typer) -> None:
    app.command()(ingest)
