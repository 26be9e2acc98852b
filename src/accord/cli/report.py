"""accord report / export: the analysis as a readable report, or as open files."""

from __future__ import annotations

import shlex
import sys
from enum import StrEnum
from pathlib import Path

import typer

from accord.cli._console import console, escape, print_json, state
from accord.report.formats import EXPORT_FORMATS, REPORT_FORMATS, TABLE_FORMATS

# The choices come from the one list of each (report/formats.py).
ReportFormat = StrEnum("ReportFormat", {f.replace("-", "_"): f for f in REPORT_FORMATS})
ExportFormat = StrEnum("ExportFormat", {f.replace("-", "_"): f for f in EXPORT_FORMATS})


def report(
    ctx: typer.Context,
    out: Path | None = typer.Option(
        None, "--out", "-o", help="File to write (default: report.html, .md, .json or .pdf)."
    ),
    fmt: ReportFormat = typer.Option(
        "html",
        "--format",
        "-f",
        help="html: one self-contained page; md: Markdown with SVG charts; json: the data; "
        "pdf: the page printed by headless Chromium.",
    ),
    explorer_url: str | None = typer.Option(
        None,
        "--explorer-url",
        help="Where `accord serve` runs (e.g. http://127.0.0.1:8000): evidence passages link "
        "to their explorer pages instead of their sources.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print where the report went as JSON."),
) -> None:
    """Write the report of the stored analysis: ranking, evidence, methods and caveats.

    Example:
        accord report --out report.html
        accord report --format pdf --out report.pdf
    """
    import accord

    path = accord.write_report(
        state(ctx).store,
        out or Path(f"report.{fmt.value}"),
        fmt.value,
        command=shlex.join(sys.argv),
        explorer_url=explorer_url,
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
        help="csv, parquet or json: every table; qdpx: a REFI-QDA project (NVivo, MAXQDA, "
        "ATLAS.ti, QualCoder); datasette: a metadata file beside the store; bibtex or "
        "csl-json: the documents as references.",
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        "-o",
        help="Folder to write into (default: export/), or the file for qdpx, bibtex and "
        "csl-json. Datasette's file always goes beside the store.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the files written as JSON."),
) -> None:
    """Export coded passages, their labels and every analysis table (each file stamped with
    versions and hashes), or the corpus for another tool.

    Example:
        accord export --format parquet --out results/
        accord export --format qdpx --out coding.qdpx
        accord export --format datasette && datasette accord.db -m accord.metadata.json
    """
    from accord.report.export import export_store

    with _open(ctx) as store:
        paths, has_tables = export_store(store, out or Path("export"), fmt.value)
    if as_json:
        print_json(
            {"out": str(out or "export"), "files": [str(p) for p in paths], "tables": has_tables}
        )
        return
    if len(paths) == 1:
        console.print(f"Wrote {escape(str(paths[0]))}.")
    else:
        console.print(f"{len(paths)} file(s) written to {escape(str(out or 'export'))}.")
    if fmt.value == "datasette":
        console.print(
            f"Browse it: datasette {escape(str(state(ctx).store))} -m {escape(str(paths[0]))}"
        )
    elif fmt.value in TABLE_FORMATS and not has_tables:
        console.print(
            "[dim]No stored analysis: only passages and labels were exported. "
            "Run `accord analyse` to add the tables.[/dim]"
        )


def _open(ctx: typer.Context):
    import accord

    return accord.open_store(state(ctx).store, create=False)


def register(app: typer.Typer) -> None:
    app.command()(report)
    app.command()(export)
