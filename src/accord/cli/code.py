"""accord code / accord classify: label passages along the codebook."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import typer
from rich.table import Table

from accord.cli._console import StageProgress, console, err_console, escape, print_json, state
from accord.cli._options import SCHEDULER

CODER_HELP = (
    "trained, rules, embedding or ensemble (default: trained when the codebook has a model, "
    "else rules)."
)


def code(
    ctx: typer.Context,
    coder: str | None = typer.Option(None, help=CODER_HELP),
    codebook: Path | None = typer.Option(None, help="Your own codebook YAML."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    settings: Path | None = typer.Option(None, help="Settings file (TOML or YAML)."),
    scheduler: str | None = SCHEDULER,
) -> None:
    """Code every passage not yet coded with this codebook and coder.

    Example:
        accord code --coder trained
        accord code --scheduler tcp://10.0.0.5:8786
    """
    import accord

    cli = state(ctx)
    with StageProgress(cli.quiet) as progress:
        report = accord.code(
            cli.store,
            codebook,
            coder=coder,
            settings=accord.load_settings(settings),
            command=shlex.join(sys.argv),
            on_progress=progress.stage("code"),
            scheduler=scheduler,
        )
    if as_json:
        print_json(report.as_dict())
        return
    for note in report.notes:
        err_console.print(f"[yellow]{escape(note)}[/yellow]")
    console.print(
        f"Coded {report.n_coded:,} new passage(s) of {report.n_passages:,} with "
        f"[bold]{report.coder}[/bold] (codebook {report.codebook_digest[:12]}) in "
        f"{report.elapsed_s:.1f} s."
    )
    table = Table("Dimension", "Category", "Passages", title="Labels", title_justify="left")
    for dimension, counts in report.label_counts.items():
        for category, n in counts.most_common():
            table.add_row(dimension, category, f"{n:,}")
    console.print(table)


def classify(
    source: str = typer.Argument("-", help='JSONL file of {"id", "text"}, or - for stdin.'),
    coder: str | None = typer.Option(None, help=CODER_HELP),
    codebook: Path | None = typer.Option(None, help="Your own codebook YAML."),
    document_type: str | None = typer.Option(None, help="Document type, for binding force."),
) -> None:
    """Code any texts without a store: JSONL in, JSONL with labels, scores and evidence out.

    Example:
        echo '{"id": "a", "text": "Hospitals may use AI for triage."}' | accord classify -
    """
    import accord
    from accord.errors import AccordError

    if source == "-" and sys.stdin.isatty():  # otherwise it would seem to hang
        err_console.print(
            '[dim]Reading JSONL from standard input, one {"id", "text"} per line; end with '
            "Ctrl-D (or give a file: accord classify texts.jsonl).[/dim]"
        )
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise AccordError(f"Cannot read {source}: {exc.strerror}.") from exc
    except UnicodeDecodeError as exc:
        raise AccordError(f"{source} is not UTF-8 text ({exc.reason}).") from exc
    items = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            items.append((str(record.get("id", number)), str(record["text"])))
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
            raise AccordError(
                f"line {number}: expected a JSON object with 'text' ({exc})."
            ) from exc
    for result in accord.classify(
        items, codebook=codebook, coder=coder, document_type=document_type
    ):
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")


def register(app: typer.Typer) -> None:
    app.command()(code)
    app.command()(classify)
