"""The most representative passages of each domain and institution: high score, diverse."""

from __future__ import annotations

import numpy as np
import pandas as pd

MIN_WORDS = 20  # shorter passages are headings or fragments, poor evidence
DIVERSITY = 0.3  # weight of dissimilarity to passages already chosen (maximal marginal relevance)
POOL = 30  # candidates considered per selection, best relevance first


class EvidenceIndex:
    """TF-IDF vectors of the candidate passages, computed once for all selections."""

    def __init__(self, passages: pd.DataFrame):
        # Hashed term counts need no vocabulary pass: fast on large corpora, and exact enough
        # to tell near-repeats apart.
        from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer

        self.row = {p: k for k, p in enumerate(passages["passage_id"])}
        self.matrix = None
        if len(passages):
            counts = HashingVectorizer(
                n_features=2**18, alternate_sign=False, norm=None, stop_words="english"
            ).transform(passages["text"])
            self.matrix = TfidfTransformer().fit_transform(counts)

    def select(self, candidates: pd.DataFrame, k: int) -> pd.DataFrame:
        """Pick ``k`` rows (passage_id, n_words, relevance) by maximal marginal relevance."""
        if candidates.empty:
            return candidates
        pool = candidates.iloc[_best_rows(candidates)]
        if len(pool) <= 1 or self.matrix is None:
            return pool.head(k)
        vectors = self.matrix[[self.row[p] for p in pool["passage_id"]]]
        similarity = (vectors @ vectors.T).toarray()
        relevance = pool["relevance"].to_numpy()
        chosen: list[int] = [0]
        while len(chosen) < min(k, len(pool)):
            redundancy = similarity[:, chosen].max(axis=1)
            value = (1 - DIVERSITY) * relevance - DIVERSITY * redundancy
            value[chosen] = -np.inf
            chosen.append(int(np.argmax(value)))
        return pool.iloc[chosen]


def _best_rows(candidates: pd.DataFrame) -> list[int]:
    """Positions of the POOL most relevant candidates (ties by passage id), among passages of
    at least MIN_WORDS words when there are any. Plain arrays: this runs hundreds of times."""
    relevance = candidates["relevance"].to_numpy()
    ids = candidates["passage_id"].to_numpy()
    long_enough = np.flatnonzero(candidates["n_words"].to_numpy() >= MIN_WORDS)
    rows = long_enough if len(long_enough) else range(len(candidates))
    return sorted(rows, key=lambda j: (-relevance[j], ids[j]))[:POOL]


def domain_relevance(labels: pd.DataFrame) -> pd.DataFrame:
    """Per passage and domain: the domain score plus a small bonus when the passage also
    proposes a measure (an approach), which makes it evidence of what institutions do."""
    rows = labels[labels["dimension"] == "approach"].sort_values(["passage_id", "category"])
    joined: dict[str, list[str]] = {}
    for passage_id, category in zip(rows["passage_id"], rows["category"], strict=True):
        joined.setdefault(passage_id, []).append(category)
    approach = pd.Series({p: ";".join(c) for p, c in joined.items()}, dtype=object)
    frame = labels.loc[labels["dimension"] == "domain", ["passage_id", "category", "score"]]
    frame = frame.rename(columns={"category": "domain", "score": "relevance"})
    frame = frame.assign(approaches=frame["passage_id"].map(approach).astype(object).fillna(""))
    frame["relevance"] = frame["relevance"].clip(0, 1) + 0.1 * (frame["approaches"] != "")
    return frame
