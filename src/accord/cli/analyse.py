"""accord analyse: the measures, the ranking and its uncertainty."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import typer
from rich.table import Table

from accord.cli._console import StageProgress, console, escape, print_json, state
from accord.model.rounding import percent_text, rank_interval_text, score_text


def analyse(
    ctx: typer.Context,
    settings: Path | None = typer.Option(None, help="Settings file (TOML or YAML)."),
    out: Path | None = typer.Option(None, help="Also write every table here (Parquet, CSV, JSON)."),
    as_json: bool = typer.Option(
        False, "--json", help="Print the stamp, settings and ranking as JSON."
    ),
) -> None:
    """Analyse the coded store: coverage, alignment, complementarity, security and a
    cooperation-opportunity ranking with bootstrap intervals.

    Example:
        accord analyse --out results/
    """
    import accord

    cli = state(ctx)
    with StageProgress(cli.quiet) as progress:
        result = accord.analyse(
            cli.store,
            settings=settings,
            out=out,
            command=shlex.join(sys.argv),
            on_progress=progress.stage("analyse"),
        )
    if as_json:
        print_json(result.as_dict())
        return
    render_ranking(result)
    if out:
        console.print(f"Tables written to {escape(str(out))} (Parquet, CSV, JSON).")


def render_ranking(result) -> None:
    domains = result["domains"]
    if not domains["ranked"].any():
        support = result.settings.support
        console.print(
            "[yellow]No domain has enough coded passages to be ranked[/yellow] (each needs "
            f"{support.min_domain_passages} passages and {support.min_institutions} "
            "institutions with support; the thresholds are settings, see docs/settings.md)."
        )
        reasons = "; ".join(f"{row.label}: {row.reason}" for row in domains.itertuples())
        console.print(f"[dim]{escape(reasons)}[/dim]")
        return
    k = result.settings.top_k
    table = Table(
        "Rank",
        "Domain",
        "Opportunity",
        "Breadth",
        "Alignment",
        "Compl.",
        "Coop.",
        "Security",
        f"P(top {k})",
        title="Cooperation opportunity by domain",
        title_justify="left",
    )
    for row in domains.itertuples():
        if not row.ranked:
            continue
        # The report's rounding rule (model/rounding.py): shares and probabilities in percent.
        table.add_row(
            f"{row.rank:.0f} [{rank_interval_text(row.rank_low, row.rank_high)}]",
            escape(row.label),
            f"{score_text(row.opportunity)} [{score_text(row.opportunity_low)}–"
            f"{score_text(row.opportunity_high)}]",
            f"{row.breadth:.0f}",
            score_text(row.alignment),
            score_text(row.complementarity),
            percent_text(row.cooperation),
            percent_text(row.security),
            percent_text(getattr(row, f"p_top{k}_joint")),
        )
    console.print(table)
    unranked = domains[~domains["ranked"]]
    for row in unranked.itertuples():
        console.print(f"[dim]Not ranked: {escape(row.label)}: {escape(row.reason)}[/dim]")


def register(app: typer.Typer) -> None:
    app.command()(analyse)
