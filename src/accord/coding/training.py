"""Fit ``trained.v1`` models from labelled passages (pure: texts and labels in, a model out).

For every dimension: multi-label dimensions get one logistic regression per category
(class-balanced), single-choice dimensions one multinomial regression. Probability thresholds
are chosen per category on out-of-fold predictions of a cross-validation grouped by document,
so no threshold is fitted on passages of the document it is scored on; the out-of-fold
predictions are returned too, for honest cross-validated scores.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import normalize

from accord._version import __version__
from accord.coding.base import cap_for
from accord.coding.features import FeatureSpace, fit_space, with_cues
from accord.coding.rules import RulesCoder
from accord.coding.trained import (
    DimensionModel,
    Neighbours,
    TrainedModel,
    extra_features,
    half,
    stack_inputs,
)
from accord.errors import TrainingDataError
from accord.model.codebook import Codebook, Dimension
from accord.model.coding import CodingUnit, UnitCoding

ABSENT = -30.0  # intercept of a class never seen in training: probability ~0


@dataclass(frozen=True)
class TrainSettings:
    blocks: tuple[str, ...] = ("words", "chars")
    dense: str | None = None  # "minilm" | "static"
    use_cues: bool = True
    document_type_features: bool = False  # one-hot document type for single-choice dimensions
    balanced: bool = True  # class-balanced weights
    stack: bool = False  # n-gram model first, then a model over its scores and the cues
    cue_weight: float = 1.0
    C: float = 4.0
    folds: int = 5
    seed: int = 20261202
    min_positives: int = 8
    neighbour_components: int = 256


@dataclass
class TrainingSet:
    """Labelled passages. ``labels[dimension][k]`` is None where item k was not coded on it."""

    ids: list[str]
    texts: list[str]
    document_types: list[str | None]
    groups: list[str]  # documents, for grouped cross-validation
    references: list[str]
    labels: dict[str, list[list[str] | None]] = field(default_factory=dict)

    def digest(self) -> str:
        """The training-data hash stamped on the model."""
        rows = [
            [i, hashlib.sha256(t.encode("utf-8")).hexdigest(), g]
            for i, t, g in zip(self.ids, self.texts, self.groups, strict=True)
        ]
        payload = json.dumps({"items": rows, "labels": self.labels}, sort_keys=True)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def labelled(self, dimension: str) -> np.ndarray:
        return np.array([lab is not None for lab in self.labels.get(dimension, [])], dtype=bool)


@dataclass
class CrossValidated:
    """Out-of-fold predictions per dimension (for items coded on it), thresholds from other
    folds only."""

    ids: dict[str, list[str]] = field(default_factory=dict)
    truth: dict[str, list[list[str]]] = field(default_factory=dict)
    predicted: dict[str, list[list[str]]] = field(default_factory=dict)


def positives(data: TrainingSet, codebook: Codebook) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for dimension in codebook.dimensions:
        labels = [lab for lab in data.labels.get(dimension.id, []) if lab is not None]
        counts[dimension.id] = {c: sum(c in lab for lab in labels) for c in dimension.ids}
    return counts


def check_support(data: TrainingSet, codebook: Codebook, min_positives: int) -> None:
    """Refuse to train when a dimension has no labels or a category has too few positives.

    Raises:
        TrainingDataError: naming every such dimension and category with its count.
    """
    problems = []
    counts = positives(data, codebook)
    for dimension in codebook.dimensions:
        if not data.labelled(dimension.id).any():
            problems.append(f"dimension '{dimension.id}' has no labelled passages")
            continue
        few = [f"{c} ({n})" for c, n in counts[dimension.id].items() if n < min_positives]
        if few:
            problems.append(f"{dimension.id}: {', '.join(few)}")
    if problems:
        raise TrainingDataError(
            f"Too few labelled passages to train (at least {min_positives} positives per "
            f"category): {'; '.join(problems)}.",
            hint="Code more passages of those categories, or lower --min-positives.",
        )


def rules_view(codebook: Codebook, data: TrainingSet) -> list[UnitCoding]:
    units = [
        CodingUnit(i, t, d)
        for i, t, d in zip(data.ids, data.texts, data.document_types, strict=True)
    ]
    return RulesCoder(codebook).code(units)


def fit_model(
    data: TrainingSet,
    codebook: Codebook,
    settings: TrainSettings | None = None,
    encode=None,
    rules: list[UnitCoding] | None = None,
) -> tuple[TrainedModel, CrossValidated]:
    """Train on every item; thresholds and scores from grouped cross-validation."""
    settings = settings or TrainSettings()
    check_support(data, codebook, settings.min_positives)
    rules = rules if rules is not None else rules_view(codebook, data)
    dense = None if settings.dense is None else np.asarray(encode(data.texts), dtype=np.float32)
    folds = _folds(data, settings)
    known_types = (
        sorted({(d or "").lower() for d in data.document_types if d})
        if settings.document_type_features
        else []
    )
    cv = CrossValidated()
    dims: dict[str, DimensionModel] = {}
    fold_matrices = [_fold_matrix(data, settings, train, dense) for train, _ in folds]
    space = fit_space(data.texts, settings.blocks, settings.dense, _dim(dense))
    features = _transform(space, data.texts, dense)
    for dimension in codebook.dimensions:
        cues = extra_features(settings.use_cues, known_types, dimension, rules, data.document_types)
        # Stacked: the n-gram model alone, then a small model over its scores and the cues.
        level_one_cues = np.zeros((len(rules), 0)) if settings.stack else cues
        rows = np.flatnonzero(data.labelled(dimension.id))
        truth = [data.labels[dimension.id][k] or [] for k in rows]
        oof = np.zeros((len(data.ids), len(dimension.ids)))
        for (train, test), fold_matrix in zip(folds, fold_matrices, strict=True):
            fit_rows = np.intersect1d(train, rows)
            matrix = with_cues(fold_matrix, level_one_cues, settings.cue_weight)
            model = _fit_dimension(dimension, data, matrix, fit_rows, settings)
            oof[test] = model.probabilities(matrix[test])
        full = with_cues(features, level_one_cues, settings.cue_weight)
        model = _fit_dimension(dimension, data, full, rows, settings)
        if settings.stack:
            model.stacked, oof = _stack(dimension, data, oof, cues, rows, folds, settings)
        model.thresholds = _thresholds(dimension, oof[rows], truth)
        dims[dimension.id] = model
        cv.ids[dimension.id] = [data.ids[k] for k in rows]
        cv.truth[dimension.id] = truth
        cv.predicted[dimension.id] = _oof_labels(dimension, data, oof, rows, folds)
    meta = _meta(data, codebook, settings)
    neighbours = _neighbours(data, space, features, settings)
    model = TrainedModel(
        meta, space, dims, settings.cue_weight, neighbours, settings.use_cues, known_types
    )
    return model, cv


STACK_C = 1.0


def _stack(dimension, data, oof, cues, rows, folds, settings):
    """The second level: a logistic model per category over the first level's out-of-fold
    log-odds and the rule cues. Returns it, and its own out-of-fold probabilities (each fold
    scored by a second level fitted on the other folds)."""
    inputs = sparse.csr_matrix(stack_inputs(oof, cues))
    level_two = replace(settings, C=STACK_C)
    second = np.zeros_like(oof)
    for train, test in folds:
        model = _fit_dimension(dimension, data, inputs, np.intersect1d(train, rows), level_two)
        second[test] = model.probabilities(inputs[test])
    return _fit_dimension(dimension, data, inputs, rows, level_two), second


def _dim(dense: np.ndarray | None) -> int:
    return 0 if dense is None else int(dense.shape[1])


def _transform(space: FeatureSpace, texts: Sequence[str], dense: np.ndarray | None):
    return space.transform(texts, (lambda _t: dense) if dense is not None else None)


def _fold_matrix(data, settings, train, dense):
    """Vocabulary and IDF fitted on the fold's training passages only."""
    space = fit_space([data.texts[k] for k in train], settings.blocks, settings.dense, _dim(dense))
    return _transform(space, data.texts, dense)


def _folds(data: TrainingSet, settings: TrainSettings) -> list[tuple[np.ndarray, np.ndarray]]:
    groups = np.array(data.groups)
    n_folds = min(settings.folds, len(set(data.groups)))
    if n_folds < 2:
        raise TrainingDataError(
            "Grouped cross-validation needs passages from at least two documents."
        )
    splitter = GroupKFold(n_splits=n_folds, shuffle=True, random_state=settings.seed)
    return list(splitter.split(np.zeros(len(groups)), groups=groups))


def _fit_dimension(
    dimension: Dimension,
    data: TrainingSet,
    matrix: sparse.csr_matrix,
    rows: np.ndarray,
    settings: TrainSettings,
) -> DimensionModel:
    labels = [data.labels[dimension.id][k] or [] for k in rows]
    x = matrix[rows]
    n_features = matrix.shape[1]
    ids = dimension.ids
    coef = np.zeros((len(ids), n_features))
    intercept = np.full(len(ids), ABSENT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if dimension.selection == "single":
            default = dimension.default or ids[-1]
            y = np.array([lab[0] if lab else default for lab in labels])
            present = [c for c in ids if (y == c).any()]
            if len(present) == 1:
                intercept[ids.index(present[0])] = 0.0
            else:
                model = LogisticRegression(
                    C=settings.C,
                    class_weight=_weights(settings),
                    max_iter=2000,
                    random_state=settings.seed,
                ).fit(x, y)
                rows_of = list(model.classes_)
                if len(rows_of) == 2:  # scikit-learn keeps one row for two classes
                    coef[ids.index(rows_of[1])] = model.coef_[0]
                    intercept[ids.index(rows_of[1])] = model.intercept_[0]
                    intercept[ids.index(rows_of[0])] = 0.0
                else:
                    for r, c in enumerate(rows_of):
                        coef[ids.index(c)] = model.coef_[r]
                        intercept[ids.index(c)] = model.intercept_[r]
        else:
            for k, category in enumerate(ids):
                y = np.array([category in lab for lab in labels])
                if y.all() or not y.any():
                    intercept[k] = -ABSENT if y.all() and len(y) else ABSENT
                    continue
                model = LogisticRegression(
                    C=settings.C,
                    class_weight=_weights(settings),
                    solver="liblinear",
                    max_iter=2000,
                    random_state=settings.seed,
                ).fit(x, y)
                coef[k], intercept[k] = model.coef_[0], model.intercept_[0]
    return DimensionModel(
        dimension.id, dimension.selection, list(ids), half(coef), intercept, np.full(len(ids), 0.5)
    )


def _weights(settings: TrainSettings) -> str | None:
    return "balanced" if settings.balanced else None


def best_threshold(scores: np.ndarray, truth: np.ndarray) -> float:
    """The probability threshold that maximises F1 (0.5 when there are no positives)."""
    if not truth.any():
        return 0.5
    order = np.argsort(-scores, kind="stable")
    sorted_scores, hits = scores[order], truth[order].astype(float)
    tp = np.cumsum(hits)
    predicted = np.arange(1, len(scores) + 1)
    f1 = 2 * tp / (predicted + truth.sum())
    # only cut between distinct scores
    distinct = np.r_[sorted_scores[1:] != sorted_scores[:-1], True]
    f1 = np.where(distinct, f1, -1)
    best = int(np.argmax(f1))
    below = sorted_scores[best + 1] if best + 1 < len(sorted_scores) else 0.0
    return float((sorted_scores[best] + below) / 2)


def _thresholds(dimension: Dimension, scores: np.ndarray, truth: list[list[str]]) -> np.ndarray:
    if dimension.selection == "single":
        return np.full(len(dimension.ids), 0.5)
    return np.array(
        [
            best_threshold(scores[:, k], np.array([c in lab for lab in truth]))
            for k, c in enumerate(dimension.ids)
        ]
    )


def _oof_labels(dimension, data, oof, rows, folds) -> list[list[str]]:
    """Labels from out-of-fold probabilities, each fold thresholded on the other folds."""
    position = {k: n for n, k in enumerate(rows)}
    labelled = set(rows.tolist())
    predicted: dict[int, list[str]] = {}
    truth_of = {k: data.labels[dimension.id][k] or [] for k in rows}
    for train, test in folds:
        others = np.array([k for k in train if k in labelled], dtype=int)
        limits = _thresholds(dimension, oof[others], [truth_of[k] for k in others])
        for k in test:
            if k not in labelled:
                continue
            values = oof[k]
            if dimension.selection == "single":
                best = dimension.ids[int(np.argmax(values))]
                predicted[k] = [cap_for(dimension, best, data.document_types[k])]
            else:
                predicted[k] = [
                    c for c, v, t in zip(dimension.ids, values, limits, strict=True) if v >= t
                ]
    return [predicted[k] for k in sorted(predicted, key=position.get)]


def _neighbours(data, space, features, settings) -> Neighbours:
    from sklearn.random_projection import SparseRandomProjection

    shared = features  # n-grams, and dense vectors when the model has them
    projector = SparseRandomProjection(
        n_components=settings.neighbour_components,
        dense_output=False,
        random_state=settings.seed,
    ).fit(shared)
    projection = sparse.csr_matrix(projector.components_, dtype=np.float32)
    vectors = normalize(np.asarray((shared @ projection.T).todense(), dtype=np.float32))
    labels = {dim: [lab or [] for lab in per_item] for dim, per_item in sorted(data.labels.items())}
    return Neighbours(list(data.ids), list(data.references), labels, projection, vectors)


def _meta(data: TrainingSet, codebook: Codebook, settings: TrainSettings) -> dict[str, Any]:
    import sklearn

    return {
        "coder": "trained.v1",
        "accord_version": __version__,
        "scikit_learn": sklearn.__version__,
        "codebook": {
            "name": codebook.name,
            "version": codebook.version,
            # of the codebook as trained on, whatever model it named before
            "dimension_digests": codebook.model_copy(update={"model": None}).dimension_digests(),
        },
        "training": {
            "data_sha256": data.digest(),
            "n_items": len(data.ids),
            "n_documents": len(set(data.groups)),
            "positives": positives(data, codebook),
            "settings": asdict(settings),
        },
    }
