"""Agreement between two codings of the same items (pure; scikit-learn and krippendorff).

Multi-label dimensions are scored per category as binary decisions; single-choice dimensions
(binding force) as one nominal decision.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np


def multilabel_scores(
    truth: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]], categories: Sequence[str]
) -> dict[str, Any]:
    """Per-category precision, recall, F1, support, kappa and alpha; micro and macro F1.

    Macro averages run over the categories that occur in ``truth`` (others have no recall).
    """
    from sklearn.metrics import precision_recall_fscore_support
    from sklearn.preprocessing import MultiLabelBinarizer

    binarizer = MultiLabelBinarizer(classes=list(categories))
    y_true = binarizer.fit_transform(truth)
    y_pred = binarizer.transform(predicted)
    # Each category is its own binary decision (a single-category dimension would otherwise be
    # read by scikit-learn as one binary column and scored for its negatives too).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        per = [
            precision_recall_fscore_support(
                y_true[:, k], y_pred[:, k], average="binary", zero_division=0
            )
            for k in range(len(categories))
        ]
        micro = precision_recall_fscore_support(
            y_true.ravel(), y_pred.ravel(), average="binary", zero_division=0
        )
    p = [x[0] for x in per]
    r = [x[1] for x in per]
    f = [x[2] for x in per]
    support = y_true.sum(axis=0)
    per_category = {}
    for index, category in enumerate(categories):
        per_category[category] = {
            "precision": float(p[index]),
            "recall": float(r[index]),
            "f1": float(f[index]),
            "support": int(support[index]),
            "predicted": int(y_pred[:, index].sum()),
            "kappa": cohen_kappa(y_true[:, index], y_pred[:, index]),
            "alpha": krippendorff_alpha(y_true[:, index], y_pred[:, index]),
        }
    present = [c for c in categories if per_category[c]["support"] > 0]
    return {
        "n_items": len(truth),
        "categories": per_category,
        "micro": {"precision": float(micro[0]), "recall": float(micro[1]), "f1": float(micro[2])},
        "macro_f1": _mean(per_category[c]["f1"] for c in present),
        "macro_over": present,
        "mean_kappa": _mean(per_category[c]["kappa"] for c in present),
        "mean_alpha": _mean(per_category[c]["alpha"] for c in present),
        "exact_match": float(
            np.mean([set(t) == set(q) for t, q in zip(truth, predicted, strict=True)])
        ),
    }


def single_choice_scores(
    truth: Sequence[str], predicted: Sequence[str], categories: Sequence[str]
) -> dict[str, Any]:
    """Accuracy, per-class precision/recall/F1, macro F1, kappa and alpha for one label each."""
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p, r, f, support = precision_recall_fscore_support(
            truth, predicted, labels=list(categories), zero_division=0
        )
        macro = f1_score(
            truth,
            predicted,
            labels=[c for c in categories if c in set(truth)],
            average="macro",
            zero_division=0,
        )
    return {
        "n_items": len(truth),
        "accuracy": float(accuracy_score(truth, predicted)),
        "macro_f1": float(macro),
        "kappa": cohen_kappa(truth, predicted),
        "alpha": krippendorff_alpha(truth, predicted),
        "categories": {
            c: {
                "precision": float(p[i]),
                "recall": float(r[i]),
                "f1": float(f[i]),
                "support": int(support[i]),
            }
            for i, c in enumerate(categories)
        },
    }


def cohen_kappa(a: Sequence, b: Sequence) -> float | None:
    """Cohen's kappa; None when it is undefined (both codings constant and equal)."""
    from sklearn.metrics import cohen_kappa_score

    if len(set(a) | set(b)) < 2:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = cohen_kappa_score(a, b)
    return None if np.isnan(value) else float(value)


def krippendorff_alpha(a: Sequence, b: Sequence) -> float | None:
    """Krippendorff's alpha (nominal) for two coders; None when there is no variation."""
    import krippendorff

    values = sorted(set(a) | set(b), key=str)
    if len(values) < 2:
        return None
    index = {v: i for i, v in enumerate(values)}
    data = np.array([[index[x] for x in a], [index[x] for x in b]], dtype=float)
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def _mean(values) -> float | None:
    present = [v for v in values if v is not None]
    return float(np.mean(present)) if present else None
