"""accord train: learn the trained coder's classifiers from human-coded passages."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from accord.cli._console import console, escape, print_json, state


def train(
    ctx: typer.Context,
    gold: list[Path] = typer.Argument(
        ..., help="Gold files (JSONL, CSV or REFI-QDA .qdpx), one or more."
    ),
    out: Path = typer.Option(..., help="Folder for the model and the codebook naming it."),
    codebook: Path | None = typer.Option(None, help="Codebook to train for (default: built-in)."),
    corpus: Path | None = typer.Option(
        None, help="Corpus folder with manifest.csv, for gold that points at document spans."
    ),
    splits: Path | None = typer.Option(
        None, help="Splits file (like gold/splits.json): train only on some documents."
    ),
    use: str = typer.Option("train", help="With --splits: the splits to train on, e.g. train,dev."),
    min_positives: int = typer.Option(
        8, min=1, help="Refuse to train a category with fewer positive passages."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Train classifiers per dimension; print their document-grouped cross-validated scores.

    Example:
        accord train gold/gold_shared_corpus.jsonl --corpus ../shared/corpus --out my-model
        accord code --codebook my-model/codebook.yaml
    """
    import accord

    store_path = state(ctx).store
    report = accord.train(
        list(gold),
        out,
        codebook=codebook,
        store=store_path if store_path.exists() else None,
        corpus=corpus,
        splits=splits,
        use=tuple(u.strip() for u in use.split(",") if u.strip()),
        min_positives=min_positives,
    )
    if as_json:
        print_json(report.as_dict())
        return
    console.print(
        f"Trained on {report.n_items:,} passages of {report.n_documents} documents "
        f"({report.skipped} gold items could not be found); model {report.model_sha256[:12]}."
    )
    table = Table(
        "Dimension",
        "Macro F1",
        "Micro F1 / accuracy",
        "Kappa",
        title="Cross-validated, folds grouped by document",
        title_justify="left",
    )
    for dimension, scores in report.cv.items():
        second = scores["accuracy"] if "accuracy" in scores else scores["micro"]["f1"]
        kappa = scores.get("kappa", scores.get("mean_kappa"))
        table.add_row(
            dimension,
            f"{scores['macro_f1']:.3f}",
            f"{second:.3f}",
            "—" if kappa is None else f"{kappa:.2f}",
        )
    console.print(table)
    console.print(
        f"Code with it: accord code --codebook {escape(report.codebook_path)} --coder trained"
    )


def register(app: typer.Typer) -> None:
    app.command()(train)
