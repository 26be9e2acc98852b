"""accord validate / sample / calibrate: measure coding against people."""

from __future__ import annotations

import shlex
from collections import Counter
from pathlib import Path

import typer
from rich.table import Table

from accord.cli._console import console, escape, print_json, state


def validate(
    ctx: typer.Context,
    gold: Path | None = typer.Argument(
        None, help="Human labels: CSV, JSONL or a REFI-QDA project (.qdpx)."
    ),
    reviews: bool = typer.Option(
        False, "--reviews", help="Score the store's coders against the reviews made in `serve`."
    ),
    coder: str | None = typer.Option(None, help="trained, rules, embedding or ensemble."),
    codebook: Path | None = typer.Option(None, help="Your own codebook YAML."),
    corpus: Path | None = typer.Option(
        None, help="Corpus folder with manifest.csv, for gold that points at document spans."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the full results as JSON."),
) -> None:
    """Compare Accord's coding with human coding: precision, recall, F1, kappa, alpha.

    With --reviews, the stored codes of every coder (or of --coder) are scored against the
    reviewed passages instead of a gold file.

    Example:
        accord validate gold/dev_shared_corpus.jsonl --corpus ../shared/corpus
        accord validate --reviews
    """
    import accord

    if reviews:
        _validate_reviews(ctx, coder, codebook, as_json)
        return
    if gold is None:
        raise typer.BadParameter("give a gold file, or --reviews", param_hint="GOLD")
    store_path = state(ctx).store
    report = accord.validate(
        gold,
        store=store_path if store_path.exists() else None,
        codebook=codebook,
        coder=coder,
        corpus=corpus,
    )
    if as_json:
        print_json(report.as_dict())
        return
    console.print(
        f"{report.n_items} items of {escape(report.gold)}, coder {report.coder}, "
        f"codebook {report.codebook_digest[:12]}; {len(report.skipped)} skipped."
    )
    for dimension, result in report.dimensions.items():
        render_dimension(dimension, result)


def _validate_reviews(
    ctx: typer.Context, coder: str | None, codebook: Path | None, as_json: bool
) -> None:
    import accord
    from accord.coding.pipeline import choose_coder
    from accord.validation.reviews import (
        ANCHORING_NOTE,
        coded_codebook,
        review_gold_set,
        validate_reviews,
    )
    from accord.validation.runner import save_validation

    store = accord.open_store(state(ctx).store, create=False)
    book = accord.load_codebook(codebook) if codebook else coded_codebook(store)
    coders = [choose_coder(coder, book)[0]] if coder else None
    reports = validate_reviews(store, book, coders)
    gold = review_gold_set(store, book)
    for report in reports:
        save_validation(store, gold, report)
    if as_json:
        print_json([report.as_dict() for report in reports])
        return
    for report in reports:
        console.print(
            f"[bold]{report.coder}[/]: {report.n_items} reviewed passages, "
            f"codebook {report.codebook_digest[:12]}."
        )
        for dimension, result in report.dimensions.items():
            render_dimension(dimension, result)
        console.print(f"[dim]{escape(ANCHORING_NOTE.format(coder=report.coder))}[/dim]")


def render_dimension(dimension: str, result: dict) -> None:
    accord_scores, humans = result["accord"], result["humans"]
    table = Table(
        "Category",
        "Precision",
        "Recall",
        "F1",
        "Support",
        "Kappa",
        title=f"{dimension}",
        title_justify="left",
    )
    for category, m in accord_scores["categories"].items():
        if m["support"] or m.get("predicted"):
            table.add_row(
                category,
                f"{m['precision']:.2f}",
                f"{m['recall']:.2f}",
                f"{m['f1']:.2f}",
                str(m["support"]),
                _num(m.get("kappa")),
            )
    console.print(table)
    if "accuracy" in accord_scores:
        line = (
            f"accuracy {accord_scores['accuracy']:.3f}, macro F1 "
            f"{accord_scores['macro_f1']:.3f}, kappa {_num(accord_scores['kappa'])}, "
            f"alpha {_num(accord_scores['alpha'])}"
        )
    else:
        line = (
            f"macro F1 {accord_scores['macro_f1']:.3f}, micro F1 "
            f"{accord_scores['micro']['f1']:.3f}, mean kappa "
            f"{_num(accord_scores['mean_kappa'])}, mean alpha {_num(accord_scores['mean_alpha'])}"
        )
    console.print(f"  Accord vs human: {line}")
    if humans:
        key = "accuracy" if "accuracy" in humans else "macro_f1"
        console.print(
            f"  Human vs human ({result['n_double_coded']} items): {key} "
            f"{humans[key]:.3f}, kappa "
            f"{_num(humans.get('kappa', humans.get('mean_kappa')))}"
        )


def _num(value) -> str:
    return "—" if value is None else f"{value:.2f}"


def sample(
    ctx: typer.Context,
    n: int = typer.Option(200, "--n", min=1, help="Number of passages."),
    stratify: str = typer.Option("domain", help="Dimension to stratify by, or 'none'."),
    out: Path = typer.Option(Path("sample.csv"), help="CSV to write."),
    seed: int = typer.Option(20261125, help="Random seed."),
    as_json: bool = typer.Option(False, "--json", help="Print what was written as JSON."),
) -> None:
    """Draw a stratified sample of passages for people to code (empty label columns).

    Example:
        accord sample --n 200 --stratify domain --out sample.csv
    """
    import accord
    from accord.store.coding_store import latest_coding
    from accord.validation.samples import draw_sample, write_sample

    store = accord.open_store(state(ctx).store, create=False)
    rows = draw_sample(
        store,
        accord.load_codebook(),
        n,
        stratify=None if stratify == "none" else stratify,
        coding=latest_coding(store),
        seed=seed,
    )
    write_sample(rows, out)
    if as_json:
        strata = Counter(row["stratum"] for row in rows)
        print_json({"out": str(out), "passages": len(rows), "strata": dict(sorted(strata.items()))})
        return
    shown = escape(shlex.quote(str(out)))
    console.print(
        f"Wrote {len(rows)} passages to {escape(str(out))}. Fill the dimension columns with ids "
        f"separated by ';' (empty = none), then run `accord validate {shown}`."
    )


def calibrate(
    gold: Path = typer.Argument(
        ..., help="Human labels: CSV, JSONL or a REFI-QDA project (.qdpx)."
    ),
    corpus: Path | None = typer.Option(None, help="Corpus folder with manifest.csv."),
    codebook: Path | None = typer.Option(None, help="Codebook to calibrate (default: built-in)."),
    out: Path = typer.Option(..., help="Where to write the calibrated codebook YAML."),
    as_json: bool = typer.Option(False, "--json", help="Print the thresholds fitted as JSON."),
) -> None:
    """Fit each category's embedding thresholds on human labels; write the codebook with them.

    Example:
        accord calibrate gold.jsonl --corpus corpus/ --out codebook.yaml
    """
    import accord
    from accord.coding.codebooks import dump_codebook
    from accord.validation.calibration import calibrated_codebook, score_items
    from accord.validation.gold import load_gold, resolve_texts

    book = accord.load_codebook(codebook)
    gold_set = resolve_texts(load_gold(gold, book), corpus=corpus)
    calibrated = calibrated_codebook(score_items(gold_set, book), book)
    out.write_text(dump_codebook(calibrated), encoding="utf-8")
    if as_json:
        thresholds = {
            d.id: {c.id: [c.threshold, c.ensemble_threshold] for c in d.categories}
            for d in calibrated.dimensions
        }
        print_json(
            {
                "items": len(gold_set.items),
                "codebook": str(out),
                "digest": calibrated.digest(),
                "thresholds": thresholds,
            }
        )
        return
    console.print(
        f"Calibrated on {len(gold_set.items)} items; wrote {out} (hash {calibrated.digest()[:12]})."
    )


def register(app: typer.Typer) -> None:
    app.command()(validate)
    app.command()(sample)
    app.command()(calibrate)
