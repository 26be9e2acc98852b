"""Properties of the measures and a planted-truth ranking."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.analysis.measures import complementarity, js_similarity
from accord.analysis.results import analyse_coded
from accord.config import AnalysisSettings

from .synthetic import build, passage

FAST = AnalysisSettings(bootstrap_resamples=60, weight_draws=60, discovery_themes=0)
APPROACHES = ["regulatory", "innovation", "implementation"]
PRINCIPLES = ["fairness", "privacy", "safety", "openness"]


def planted():
    """alpha: five institutions, shared approaches, each adding its own principle, cooperation,
    no security. beta: two institutions with opposite approaches on the same principle, all
    security-sensitive, no cooperation: the same cells with opposite weights (reversed mixes of
    regulatory and innovation). gamma and delta: in between."""
    documents = []
    for i in range(5):
        for d in range(2):
            passages = [
                passage(
                    ["alpha"],
                    ["regulatory", "implementation"],
                    ["fairness", PRINCIPLES[i % 4]] if i else ["fairness"],
                    cooperation=k % 2 == 0,
                )
                for k in range(8)
            ]
            if i < 2:
                main, other = ("regulatory", "innovation")[:: 1 if i == 0 else -1]
                passages += [
                    passage(["beta"], [main if k else other], ["safety"], security=True)
                    for k in range(6)
                ]
            passages += [
                passage(
                    ["gamma"],
                    [APPROACHES[(i + k) % 3]],
                    [PRINCIPLES[k % 4]],
                    security=k % 3 == 0,
                    cooperation=k % 4 == 0,
                )
                for k in range(4)
            ]
            passages += [
                passage(
                    ["delta"],
                    ["implementation"],
                    ["privacy"],
                    security=k % 2 == 0,
                    cooperation=k % 3 == 0,
                )
                for k in range(4)
            ]
            documents.append(
                {
                    "id": f"i{i}d{d}",
                    "institution": f"inst{i}",
                    "year": 2020 + d,
                    "passages": passages,
                }
            )
    return documents


@pytest.fixture(scope="module")
def planted_result():
    return analyse_coded(build(planted()), FAST, "settings")


def test_planted_ranking_is_recovered(planted_result):
    domains = planted_result["domains"].set_index("domain")
    assert domains.loc["alpha", "rank"] == 1
    assert domains.loc["beta", "rank"] == domains["rank"].max()
    assert domains.loc["alpha", "opportunity_low"] > domains.loc["beta", "opportunity_high"]
    assert domains.loc["alpha", "p_top5_joint"] == 1.0
    assert domains.loc["alpha", "breadth"] == 5 and domains.loc["beta", "breadth"] == 2
    assert domains.loc["alpha", "security"] == 0 and domains.loc["beta", "security"] == 1
    assert domains.loc["alpha", "complementarity"] > 0.5
    assert domains.loc["beta", "complementarity"] == 0  # same cell-set, different weights
    assert domains.loc["beta", "alignment_approach"] < 0.5


def test_complementarity_is_not_one_minus_alignment(planted_result):
    """alpha is both aligned and complementary; beta is neither: the two measures move
    together here, so one cannot be derived from the other."""
    domains = planted_result["domains"].set_index("domain")
    for domain in ("alpha", "beta"):
        row = domains.loc[domain]
        assert row["complementarity"] != pytest.approx(1 - row["alignment"])
    assert domains.loc["alpha", "alignment_approach"] == pytest.approx(1.0)
    assert domains.loc["alpha", "alignment"] > domains.loc["beta", "alignment"]


def test_identical_profiles_align_perfectly():
    profile = np.array([0.2, 0.5, 0.3])
    assert js_similarity(profile, profile) == pytest.approx(1.0)
    cells = np.array([[[0.5, 0.5, 0.0], [0.5, 0.5, 0.0]]])
    assert complementarity(cells, np.array([[True, True]]), 0.05)[0] == 0.0


def corpus_strategy():
    label = st.builds(
        passage,
        domain=st.sets(st.sampled_from(["alpha", "beta", "gamma"]), max_size=2),
        approach=st.sets(st.sampled_from(APPROACHES), max_size=2),
        principle=st.sets(st.sampled_from(PRINCIPLES), max_size=2),
        security=st.booleans(),
        cooperation=st.booleans(),
    )
    document = st.tuples(st.integers(0, 3), st.lists(label, min_size=3, max_size=12))
    return st.lists(document, min_size=4, max_size=10).map(
        lambda docs: [
            {"id": f"d{k}", "institution": f"inst{i}", "passages": p}
            for k, (i, p) in enumerate(docs)
        ]
    )


PROPERTY = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def domains_of(documents, analysis_settings=FAST):
    table = analyse_coded(build(documents), analysis_settings, "s")["domains"]
    return table.set_index("domain").sort_index()


POINT = [
    "rank",
    "opportunity",
    "breadth",
    "alignment",
    "complementarity",
    "cooperation",
    "security",
    "passages",
]


@given(corpus_strategy(), st.randoms(use_true_random=False))
@PROPERTY
def test_shuffling_documents_changes_nothing(documents, rnd):
    shuffled = list(documents)
    rnd.shuffle(shuffled)
    pd.testing.assert_frame_equal(domains_of(documents)[POINT], domains_of(shuffled)[POINT])


@given(corpus_strategy())
@PROPERTY
def test_relabelling_institutions_changes_nothing(documents):
    renamed = [{**d, "institution": "z-" + d["institution"][::-1]} for d in documents]
    pd.testing.assert_frame_equal(domains_of(documents)[POINT], domains_of(renamed)[POINT])


@given(corpus_strategy())
@PROPERTY
def test_intervals_contain_point_estimates_and_pairs_are_symmetric(documents):
    result = analyse_coded(build(documents), FAST, "s")
    table = result["domains"]
    for name in (
        "opportunity",
        "alignment",
        "complementarity",
        "cooperation",
        "security",
        "breadth",
        "rank",
    ):
        low, high, point = table[f"{name}_low"], table[f"{name}_high"], table[name]
        known = point.notna() & low.notna()
        assert ((low[known] <= point[known] + 1e-9) & (point[known] <= high[known] + 1e-9)).all()
    coverage = result["coverage"].dropna(subset=["coverage_low"])
    assert (coverage["coverage_low"] <= coverage["coverage"] + 1e-9).all()
    pairs = result["alignment_pairs"]
    assert (pairs["institution_a"] < pairs["institution_b"]).all()
    assert pairs["similarity"].between(0, 1).all()


@given(corpus_strategy())
@PROPERTY
def test_an_institution_without_support_changes_nothing(documents):
    silent = {"id": "zz", "institution": "silent", "passages": [passage() for _ in range(5)]}
    before, after = domains_of(documents), domains_of([*documents, silent])
    pd.testing.assert_frame_equal(before[POINT], after[POINT])
