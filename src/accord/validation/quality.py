"""The one headline figure per dimension, and its bootstrap interval over documents (pure).

Headlines: macro-F1 for domain and approach, micro-F1 for principle (sixteen often rare
categories), F1 of the one category for security and cooperation, accuracy for binding
force. Other codebooks' dimensions: macro-F1 (multi-label) or accuracy (single choice).
The interval resamples whole documents, since passages of one document are not independent.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from accord.model.codebook import Dimension

HEADLINES = {
    "domain": "macro-F1",
    "approach": "macro-F1",
    "principle": "micro-F1",
    "security": "F1",
    "cooperation": "F1",
    "force": "accuracy",
}
BOOTSTRAP_ROUNDS = 1000


def headline_name(dimension: Dimension) -> str:
    if dimension.id in HEADLINES:
        return HEADLINES[dimension.id]
    return "accuracy" if dimension.selection == "single" else "macro-F1"


def _counts(
    dimension: Dimension, truth: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]
) -> np.ndarray:
    """Per item: (tp, fp, fn) per category, or (correct, 1) for a single choice."""
    if dimension.selection == "single":
        default = dimension.default or dimension.ids[-1]
        correct = [
            (t[0] if t else default) == (p[0] if p else default)
            for t, p in zip(truth, predicted, strict=True)
        ]
        return np.array([[c, 1.0] for c in correct]).reshape(len(correct), 2)
    ids = dimension.ids
    t = np.array([[c in set(x) for c in ids] for x in truth], dtype=float).reshape(-1, len(ids))
    p = np.array([[c in set(x) for c in ids] for x in predicted], dtype=float).reshape(-1, len(ids))
    return np.stack([t * p, (1 - t) * p, t * (1 - p)], axis=1)  # (items, 3, categories)


def _value(dimension: Dimension, totals: np.ndarray) -> float:
    name = headline_name(dimension)
    if dimension.selection == "single":
        return float(totals[0] / totals[1]) if totals[1] else 0.0
    tp, fp, fn = totals
    if name == "micro-F1" or name == "F1":
        denominator = 2 * tp.sum() + fp.sum() + fn.sum()
        return float(2 * tp.sum() / denominator) if denominator else 0.0
    present = (tp + fn) > 0
    if not present.any():
        return 0.0
    f1 = np.where(2 * tp + fp + fn > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1e-12), 0.0)
    return float(f1[present].mean())


def headline(
    dimension: Dimension, truth: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]
) -> float:
    return _value(dimension, _counts(dimension, truth, predicted).sum(axis=0))


def bootstrap_interval(
    dimension: Dimension,
    truth: Sequence[Sequence[str]],
    predicted: Sequence[Sequence[str]],
    groups: Sequence[str],
    *,
    rounds: int = BOOTSTRAP_ROUNDS,
    seed: int = 0,
    level: float = 0.95,
) -> tuple[float, float]:
    """Percentile interval of the headline figure, resampling documents with replacement."""
    counts = _counts(dimension, truth, predicted)
    names = sorted(set(groups))
    index = {g: k for k, g in enumerate(names)}
    per_group = np.zeros((len(names), *counts.shape[1:]))
    np.add.at(per_group, [index[g] for g in groups], counts)
    rng = np.random.default_rng(seed)
    values = [
        _value(dimension, per_group[rng.integers(0, len(names), len(names))].sum(axis=0))
        for _ in range(rounds)
    ]
    tail = (1 - level) / 2
    return float(np.quantile(values, tail)), float(np.quantile(values, 1 - tail))
