"""accord codebook check / show."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import typer
from rich.table import Table

from accord.cli._console import AccordGroup, console, escape, print_json
from accord.errors import CodebookError

codebook_app = typer.Typer(cls=AccordGroup, help="Check and show codebooks.", no_args_is_help=True)


@codebook_app.command("check")
def check(
    file: Path = typer.Argument(..., help="Codebook YAML to check."),
    as_json: bool = typer.Option(False, "--json", help="Print the findings as JSON."),
) -> None:
    """Validate a codebook and lint it: duplicate cues, cues that cannot match, categories
    without patterns or exemplars. Exit 1 on errors.

    Example:
        accord codebook check my-codebook.yaml
    """
    from accord.coding.codebooks import lint_codebook, load_codebook

    codebook = load_codebook(file)
    findings = lint_codebook(codebook)
    errors = sum(f.level == "error" for f in findings)
    if as_json:
        print_json(
            {
                "file": str(file),
                "name": codebook.name,
                "version": codebook.version,
                "digest": codebook.digest(),
                "dimensions": len(codebook.dimensions),
                "categories": sum(len(d.categories) for d in codebook.dimensions),
                "errors": errors,
                "warnings": len(findings) - errors,
                "findings": [asdict(f) for f in findings],
            }
        )
        raise typer.Exit(1 if errors else 0)
    for finding in findings:
        colour = "red" if finding.level == "error" else "yellow"
        console.print(f"[{colour}]{escape(str(finding))}[/{colour}]")
    console.print(
        f"{file}: {codebook.name} {codebook.version}, "
        f"{sum(len(d.categories) for d in codebook.dimensions)} categories in "
        f"{len(codebook.dimensions)} dimensions; {errors} error(s), "
        f"{len(findings) - errors} warning(s). Hash {codebook.digest()[:12]}."
    )
    if errors:
        raise typer.Exit(1)


@codebook_app.command("show")
def show(
    file: Path | None = typer.Argument(None, help="Codebook YAML (default: the built-in one)."),
    dimension: str | None = typer.Option(None, help="Show one dimension only."),
    as_json: bool = typer.Option(False, "--json", help="Print the codebook as JSON."),
) -> None:
    """Print a codebook: each category with its definition, cue counts and thresholds.

    Example:
        accord codebook show --dimension domain
    """
    from accord.coding.codebooks import load_codebook

    codebook = load_codebook(file)
    if dimension and dimension not in codebook.ids:
        raise CodebookError(
            f"The codebook has no dimension '{dimension}'.",
            hint=f"Its dimensions: {', '.join(codebook.ids)}.",
        )
    if as_json:
        data = codebook.as_dict()
        if dimension:
            data["dimensions"] = [d for d in data["dimensions"] if d["id"] == dimension]
        print_json(data)
        return
    console.print(f"[bold]{codebook.name}[/bold] {codebook.version}  hash {codebook.digest()[:12]}")
    for dim in codebook.dimensions:
        if dimension and dim.id != dimension:
            continue
        table = Table(
            "Id",
            "Definition",
            "Cues",
            "Exemplars",
            "Threshold",
            title=f"{dim.id} ({dim.selection})",
            title_justify="left",
            show_lines=True,
        )
        for c in dim.categories:
            threshold = "—" if c.threshold is None else f"{c.threshold:.2f}"
            table.add_row(
                c.id,
                escape(c.definition),
                f"{len(c.patterns)}+{len(c.weak_patterns)} weak, {len(c.exclude)} excl.",
                str(len(c.exemplars)),
                threshold,
            )
        console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(codebook_app, name="codebook")
