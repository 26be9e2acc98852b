"""The whole pipeline on ../shared/corpus: code, analyse, and check what the tables promise."""

from __future__ import annotations

import pandas as pd
import pytest

import accord
from accord.config import load_settings
from accord.store.corpus_store import open_store

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def analysed(shared_corpus, tmp_path_factory):
    store = open_store(tmp_path_factory.mktemp("analysis") / "shared.db")
    accord.ingest(store, shared_corpus / "texts", manifest=shared_corpus / "manifest.csv")
    accord.code(store, coder="rules")
    settings = load_settings(analysis={"bootstrap_resamples": 200, "weight_draws": 200})
    return store, settings, accord.analyse(store, settings=settings)


def test_ranking_has_intervals_and_reasons(analysed):
    _, _, result = analysed
    domains = result["domains"]
    assert len(domains) == 16
    ranked = domains[domains["ranked"]]
    assert len(ranked) >= 8
    assert sorted(ranked["rank"]) == list(range(1, len(ranked) + 1))
    for name in ("opportunity", "alignment", "complementarity", "security", "cooperation"):
        assert (ranked[f"{name}_low"] <= ranked[name] + 1e-9).all()
        assert (ranked[name] <= ranked[f"{name}_high"] + 1e-9).all()
    assert (domains.loc[~domains["ranked"], "reason"] != "").all()
    # Defence is the most security-sensitive domain of this corpus by construction of its sources.
    assert (
        domains.set_index("domain").loc["defence_military", "security"] == domains["security"].max()
    )


def test_every_evidence_passage_is_in_the_store(analysed):
    store, _, result = analysed
    evidence = result["evidence"]
    assert not evidence.empty
    for passage_id in evidence["passage_id"].unique():
        assert store.passage(passage_id) is not None


def test_same_inputs_same_tables(analysed):
    store, settings, result = analysed
    again = accord.analyse(store, settings=settings.model_copy())
    from accord.analysis.pipeline import analyse_store

    fresh = analyse_store(store, settings, reuse=False)
    for name, table in result.tables.items():
        pd.testing.assert_frame_equal(
            table.reset_index(drop=True),
            fresh.tables[name].reset_index(drop=True),
            check_dtype=False,
        )
    assert again.stamp == result.stamp


def test_institutions_with_little_text_are_reported(analysed):
    _, _, result = analysed
    institutions = result["institutions"]
    thin = institutions[institutions["supported_domains"] == 0]
    assert (thin["status"] != "").all()
