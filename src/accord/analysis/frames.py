"""The store as tidy DataFrames: the only module of the analysis that reads the store."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from accord.coding.codebooks import parse_codebook
from accord.errors import AnalysisError
from accord.model.codebook import Codebook
from accord.store import coding_store
from accord.store.corpus_store import CorpusStore


@dataclass
class CodedCorpus:
    """Documents, passages and labels of one coding run, one row per observation."""

    documents: pd.DataFrame  # document_id, institution_id, institution, family, title, year, ...
    passages: pd.DataFrame  # passage_id, document_id, ordinal, page_start, page_end, n_words, text
    labels: pd.DataFrame  # passage_id, dimension, category, score, evidence (JSON cue spans)
    codebook: Codebook
    coder: str
    corpus_digest: str

    @property
    def codebook_digest(self) -> str:
        return self.codebook.digest()


def load_coded_corpus(store: CorpusStore, coding: dict | None = None) -> CodedCorpus:
    """Current documents with the labels of ``coding`` (default: the latest coding run).

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
        """SELECT p.id AS passage_id, p.document_id, p.ordinal, p.page_start, p.page_end,
                  p.n_words, p.text
           FROM passages p JOIN documents d ON d.id = p.document_id
           WHERE d.is_current = 1 ORDER BY p.id""",
    )
    labels = _query(
        store,
        """SELECT a.passage_id, a.dimension, a.category, a.score, a.evidence
           FROM assignments a JOIN passages p ON p.id = a.passage_id
           JOIN documents d ON d.id = p.document_id
           WHERE d.is_current = 1 AND a.codebook_digest = ? AND a.coder = ?
           ORDER BY a.passage_id, a.dimension, a.category""",
        (coding["codebook_digest"], coding["coder"]),
    )
    return CodedCorpus(
        documents, passages, labels, codebook, coding["coder"], store.corpus_digest()
    )


def _query(store: CorpusStore, sql: str, params: tuple = ()) -> pd.DataFrame:
    cursor = store.db.execute(sql, params)
    columns = [c[0] for c in cursor.description]
    return pd.DataFrame.from_records(cursor.fetchall(), columns=columns)
