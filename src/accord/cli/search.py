"""accord search: BM25 full-text search with citations."""

from __future__ import annotations

import typer
from rich.table import Table

from accord.cli._console import console, escape, print_json, state


def _checked_years(value: str | None) -> str | None:
    """A malformed --year is a wrong argument (exit 2), found before the store is opened."""
    from accord.errors import ConfigError
    from accord.store.search import parse_years

    try:
        parse_years(value)
    except ConfigError as exc:
        raise typer.BadParameter(exc.message) from None
    return value


def search(
    ctx: typer.Context,
    query: str = typer.Argument(..., help='Words or "quoted phrases"; all must match.'),
    organisation: str | None = typer.Option(None, help="Institution id or part of its name."),
    family: str | None = typer.Option(None, help="Family, e.g. 'UN system', 'EU', 'OECD'."),
    year: str | None = typer.Option(
        None, help="A year or a range, e.g. 2020-2024.", callback=_checked_years
    ),
    document_type: str | None = typer.Option(
        None, "--type", help="Document type, e.g. resolution."
    ),
    limit: int = typer.Option(10, min=1, help="Number of results."),
    as_json: bool = typer.Option(False, "--json", help="Print results as JSON."),
) -> None:
    """Search passages by relevance (BM25) and show where each one comes from.

    Example:
        accord search "health data" --family "UN system" --year 2020-2024
    """
    import accord
    from accord.store.search import MARK_CLOSE, MARK_OPEN

    hits = accord.search(
        state(ctx).store,
        query,
        organisation=organisation,
        family=family,
        years=year,
        document_type=document_type,
        limit=limit,
    )
    if as_json:
        print_json([hit.as_dict() for hit in hits])
        return
    if not hits:
        console.print(f"No passage matches {escape(query)!r}.")
        return
    table = Table(
        "#",
        "Passage",
        "Citation",
        title=f"Search: {escape(query)}",
        title_justify="left",
        show_lines=True,
    )
    for rank, hit in enumerate(hits, 1):
        snippet = escape(hit.snippet).replace(MARK_OPEN, "[bold yellow]").replace(MARK_CLOSE, "[/]")
        table.add_row(str(rank), snippet, escape(hit.citation) + f"\n[dim]{hit.passage_id}[/dim]")
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command()(search)
