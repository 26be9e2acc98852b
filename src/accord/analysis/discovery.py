"""Themes among passages that no domain captures (NMF over TF-IDF): a codebook aid."""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

MIN_WORDS = 20
TOP_TERMS = 10
EXAMPLES = 3
MAX_PASSAGES = 3000


def discovery_sample(passages: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The passages discovery reads: long enough ones, a seeded sample of them on large
    corpora (it keeps discovery fast)."""
    texts = passages[passages["n_words"] >= MIN_WORDS]
    if len(texts) > MAX_PASSAGES:
        texts = texts.sample(MAX_PASSAGES, random_state=seed).sort_values("passage_id")
    return texts


def discover_themes(texts: pd.DataFrame, n_themes: int, seed: int) -> pd.DataFrame:
    """One row per theme of ``texts`` (a ``discovery_sample`` with its text): top terms,
    passages where it dominates, example passage ids."""
    columns = ["theme", "top_terms", "n_passages", "examples"]
    if n_themes == 0 or len(texts) < 5 * n_themes:
        return pd.DataFrame(columns=columns)
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(
        stop_words="english",
        min_df=3,
        max_df=0.5,
        max_features=5000,
        token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z-]{2,}\b",
    )
    matrix = vectorizer.fit_transform(texts["text"])
    if matrix.shape[1] < n_themes:
        return pd.DataFrame(columns=columns)
    model = NMF(n_components=n_themes, init="nndsvda", random_state=seed, max_iter=200)
    with warnings.catch_warnings(record=True) as caught:  # for the log, not the terminal
        warnings.simplefilter("always", ConvergenceWarning)
        weights = model.fit_transform(matrix)
    for warning in caught:
        logger.info("Discovery themes: %s", warning.message)
    terms = np.array(vectorizer.get_feature_names_out())
    dominant = weights.argmax(axis=1)
    rows = []
    for theme in range(n_themes):
        top = terms[np.argsort(-model.components_[theme], kind="stable")[:TOP_TERMS]]
        best = np.argsort(-weights[:, theme], kind="stable")[:EXAMPLES]
        rows.append(
            {
                "theme": theme + 1,
                "top_terms": ", ".join(top),
                "n_passages": int((dominant == theme).sum()),
                "examples": ";".join(texts["passage_id"].iloc[best]),
            }
        )
    return pd.DataFrame(rows, columns=columns)
