"""Features of passages for the trained coder: TF-IDF word and character n-grams, the rules'
cue scores, and optionally dense passage vectors (MiniLM, or a static model distilled from it).

A fitted text block keeps only its vocabulary and IDF weights (plain arrays, saved without
pickle); transforming rebuilds scikit-learn's counting from them, so a loaded model computes
exactly the features it was trained on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize

WORD_SETTINGS: dict[str, Any] = {
    "analyzer": "word",
    "ngram_range": [1, 2],
    "min_df": 2,
    "max_features": 30000,
    "token_pattern": r"(?u)\b[^\W\d_][\w'-]*\b",
}
CHAR_SETTINGS: dict[str, Any] = {
    "analyzer": "char_wb",
    "ngram_range": [3, 5],
    "min_df": 3,
    "max_features": 40000,
}
TEXT_BLOCKS = {"words": WORD_SETTINGS, "chars": CHAR_SETTINGS}


@dataclass
class TextBlock:
    """A fitted TF-IDF block: sublinear term frequency times IDF, rows of unit length."""

    name: str
    settings: dict[str, Any]
    vocabulary: list[str]
    idf: np.ndarray
    _counter: CountVectorizer | None = field(default=None, repr=False)
    _chars: CharCounter | None = field(default=None, repr=False)

    @classmethod
    def fit(cls, name: str, texts: Sequence[str], settings: dict[str, Any]) -> TextBlock:
        vectorizer = TfidfVectorizer(
            **_sklearn_args(settings), sublinear_tf=True, lowercase=True, dtype=np.float32
        )
        vectorizer.fit(texts)
        vocabulary = [""] * len(vectorizer.vocabulary_)
        for term, index in vectorizer.vocabulary_.items():
            vocabulary[index] = term
        return cls(name, dict(settings), vocabulary, vectorizer.idf_.astype(np.float32))

    def counter(self) -> CountVectorizer:
        if self._counter is None:
            args = {k: v for k, v in _sklearn_args(self.settings).items() if k != "min_df"}
            args.pop("max_features", None)
            self._counter = CountVectorizer(
                **args, vocabulary={t: k for k, t in enumerate(self.vocabulary)}, lowercase=True
            )
        return self._counter

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        if self.settings.get("analyzer") == "char_wb":
            if self._chars is None:
                self._chars = CharCounter(self.vocabulary, tuple(self.settings["ngram_range"]))
            counts = self._chars.counts(texts)
        else:
            counts = self.counter().transform(texts).astype(np.float32)
        counts.data = 1.0 + np.log(counts.data)  # sublinear tf, as in training
        weighted = counts @ sparse.diags(self.idf)
        return normalize(weighted.tocsr(), copy=False)


class CharCounter:
    """scikit-learn's ``char_wb`` counts with a fixed vocabulary, computed word by word: a
    word's n-grams never cross its edges, so each distinct word's columns are found once and
    reused (most words of a passage were seen before). Several times faster than
    CountVectorizer on passages, and the same matrix (tests/coding/test_features.py)."""

    MAX_WORDS = 500_000  # cached words; the cache starts afresh beyond this

    def __init__(self, vocabulary: Sequence[str], ngram_range: tuple[int, int]):
        self.index = {term: k for k, term in enumerate(vocabulary)}
        self.n_columns = len(vocabulary)
        self.min_n, self.max_n = ngram_range
        self.words: dict[str, np.ndarray] = {}

    def columns(self, word: str) -> np.ndarray:
        """The vocabulary columns of a word's n-grams, with repeats (as CountVectorizer's
        ``_char_wb_ngrams`` makes them)."""
        found = self.words.get(word)
        if found is not None:
            return found
        padded = f" {word} "
        length = len(padded)
        grams = []
        for n in range(self.min_n, self.max_n + 1):
            if length <= n:  # a short word counts once, at its full padded length
                grams.append(padded)
                break
            grams.extend(padded[k : k + n] for k in range(length - n + 1))
        index = self.index
        found = np.array([index[g] for g in grams if g in index], dtype=np.int64)
        if len(self.words) >= self.MAX_WORDS:
            self.words.clear()
        self.words[word] = found
        return found

    def counts(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """(n_texts, n_columns) float32 counts, column indices sorted within each row."""
        parts, owners = [], []
        for row, text in enumerate(texts):
            for word in text.lower().split():
                columns = self.columns(word)
                if len(columns):
                    parts.append(columns)
                    owners.append(row)
        if not parts:
            return sparse.csr_matrix((len(texts), self.n_columns), dtype=np.float32)
        rows = np.repeat(np.array(owners, dtype=np.int64), [len(p) for p in parts])
        keys = rows * self.n_columns + np.concatenate(parts)
        unique, counts = np.unique(keys, return_counts=True)
        row_of, column = np.divmod(unique, self.n_columns)
        indptr = np.searchsorted(row_of, np.arange(len(texts) + 1)).astype(np.int32)
        return sparse.csr_matrix(
            (counts.astype(np.float32), column.astype(np.int32), indptr),
            shape=(len(texts), self.n_columns),
        )


def _sklearn_args(settings: dict[str, Any]) -> dict[str, Any]:
    args = dict(settings)
    args["ngram_range"] = tuple(args["ngram_range"])
    return args


Encode = Callable[[Sequence[str]], np.ndarray]  # texts -> (n, dim) unit vectors


@dataclass
class FeatureSpace:
    """The blocks a model uses, in a fixed column order: text blocks, then dense vectors."""

    text_blocks: list[TextBlock]
    dense: str | None = None  # "minilm" | "static" | None
    dense_dim: int = 0

    @property
    def n_text_features(self) -> int:
        return sum(len(b.vocabulary) for b in self.text_blocks)

    def transform(self, texts: Sequence[str], encode: Encode | None = None) -> sparse.csr_matrix:
        parts = [block.transform(texts) for block in self.text_blocks]
        if self.dense:
            if encode is None:
                raise ValueError(f"features '{self.dense}' need an encoder")
            parts.append(sparse.csr_matrix(np.asarray(encode(texts), dtype=np.float32)))
        return sparse.hstack(parts, format="csr", dtype=np.float32)

    def term(self, column: int) -> tuple[str, str] | None:
        """(block name, n-gram) of a text column; None for a dense column."""
        for block in self.text_blocks:
            if column < len(block.vocabulary):
                return block.name, block.vocabulary[column]
            column -= len(block.vocabulary)
        return None


def fit_space(
    texts: Sequence[str], blocks: Sequence[str], dense: str | None = None, dense_dim: int = 0
) -> FeatureSpace:
    text_blocks = [TextBlock.fit(name, texts, TEXT_BLOCKS[name]) for name in blocks]
    return FeatureSpace(text_blocks, dense, dense_dim)


def with_cues(matrix: sparse.csr_matrix, cues: np.ndarray, weight: float) -> sparse.csr_matrix:
    """Append a dimension's rule-cue columns (scores in [0, 1]) to the shared features."""
    if cues.shape[1] == 0:
        return matrix
    return sparse.hstack(
        [matrix, sparse.csr_matrix(cues.astype(np.float32) * weight)], format="csr"
    )
