"""accord report / export: the analysis as a readable report, or as open files."""

from __future__ import annotations

import shlex
import sys
from enum import StrEnum
from pathlib import Path

import typer

from accord.cli._console import console, escape, print_json, state


class ReportFormat(StrEnum):
    html = "html"
    md = "md"
    json = "json"


class ExportFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"
    json = "json"


def report(
    ctx: typer.Context,
    out: Path | None = typer.Option(
        None, "--out", "-o", help="File to write (default: report.html, report.md or report.json)."
    ),
    fmt: ReportFormat = typer.Option(
        ReportFormat.html,
        "--format",
        "-f",
        help="html: one self-contained page; md: Markdown with SVG charts; json: the data.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print where the report went as JSON."),
) -> None:
    """Write the report of the stored analysis: ranking, evidence, methods and caveats.

    Example:
        accord report --out report.html
    """
    import accord

    path = accord.write_report(
        state(ctx).store,
        out or Path(f"report.{fmt.value}"),
        fmt.value,
        command=shlex.join(sys.argv),
    )
    if as_json:
        print_json({"report": str(path), "format": fmt.value})
        return
    console.print(f"Report written to {escape(str(path))}.")


def export(
    ctx: typer.Context,
    fmt: ExportFormat = typer.Option(
        ...,
        "--format",
        "-f",
        help="File format of every table.",
    ),
    out: Path = typer.Option(Path("export"), "--out", "-o", help="Folder to write into."),
    as_json: bool = typer.Option(False, "--json", help="Print the files written as JSON."),
) -> None:
    """Export coded passages (one row each, labels per dimension) and every analysis table,
    each file stamped with versions and hashes.

    Example:
        accord export --format parquet --out results/
    """
    from accord.report.export import export_store

    with _open(ctx) as store:
        paths, has_tables = export_store(store, out, fmt.value)
    if as_json:
        print_json({"out": str(out), "files": [str(p) for p in paths], "tables": has_tables})
        return
    console.print(f"{len(paths)} file(s) written to {escape(str(out))}.")
    if not has_tables:
        console.print(
            "[dim]No stored analysis: only passages were exported. "
            "Run `accord analyse` to add the tables.[/dim]"
        )


def _open(ctx: typer.Context):
    import accord

    return accord.open_store(state(ctx).store, create=False)


def register(app: typer.Typer) -> None:
    app.command()(report)
    app.command()(export)
