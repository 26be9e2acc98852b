"""Open files for other tools: the coded passages, their labels and every analysis table, or
the corpus as a REFI-QDA project, a Datasette metadata file or a list of references.

Table files carry a stamp (versions and hashes) so that a table found later on a shared drive
still says which corpus, codebook, coder and settings produced it. The tables written:

- ``passages``: one row per passage with its document's metadata and, per dimension, the
  list of its labels;
- ``labels``: one row per label (passage, dimension, label, score, method, evidence cues);
- ``labels_wide``: one row per passage, one 0/1 column ``<dimension>_<label>`` per category;
- every analysis table, when an analysis is stored.
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
from accord.report.formats import EXPORT_FORMATS, TABLE_FORMATS
from accord.store.coding_store import assignment_records
from accord.store.corpus_store import CorpusStore
from accord.store.exports import write_tables

PASSAGE_COLUMNS = [
    "passage_id",
    "document_id",
    "institution_id",
    "institution",
    "family",
    "title",
    "year",
    "document_type",
    "language",
    "url",
    "page_start",
    "page_end",
    "text",
]
LABEL_COLUMNS = ["passage_id", "dimension", "label", "score", "method", "evidence"]
# Formats that write one file: its name inside --out when --out is a folder.
FILE_NAMES = {
    "qdpx": "accord.qdpx",
    "bibtex": "documents.bib",
    "csl-json": "documents.csl.json",
    "gold": "reviews.jsonl",
}


def passage_labels(corpus: CodedCorpus) -> pd.DataFrame:
    """One row per passage: ids, document, institution, pages, text, and one column per
    codebook dimension holding the list of the passage's categories (empty when none)."""
    # The document's columns, and the passage's own (the key document_id is in both).
    from_documents = [c for c in PASSAGE_COLUMNS if c not in corpus.passages.columns]
    passages = corpus.passages.merge(
        corpus.documents[["document_id", *from_documents]], on="document_id", how="left"
    )[PASSAGE_COLUMNS]
    passages["year"] = passages["year"].astype("Int64")  # a missing year must not make floats
    found: dict[str, dict[str, list[str]]] = {}  # dimension -> passage -> categories
    ordered = corpus.labels.sort_values(["passage_id", "dimension", "category"])
    for passage_id, dimension, category in ordered[
        ["passage_id", "dimension", "category"]
    ].itertuples(index=False, name=None):
        found.setdefault(dimension, {}).setdefault(passage_id, []).append(category)
    for dimension in corpus.codebook.dimensions:
        # A dimension named like a passage column must not overwrite it.
        column = dimension.id if dimension.id not in PASSAGE_COLUMNS else f"labels_{dimension.id}"
        labels = found.get(dimension.id, {})
        passages[column] = [labels.get(p, []) for p in passages["passage_id"]]
    return passages.sort_values("passage_id").reset_index(drop=True)


def label_table(store: CorpusStore, corpus: CodedCorpus) -> pd.DataFrame:
    """The long table: one row per label, with the cues that gave it."""
    records = assignment_records(store, corpus.codebook_digest, corpus.coder)
    frame = pd.DataFrame.from_records(
        [
            {
                "passage_id": r["passage_id"],
                "dimension": r["dimension"],
                "label": r["category"],
                "score": r["score"],
                "method": r["method"],
                "evidence": [trigger for _, _, trigger in r["evidence"]],
            }
            for r in records
        ],
        columns=LABEL_COLUMNS,
    )
    return frame.astype({"score": "float64"})


def one_hot_table(corpus: CodedCorpus) -> pd.DataFrame:
    """The wide table: one row per passage, a 0/1 column per dimension and category."""
    frame = pd.DataFrame({"passage_id": sorted(corpus.passages["passage_id"])})
    present = set(zip(corpus.labels["passage_id"], corpus.labels["dimension"] + "\x1f" +
                      corpus.labels["category"], strict=True))  # fmt: skip
    columns = {}
    for dimension in corpus.codebook.dimensions:
        for category in dimension.categories:
            name = f"{dimension.id}_{category.id}"
            key = f"{dimension.id}\x1f{category.id}"
            columns[name] = [int((p, key) in present) for p in frame["passage_id"]]
    if len(columns) < sum(len(d.categories) for d in corpus.codebook.dimensions):
        raise ReportError("Two categories give the same one-hot column name.")
    return pd.concat([frame, pd.DataFrame(columns, dtype="int64")], axis=1)


def export_store(store: CorpusStore, out: Path, fmt: str) -> tuple[list[Path], bool]:
    """Write the export of one format into the folder ``out`` (or, for a single-file format,
    to ``out`` itself when it has that file's suffix).

    Returns:
        The files written, and whether analysis tables were among them.

    Raises:
        ReportError: unknown format.
        AnalysisError: nothing has been coded yet.
    """
    if fmt not in EXPORT_FORMATS:
        raise ReportError(
            f"Unknown export format '{fmt}'.", hint=f"Use one of {', '.join(EXPORT_FORMATS)}."
        )
    out = Path(out)
    if fmt == "datasette":
        from accord.report.datasette import write_metadata

        return [write_metadata(store)], False
    if fmt not in TABLE_FORMATS:
        return [_export_file(store, _file_path(out, fmt), fmt)], False
    return _export_tables(store, out, fmt)


def _file_path(out: Path, fmt: str) -> Path:
    name = FILE_NAMES[fmt]
    return out if out.name.endswith(name[name.index(".") :]) else out / name


def _export_file(store: CorpusStore, path: Path, fmt: str) -> Path:
    if fmt == "gold":
        from accord.validation.reviews import coded_codebook, write_review_gold

        return write_review_gold(store, coded_codebook(store), path)
    if fmt == "qdpx":
        from accord.report.qdpx import export_qdpx

        return export_qdpx(store, path)
    from accord.report.citations import write_bibtex, write_csl_json

    return write_bibtex(store, path) if fmt == "bibtex" else write_csl_json(store, path)


def _export_tables(store: CorpusStore, out: Path, fmt: str) -> tuple[list[Path], bool]:
    corpus = load_coded_corpus(store)
    stamp = {
        "accord_version": __version__,
        "corpus_digest": corpus.corpus_digest,
        "codebook_digest": corpus.codebook_digest,
        "coders": [corpus.coder],
    }
    coded = {
        "passages": passage_labels(corpus),
        "labels": label_table(store, corpus),
        "labels_wide": one_hot_table(corpus),
    }
    paths = write_tables(coded, out, (fmt,), stamp)
    result = stored_result(store)
    if result is None:
        return paths, False
    tables = {name: numeric_columns(frame) for name, frame in result.tables.items()}
    paths += write_tables(tables, out, (fmt,), asdict(result.stamp))
    return paths, True
