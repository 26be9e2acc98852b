"""accord run: the main job, from a corpus folder to a report."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import typer
from rich.table import Table

from accord.cli._console import StageProgress, console, escape, print_json, state
from accord.cli._options import SCHEDULER
from accord.cli.analyse import render_ranking


def run(
    ctx: typer.Context,
    corpus: Path = typer.Argument(..., help="Corpus folder (with manifest.csv, or files)."),
    manifest: Path | None = typer.Option(None, "--manifest", "-m", help="CSV/YAML manifest."),
    out: Path = typer.Option(Path("accord-output"), help="Folder for the report and tables."),
    coder: str | None = typer.Option(None, help="trained, rules, embedding or ensemble."),
    codebook: Path | None = typer.Option(None, help="Your own codebook YAML."),
    settings: Path | None = typer.Option(None, help="Settings file (TOML or YAML)."),
    as_json: bool = typer.Option(False, "--json", help="Print what each stage did as JSON."),
    scheduler: str | None = SCHEDULER,
) -> None:
    """Ingest, code, analyse and report in one command; a second run reuses everything.

    Example:
        accord run corpus/ --out results/
        accord run corpus/ --out results/ --scheduler local:2
    """
    import accord

    cli = state(ctx)
    with StageProgress(cli.quiet) as progress:
        summary = accord.run(
            corpus,
            store=cli.store,
            manifest=manifest,
            out=out,
            settings=settings,
            coder=coder,
            codebook=codebook,
            on_stage=progress.update,
            command=shlex.join(sys.argv),
            scheduler=scheduler,
        )
    if as_json:
        print_json(summary.as_dict())
        return
    render_summary(summary)


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
