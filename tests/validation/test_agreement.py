"""Agreement statistics equal scikit-learn and krippendorff computed on the same data."""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score, f1_score, precision_score, recall_score

from accord.validation.agreement import multilabel_scores, single_choice_scores

CATEGORIES = ["a", "b", "c"]
TRUTH = [["a"], ["a", "b"], [], ["c"], ["b"], ["a", "c"], [], ["b"]]
PREDICTED = [["a"], ["b"], ["a"], ["c"], ["b", "c"], ["a"], [], []]


def column(labels, category):
    return np.array([category in x for x in labels], dtype=int)


def test_multilabel_matches_libraries():
    scores = multilabel_scores(TRUTH, PREDICTED, CATEGORIES)
    for category in CATEGORIES:
        y, p = column(TRUTH, category), column(PREDICTED, category)
        got = scores["categories"][category]
        assert got["precision"] == pytest.approx(precision_score(y, p))
        assert got["recall"] == pytest.approx(recall_score(y, p))
        assert got["f1"] == pytest.approx(f1_score(y, p))
        assert got["kappa"] == pytest.approx(cohen_kappa_score(y, p))
        assert got["alpha"] == pytest.approx(
            krippendorff.alpha(
                reliability_data=np.vstack([y, p]).astype(float), level_of_measurement="nominal"
            )
        )
    y = np.vstack([column(TRUTH, c) for c in CATEGORIES]).T
    p = np.vstack([column(PREDICTED, c) for c in CATEGORIES]).T
    assert scores["micro"]["f1"] == pytest.approx(f1_score(y, p, average="micro"))
    assert scores["macro_f1"] == pytest.approx(f1_score(y, p, average="macro"))


def test_single_choice_matches_libraries():
    truth = ["binding", "descriptive", "descriptive", "recommendation", "descriptive"]
    predicted = ["binding", "descriptive", "recommendation", "recommendation", "binding"]
    scores = single_choice_scores(truth, predicted, ["binding", "recommendation", "descriptive"])
    assert scores["accuracy"] == pytest.approx(0.6)
    assert scores["kappa"] == pytest.approx(cohen_kappa_score(truth, predicted))
    codes = {"binding": 0, "recommendation": 1, "descriptive": 2}
    data = np.array([[codes[x] for x in truth], [codes[x] for x in predicted]], dtype=float)
    assert scores["alpha"] == pytest.approx(
        krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    )
    assert scores["macro_f1"] == pytest.approx(f1_score(truth, predicted, average="macro"))


@given(
    st.lists(
        st.tuples(st.sets(st.sampled_from(CATEGORIES)), st.sets(st.sampled_from(CATEGORIES))),
        min_size=1,
        max_size=40,
    )
)
@settings(max_examples=100, deadline=None)
def test_metrics_stay_in_bounds(pairs):
    scores = multilabel_scores(
        [sorted(a) for a, _ in pairs], [sorted(b) for _, b in pairs], CATEGORIES
    )
    for values in scores["categories"].values():
        assert 0 <= values["precision"] <= 1 and 0 <= values["recall"] <= 1
        assert values["kappa"] is None or -1 <= values["kappa"] <= 1
    assert 0 <= scores["micro"]["f1"] <= 1
    identical = multilabel_scores(
        [sorted(a) for a, _ in pairs], [sorted(a) for a, _ in pairs], CATEGORIES
    )
    assert identical["exact_match"] == 1.0
