"""accord run: the main job, from a corpus folder to a report."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from accord.cli._console import console, err_console, escape, state
from accord.cli._options import SCHEDULER
from accord.cli.analyse import render_ranking

STAGES = {
    "ingest": "Reading documents",
    "code": "Coding passages",
    "analyse": "Analysing",
    "report": "Writing the report",
}


def run(
    ctx: typer.Context,
    corpus: Path = typer.Argument(..., help="Corpus folder (with manifest.csv, or files)."),
    manifest: Path | None = typer.Option(None, "--manifest", "-m", help="CSV/YAML manifest."),
    out: Path = typer.Option(Path("accord-output"), help="Folder for the report and tables."),
    coder: str | None = typer.Option(None, help="trained, rules, embedding or ensemble."),
    codebook: Path | None = typer.Option(None, help="Your own codebook YAML."),
    settings: Path | None = typer.Option(None, help="Settings file (TOML or YAML)."),
    scheduler: str | None = SCHEDULER,
) -> None:
    """Ingest, code, analyse and report in one command; a second run reuses everything.

    Example:
        accord run corpus/ --out results/
        accord run corpus/ --out results/ --scheduler local:2
    """
    import accord

    cli = state(ctx)
    with _stage_progress(cli.quiet) as on_stage:
        summary = accord.run(
            corpus,
            store=cli.store,
            manifest=manifest,
            out=out,
            settings=settings,
            coder=coder,
            codebook=codebook,
            on_stage=on_stage,
            command=shlex.join(sys.argv),
            scheduler=scheduler,
        )
    render_summary(summary)


class _stage_progress:
    """One progress display for all stages; silent when quiet or not on a terminal."""

    def __init__(self, quiet: bool):
        self.enabled = not quiet and err_console.is_terminal
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
        )
        self.tasks: dict[str, int] = {}

    def __enter__(self):
        if self.enabled:
            self.progress.start()
        return self.update

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self.progress.stop()

    def update(self, stage: str, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        if stage not in self.tasks:
            for task in self.tasks.values():
                self.progress.update(
                    task,
                    completed=self.progress.tasks[task].total or 1,
                    total=self.progress.tasks[task].total or 1,
                )
            self.tasks[stage] = self.progress.add_task(STAGES.get(stage, stage), total=total)
        self.progress.update(self.tasks[stage], completed=done, total=total)


def render_summary(summary) -> None:
    ingested, coded = summary.ingested, summary.coded
    table = Table(show_header=False, title="Accord run", title_justify="left")
    table.add_row(
        "Documents",
        f"{ingested.n_ingested} ({len(ingested.added)} new, "
        f"{ingested.unchanged + ingested.updated} unchanged)",
    )
    table.add_row(
        "Passages", f"{coded.n_passages:,} ({coded.n_coded:,} newly coded with {coded.coder})"
    )
    table.add_row("Skipped files", str(len(ingested.skipped)))
    table.add_row("Store", escape(summary.store))
    table.add_row("Report", escape(str(summary.report)))
    table.add_row("Tables", escape(str(summary.tables)) + " (Parquet, CSV, JSON)")
    console.print(table)
    for item in ingested.skipped:
        console.print(
            f"[yellow]Skipped[/yellow] {escape(item.source)}: {item.reason}: {escape(item.message)}"
        )
    for note in coded.notes:
        console.print(f"[yellow]{escape(note)}[/yellow]")
    render_ranking(summary.result)
    console.print(f"\nOpen the report: [bold]{escape(str(summary.report))}[/bold]")


def register(app: typer.Typer) -> None:
    app.command()(run)
