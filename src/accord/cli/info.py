"""accord info: what the store holds."""

from __future__ import annotations

import typer
from rich.table import Table

from accord.cli._console import console, escape, print_json, state

SHOWN_GROUPS = {
    "institution": "Institution",
    "family": "Family",
    "year": "Year",
    "document_type": "Type",
    "language": "Language",
}


def info(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Describe the corpus: documents, passages and words by institution, family, year, type,
    language and decoding; skipped files; near-duplicates; runs that did not finish.

    Example:
        accord info --json
    """
    import accord

    summary = accord.info(state(ctx).store)
    if as_json:
        print_json(summary)
        return
    render_summary(summary)


def render_summary(summary: dict) -> None:
    console.print(
        f"[bold]{summary['documents']}[/bold] documents, [bold]{summary['passages']:,}[/bold] "
        f"passages, [bold]{summary['words']:,}[/bold] words from "
        f"[bold]{summary['institutions']}[/bold] institutions  [dim]corpus "
        f"{summary['corpus_digest'][:12]}[/dim]"
    )
    groups = [(label, summary["by"][key]) for key, label in SHOWN_GROUPS.items()]
    for label, rows in [*groups, ("Decoding", summary.get("decodings", []))]:
        table = Table(label, "Documents", "Passages", "Words", title_justify="left")
        for row in rows:
            table.add_row(
                escape(str(row["value"])),
                str(row["documents"]),
                f"{row['passages']:,}",
                f"{row['words']:,}",
            )
        console.print(table)
    if summary["skipped"]:
        table = Table(
            "File", "Stage", "Reason", "Message", title="Skipped files", title_justify="left"
        )
        for item in summary["skipped"]:
            table.add_row(
                escape(item["source"]), item["stage"], item["reason"], escape(item["message"])
            )
        console.print(table)
    if summary["near_duplicates"]:
        table = Table(
            "Document",
            "Near-duplicate of",
            "Shared shingles",
            "Jaccard",
            title="Near-duplicates (kept, flagged)",
            title_justify="left",
        )
        for pair in summary["near_duplicates"]:
            table.add_row(
                escape(f"{pair['title_a']} ({pair['year_a']})"),
                escape(f"{pair['title_b']} ({pair['year_b']})"),
                f"{pair['containment']:.0%}",
                f"{pair['jaccard']:.2f}",
            )
        console.print(table)
    if summary.get("interrupted_runs"):
        render_interrupted(summary["interrupted_runs"])
    for key, label in (
        ("unknown_organisations", "Organisations not in the registry"),
        ("mixed_language", "Mixed-language documents"),
    ):
        if summary[key]:
            console.print(f"[yellow]{label}:[/yellow] " + escape("; ".join(summary[key])))


SHOWN_RUNS = 10


def render_interrupted(runs: list[dict]) -> None:
    """Runs that did not finish (killed, or stopped by an error), newest first, one a line."""
    console.print("[bold]Runs that did not finish[/bold]")
    for run in runs[:SHOWN_RUNS]:
        process = f" (process {run['pid']} on {run['host']})" if run["pid"] else ""
        after = (
            "a later run completed its work"
            if run["completed_since"]
            else f"[yellow]run `accord {run['stage']}` again to complete it[/yellow]"
        )
        console.print(f"  {escape(run['id'])} {run['status']}{escape(process)}; {after}")
    if len(runs) > SHOWN_RUNS:
        console.print(f"  [dim]and {len(runs) - SHOWN_RUNS} older (`accord info --json`)[/dim]")


def register(app: typer.Typer) -> None:
    app.command()(info)
