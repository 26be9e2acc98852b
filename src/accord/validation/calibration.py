"""Calibrate the embedding thresholds on human coding, and measure the three coders honestly.

Thresholds are chosen per category to maximise F1. ``cross_validate`` never scores an item
with thresholds fitted on it: items are split into folds by document (GroupKFold), thresholds
are fitted on the other folds, and the out-of-fold predictions are scored. The thresholds
shipped with the codebook are then fitted on all items.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from accord.coding.embedding import EmbeddingCoder
from accord.coding.ensemble import NEVER, WEAK_CUE_DISCOUNT
from accord.coding.rules import RulesCoder
from accord.model.codebook import Codebook, Dimension
from accord.model.coding import CodingUnit
from accord.validation.agreement import multilabel_scores, single_choice_scores
from accord.validation.gold import GoldSet

MIN_POSITIVES = 4  # fewer positives in the training folds: use the dimension's pooled threshold
FOLDS = 5
MIN_ENSEMBLE_GAIN = 0.02  # F1 the embedding must add to the rules to be used at all
METHODS = ("rules", "embedding", "ensemble")


@dataclass
class ScoredItems:
    """Everything the three coders need for the gold items, computed once."""

    ids: list[str]
    groups: list[str]
    truth: dict[str, list[list[str]]]  # dimension -> first coder's labels per item
    has: dict[str, np.ndarray]  # dimension -> items the first coder labelled on it
    rule_scores: dict[str, np.ndarray]  # multi dims: (items, categories)
    similarity: dict[str, np.ndarray]
    single: dict[str, dict[str, list[str]]]  # single dims: method -> chosen category per item


def score_items(
    gold: GoldSet, codebook: Codebook, embedding: EmbeddingCoder | None = None
) -> ScoredItems:
    units = [CodingUnit(i.id, i.text or "", i.document_type) for i in gold.items]
    rules = RulesCoder(codebook)
    embedding = embedding or EmbeddingCoder(codebook)
    vectors = embedding.vectors([u.text for u in units])
    # Non-substantive passages (reference lists ...) get no codes from any coder.
    substantive = np.array([rules.gate.evidence(u.text) is None for u in units])
    scans = [rules.scan(u) for u in units]
    truth, has, rule_scores, similarity, single = {}, {}, {}, {}, {}
    for dimension in codebook.dimensions:
        labelled = [
            next(
                (labels[dimension.id] for labels in item.labels.values() if dimension.id in labels),
                None,
            )
            for item in gold.items
        ]
        has[dimension.id] = np.array([lab is not None for lab in labelled])
        truth[dimension.id] = [lab or [] for lab in labelled]
        rule_candidates = [
            rules.candidates(dimension, u, found) for u, found in zip(units, scans, strict=True)
        ]
        table = embedding.similarities(dimension, vectors)
        if dimension.selection == "single":
            default = dimension.default or dimension.ids[-1]
            chosen_rules = [
                rules.choose_single(dimension, u, c)[0] if substantive[k] else default
                for k, (u, c) in enumerate(zip(units, rule_candidates, strict=True))
            ]
            chosen_embedding = [
                dimension.ids[embedding.chosen(dimension, u, table.score[k])[0]]
                if substantive[k]
                else default
                for k, u in enumerate(units)
            ]
            single[dimension.id] = {
                "rules": chosen_rules,
                "embedding": chosen_embedding,
                "ensemble": chosen_rules,
            }
            continue
        rule_scores[dimension.id] = (
            np.array(
                [[c[k].score if k in c else 0.0 for k in dimension.ids] for c in rule_candidates]
            )
            * substantive[:, None]
        )
        similarity[dimension.id] = table.score * substantive[:, None]
    return ScoredItems(
        [i.id for i in gold.items],
        [i.group for i in gold.items],
        truth,
        has,
        rule_scores,
        similarity,
        single,
    )


def _f1(y: np.ndarray, p: np.ndarray) -> float:
    tp = float(np.sum(y & p))
    denominator = float(np.sum(y) + np.sum(p))
    return 0.0 if denominator == 0 else 2 * tp / denominator


def fit_threshold(
    similarity: np.ndarray,
    truth: np.ndarray,
    base: np.ndarray | None = None,
    discount: np.ndarray | None = None,
) -> float:
    """The threshold maximising F1 of ``base | (similarity >= t - discount)``; the highest t
    among ties. With a ``base`` (the rules), NEVER unless some threshold beats the rules alone
    by ``MIN_ENSEMBLE_GAIN``: small in-sample gains do not survive new data."""
    base = np.zeros_like(truth) if base is None else base
    discount = np.zeros_like(similarity) if discount is None else discount
    floor = _f1(truth, base) + MIN_ENSEMBLE_GAIN if base.any() else -1.0
    best_t, best_f1 = NEVER, floor
    for t in np.unique(np.round(similarity + discount, 4))[::-1]:
        f1 = _f1(truth, base | (similarity >= t - discount))
        if f1 > best_f1 + 1e-9:
            best_t, best_f1 = float(t), f1
    return best_t


def fit_dimension(
    scored: ScoredItems, dimension: Dimension, rows: np.ndarray
) -> dict[str, tuple[float, float]]:
    """(embedding threshold, ensemble threshold) per category, fitted on ``rows``."""
    ids = dimension.ids
    y = _binary(scored.truth[dimension.id], ids)[rows]
    sim = scored.similarity[dimension.id][rows]
    rule = scored.rule_scores[dimension.id][rows]
    base = rule >= 1.0
    discount = np.where((rule > 0) & (rule < 1), WEAK_CUE_DISCOUNT, 0.0)
    pooled_emb = fit_threshold(sim.ravel(), y.ravel())
    pooled_ens = fit_threshold(sim.ravel(), y.ravel(), base.ravel(), discount.ravel())
    fitted = {}
    for k, category in enumerate(ids):
        if y[:, k].sum() < MIN_POSITIVES:
            fitted[category] = (pooled_emb, pooled_ens)
            continue
        fitted[category] = (
            fit_threshold(sim[:, k], y[:, k]),
            fit_threshold(sim[:, k], y[:, k], base[:, k], discount[:, k]),
        )
    return fitted


def predict_dimension(
    scored: ScoredItems,
    dimension: Dimension,
    rows: np.ndarray,
    thresholds: dict[str, tuple[float, float]],
) -> dict[str, np.ndarray]:
    ids = dimension.ids
    sim = scored.similarity[dimension.id][rows]
    rule = scored.rule_scores[dimension.id][rows]
    emb_t = np.array([thresholds[c][0] for c in ids])
    ens_t = np.array([thresholds[c][1] for c in ids])
    discount = np.where((rule > 0) & (rule < 1), WEAK_CUE_DISCOUNT, 0.0)
    return {
        "rules": rule >= 1.0,
        "embedding": sim >= emb_t,
        "ensemble": (rule >= 1.0) | (sim >= ens_t - discount),
    }


def cross_validate(
    scored: ScoredItems, codebook: Codebook, folds: int = FOLDS
) -> dict[str, dict[str, np.ndarray | list[str]]]:
    """Out-of-fold predictions per method and dimension (thresholds never see their items)."""
    from sklearn.model_selection import GroupKFold

    n = len(scored.ids)
    out: dict[str, dict[str, Any]] = {m: {} for m in METHODS}
    for dimension in codebook.dimensions:
        if dimension.selection == "single":
            for method in METHODS:
                out[method][dimension.id] = scored.single[dimension.id][method]
            continue
        k = len(dimension.ids)
        predictions = {m: np.zeros((n, k), dtype=bool) for m in METHODS}
        splitter = GroupKFold(n_splits=min(folds, len(set(scored.groups))))
        for train, test in splitter.split(np.zeros(n), groups=scored.groups):
            labelled = train[scored.has[dimension.id][train]]
            thresholds = fit_dimension(scored, dimension, labelled)
            for method, values in predict_dimension(scored, dimension, test, thresholds).items():
                predictions[method][test] = values
        for method in METHODS:
            out[method][dimension.id] = predictions[method]
    return out


def evaluate(
    scored: ScoredItems,
    codebook: Codebook,
    predictions: dict[str, dict[str, Any]],
    subset: np.ndarray | None = None,
) -> dict[str, dict[str, Any]]:
    """Scores per method and dimension, over the items the first coder labelled."""
    results: dict[str, dict[str, Any]] = {m: {} for m in predictions}
    for dimension in codebook.dimensions:
        mask = scored.has[dimension.id] & (True if subset is None else subset)
        rows = np.flatnonzero(mask)
        if not len(rows):
            continue
        truth = [scored.truth[dimension.id][i] for i in rows]
        for method, by_dimension in predictions.items():
            predicted = by_dimension[dimension.id]
            if dimension.selection == "single":
                results[method][dimension.id] = single_choice_scores(
                    [t[0] if t else dimension.default for t in truth],
                    [predicted[i] for i in rows],
                    dimension.ids,
                )
            else:
                chosen = [
                    [c for c, on in zip(dimension.ids, predicted[i], strict=True) if on]
                    for i in rows
                ]
                results[method][dimension.id] = multilabel_scores(truth, chosen, dimension.ids)
    return results


def calibrated_codebook(scored: ScoredItems, codebook: Codebook) -> Codebook:
    """The codebook with thresholds fitted on every gold item."""
    dimensions = []
    for dimension in codebook.dimensions:
        data = dimension.model_dump()
        if dimension.selection == "multi" and scored.has[dimension.id].any():
            rows = np.flatnonzero(scored.has[dimension.id])
            fitted = fit_dimension(scored, dimension, rows)
            data["categories"] = [
                {
                    **c.model_dump(),
                    "threshold": round(fitted[c.id][0], 4),
                    "ensemble_threshold": round(fitted[c.id][1], 4),
                }
                for c in dimension.categories
            ]
        dimensions.append(data)
    return Codebook.model_validate({**codebook.model_dump(), "dimensions": dimensions})


def _binary(labels: list[list[str]], ids: list[str]) -> np.ndarray:
    return np.array([[c in set(lab) for c in ids] for lab in labels], dtype=bool)
