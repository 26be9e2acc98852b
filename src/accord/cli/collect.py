"""accord collect: download manifest rows that have a URL."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from accord.cli._console import StageProgress, console, escape, print_json, state


def collect(
    ctx: typer.Context,
    manifest: Path = typer.Argument(..., help="Manifest (CSV/YAML) with a url column."),
    into: Path = typer.Option(..., "--into", help="Folder for the downloads and the new manifest."),
    max_mb: float = typer.Option(100.0, help="Largest download allowed (MB)."),
    timeout: float = typer.Option(30.0, help="Seconds per request."),
    attempts: int = typer.Option(4, min=1, help="Tries per URL, with exponential backoff."),
    refresh: bool = typer.Option(False, help="Ask the server again for URLs already downloaded."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Download the documents a manifest lists by URL, ready for `accord ingest`.

    Example:
        accord collect sources.csv --into corpus/ && accord ingest corpus/
    """
    import accord

    with StageProgress(state(ctx).quiet) as progress:
        report = accord.collect(
            manifest,
            into,
            max_mb=max_mb,
            timeout_s=timeout,
            attempts=attempts,
            refresh=refresh,
            on_progress=lambda name, done, total: progress.update("collect", done, total, name),
        )
    if as_json:
        print_json(report.as_dict())
        return
    console.print(
        f"Downloaded {len(report.downloaded)}, already present {len(report.cached)}, "
        f"local files {report.local}, skipped {len(report.skipped)}. "
        f"Manifest: {escape(str(report.manifest))}"
    )
    if report.skipped:
        table = Table("Source", "Reason", "Message", title="Skipped", title_justify="left")
        for item in report.skipped:
            table.add_row(escape(item.source), item.reason, escape(item.message))
        console.print(table)


def register(app: typer.Typer) -> None:
    app.command()(collect)
