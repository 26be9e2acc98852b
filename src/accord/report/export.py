"""Open files for other tools: every coded passage with its labels, and every analysis table.

Each file carries a stamp (versions and hashes) so that a table found later on a shared drive
still says which corpus, codebook, coder and settings produced it.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pandas as pd

from accord._version import __version__
from accord.analysis.frames import CodedCorpus, load_coded_corpus
from accord.analysis.pipeline import stored_result
from accord.errors import ReportError
from accord.report.context import numeric_columns
from accord.store.corpus_store import CorpusStore
from accord.store.exports import FORMATS, write_table, write_tables
from accord.validation.reviews import coded_codebook, write_review_gold

PASSAGE_COLUMNS = [
    "passage_id",
    "document_id",
    "institution_id",
    "institution",
    "title",
    "year",
    "page_start",
    "page_end",
    "text",
]


def passage_labels(corpus: CodedCorpus) -> pd.DataFrame:
    """One row per passage: ids, document, institution, pages, text, and one column per
    codebook dimension holding the passage's categories joined by ';' (empty when none)."""
    passages = corpus.passages.merge(
        corpus.documents[["document_id", "institution_id", "institution", "title", "year"]],
        on="document_id",
        how="left",
    )[PASSAGE_COLUMNS]
    joined = (
        corpus.labels.sort_values(["passage_id", "dimension", "category"])
        .groupby(["passage_id", "dimension"])["category"]
        .agg(";".join)
        .unstack("dimension")
    )
    for dimension in corpus.codebook.dimensions:
        # A dimension named like a passage column must not overwrite it.
        column = dimension.id if dimension.id not in PASSAGE_COLUMNS else f"labels_{dimension.id}"
        values = joined[dimension.id] if dimension.id in joined.columns else pd.Series(dtype=str)
        passages[column] = passages["passage_id"].map(values).fillna("")
    return passages.sort_values("passage_id").reset_index(drop=True)


def export_store(store: CorpusStore, out_dir: Path, fmt: str) -> tuple[list[Path], bool]:
    """Write ``passages.<fmt>`` and, when an analysis is stored, every analysis table.

    Returns:
        The files written, and whether analysis tables were among them.

    Raises:
        ReportError: unknown format.
        AnalysisError: nothing has been coded yet.
    """
    if fmt == "gold":
        return [write_review_gold(store, coded_codebook(store), out_dir / "reviews.jsonl")], False
    if fmt not in FORMATS:
        raise ReportError(
            f"Unknown export format '{fmt}'.", hint=f"Use one of {', '.join((*FORMATS, 'gold'))}."
        )
    out_dir = Path(out_dir)
    corpus = load_coded_corpus(store)
    stamp = {
        "accord_version": __version__,
        "corpus_digest": corpus.corpus_digest,
        "codebook_digest": corpus.codebook_digest,
        "coders": [corpus.coder],
    }
    paths = [write_table(passage_labels(corpus), "passages", out_dir, fmt, stamp)]
    result = stored_result(store)
    if result is None:
        return paths, False
    tables = {name: numeric_columns(frame) for name, frame in result.tables.items()}
    paths += write_tables(tables, out_dir, (fmt,), asdict(result.stamp))
    return paths, True
