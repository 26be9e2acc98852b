"""accord cache info / clear: the per-user cache of passage vectors."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import typer
from rich.table import Table

from accord.cli._console import console, escape, print_json

cache_app = typer.Typer(
    help="The per-user vector cache, shared by every store.", no_args_is_help=True
)


@cache_app.command("info")
def info(
    settings: Path | None = typer.Option(None, help="Settings file (TOML or YAML)."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Where the vector cache is, what it holds and its size cap (setting cache.max_mb).

    Example:
        accord cache info
    """
    import accord

    found = accord.cache_info(settings=settings)
    if as_json:
        print_json(asdict(found))
        return
    table = Table(title="Vector cache", show_header=False, title_justify="left")
    table.add_row("File", escape(found.path))
    table.add_row("Vectors", f"{found.n_vectors:,}")
    for model, n in found.models.items():
        table.add_row(f"  {escape(model)}", f"{n:,}")
    table.add_row("Size", f"{found.used_mb:,.1f} MB of a {found.max_mb:,.0f} MB cap")
    console.print(table)


@cache_app.command("clear")
def clear() -> None:
    """Drop every cached vector (they are encoded again when next needed).

    Example:
        accord cache clear
    """
    import accord

    dropped = accord.clear_cache()
    console.print(f"Dropped {dropped:,} cached vector(s).")


def register(app: typer.Typer) -> None:
    app.add_typer(cache_app, name="cache")
