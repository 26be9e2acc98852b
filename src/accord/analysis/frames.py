"""The store as tidy DataFrames: the only module of the analysis that reads the store."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial

import pandas as pd

from accord.coding.codebooks import parse_codebook
from accord.errors import AnalysisError
from accord.model.codebook import Codebook
from accord.store import coding_store, reviews
from accord.store.chunked import rows_for_ids
from accord.store.corpus_store import CorpusStore


@dataclass
class CodedCorpus:
    """Documents, passages and labels of one coding run, one row per observation."""

    documents: pd.DataFrame  # document_id, institution_id, institution, family, title, year, ...
    # passage_id, document_id, ordinal, page_start, page_end, n_words, and text unless the
    # corpus was loaded without it (then ``with_text`` reads the texts of the rows it is given)
    passages: pd.DataFrame
    # passage_id, dimension, category, score, and evidence (JSON cue spans) unless loaded
    # without texts (then ``with_cues`` reads the evidence of the rows it is given)
    labels: pd.DataFrame
    codebook: Codebook
    coder: str
    corpus_digest: str
    reviews_digest: str | None = None  # set when reviewed labels replaced machine ones
    read_texts: Callable[[Sequence[str]], list[str]] | None = None  # texts by passage id
    # the machine's evidence of the passages' labels: (passage, dimension, category) -> JSON
    read_cues: Callable[[Sequence[str]], dict[tuple[str, str, str], str]] | None = None
    reviewed: frozenset[tuple[str, str]] = frozenset()  # (passage, dimension) people decided

    @property
    def codebook_digest(self) -> str:
        return self.codebook.digest()

    def with_text(self, passages: pd.DataFrame) -> pd.DataFrame:
        """Rows of ``passages`` with their text: as loaded, or read now for just these rows
        (a large corpus's texts are not held in memory all at once)."""
        if "text" in passages.columns:
            return passages
        if self.read_texts is None:
            raise AnalysisError("The coded corpus was loaded without its passage texts.")
        return passages.assign(text=self.read_texts(list(passages["passage_id"])))

    def with_cues(self, labels: pd.DataFrame) -> pd.DataFrame:
        """Rows of ``labels`` with their evidence: as loaded, or read now for just these rows
        (a reviewer's label has none)."""
        if "evidence" in labels.columns:
            return labels
        if self.read_cues is None:
            raise AnalysisError("The coded corpus was loaded without its labels' evidence.")
        found = self.read_cues(list(dict.fromkeys(labels["passage_id"])))
        keys = zip(labels["passage_id"], labels["dimension"], labels["category"], strict=True)
        evidence = [None if (p, d) in self.reviewed else found.get((p, d, c)) for p, d, c in keys]
        return labels.assign(evidence=pd.Series(evidence, index=labels.index, dtype=object))


def load_coded_corpus(
    store: CorpusStore,
    coding: dict | None = None,
    *,
    use_reviews: bool = False,
    lean: bool = False,
) -> CodedCorpus:
    """Current documents with the labels of ``coding`` (default: the latest coding run);
    with ``use_reviews``, people's latest reviews replace the labels of what they reviewed.
    ``lean`` leaves the passages' texts and the labels' evidence in the store, read on demand
    (``CodedCorpus.with_text``, ``with_cues``) while the store is open: what a large corpus
    would otherwise hold in memory whole.

    Raises:
        AnalysisError: nothing has been coded yet.
    """
    coding = coding or coding_store.latest_coding(store)
    if coding is None:
        raise AnalysisError(
            "The store has no coded passages.",
            hint="Run `accord code` (or `accord run CORPUS`) first.",
        )
    yaml_text = coding_store.codebook_yaml(store, coding["codebook_digest"])
    if yaml_text is None:
        raise AnalysisError(f"Codebook {coding['codebook_digest'][:12]} is not in the store.")
    codebook = parse_codebook(yaml_text, "stored codebook", check_patterns=False)
    documents = _query(
        store,
        """SELECT d.id AS document_id, d.institution_id, i.name AS institution, i.family,
                  d.organisation, d.title, d.year, d.document_type, d.language, d.url, d.source,
                  d.n_passages, d.n_words
           FROM documents d JOIN institutions i ON i.id = d.institution_id
           WHERE d.is_current = 1 ORDER BY d.id""",
    )
    passages = _query(
        store,
        f"""SELECT p.id AS passage_id, p.document_id, p.ordinal, p.page_start, p.page_end,
                  p.n_words{"" if lean else ", p.text"}
           FROM passages p JOIN documents d ON d.id = p.document_id
           WHERE d.is_current = 1 ORDER BY p.id""",
    )
    labels = _query(
        store,
        f"""SELECT a.passage_id, a.dimension, a.category, a.score{"" if lean else ", a.evidence"}
           FROM assignments a JOIN passages p ON p.id = a.passage_id
           JOIN documents d ON d.id = p.document_id
           WHERE d.is_current = 1 AND a.codebook_digest = ? AND a.coder = ?
           ORDER BY a.passage_id, a.dimension, a.category""",
        (coding["codebook_digest"], coding["coder"]),
    )
    corpus = CodedCorpus(
        documents,
        passages,
        labels,
        codebook,
        coding["coder"],
        store.corpus_digest(),
        read_texts=partial(passage_texts, store) if lean else None,
        read_cues=partial(label_cues, store, coding) if lean else None,
    )
    return with_reviews(corpus, store) if use_reviews else corpus


def with_reviews(corpus: CodedCorpus, store: CorpusStore) -> CodedCorpus:
    """Reviewed (passage, dimension) pairs take the reviewer's categories (score 1)."""
    reviewed = reviews.reviewed_labels(store)
    current = set(corpus.passages["passage_id"])
    reviewed = {k: v for k, v in reviewed.items() if k[0] in current}
    if not reviewed:
        return corpus
    pairs = zip(corpus.labels["passage_id"], corpus.labels["dimension"], strict=True)
    kept = corpus.labels[[pair not in reviewed for pair in pairs]]
    added = pd.DataFrame(
        [
            {"passage_id": pid, "dimension": dim, "category": cat, "score": 1.0}
            for (pid, dim), cats in sorted(reviewed.items())
            for cat in cats
        ],
        columns=list(corpus.labels.columns),
    )
    labels = (
        pd.concat([kept, added], ignore_index=True)
        .sort_values(["passage_id", "dimension", "category"])
        .reset_index(drop=True)
    )
    return replace(
        corpus,
        labels=labels,
        reviews_digest=reviews.reviews_digest(store),
        reviewed=frozenset(reviewed),
    )


def passage_texts(store: CorpusStore, passage_ids: Sequence[str]) -> list[str]:
    """The texts of these passages, in the order given."""
    unique = list(dict.fromkeys(passage_ids))
    sql = "SELECT id, text FROM passages WHERE id IN ({ids})"
    found = dict(rows_for_ids(store.db, sql, unique))
    return [found[p] for p in passage_ids]


def label_cues(
    store: CorpusStore, coding: dict, passage_ids: Sequence[str]
) -> dict[tuple[str, str, str], str]:
    """The evidence (JSON) of every label ``coding`` gave these passages."""
    sql = (
        "SELECT passage_id, dimension, category, evidence FROM assignments"
        " WHERE codebook_digest = ? AND coder = ? AND passage_id IN ({ids})"
    )
    rows = rows_for_ids(store.db, sql, passage_ids, (coding["codebook_digest"], coding["coder"]))
    return {(p, d, c): evidence for p, d, c, evidence in rows}


def _query(store: CorpusStore, sql: str, params: tuple = ()) -> pd.DataFrame:
    cursor = store.db.execute(sql, params)
    columns = [c[0] for c in cursor.description]
    return pd.DataFrame.from_records(cursor.fetchall(), columns=columns)
