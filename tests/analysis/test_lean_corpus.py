"""The analysis does not hold a corpus's texts or its labels' evidence in memory: it loads
without them and reads what the few passages it cites need (evidence candidates, the chosen
passages, the discovery sample) on demand, with the same result as from everything loaded."""

from __future__ import annotations

from dataclasses import replace

import pytest

from accord.analysis.frames import load_coded_corpus, passage_texts
from accord.analysis.results import analyse_coded
from accord.config import load_settings
from accord.errors import AnalysisError
from fixtures.report_corpus import tiny_settings


def test_texts_stay_in_the_store_until_asked_for(analysed):
    store, _ = analysed
    whole = load_coded_corpus(store)
    lean = load_coded_corpus(store, lean=True)
    assert "text" in whole.passages.columns and "text" not in lean.passages.columns
    some = lean.passages.iloc[[5, 0, 3, 0]]  # any order, repeats
    expected = whole.passages.set_index("passage_id").loc[some["passage_id"], "text"].tolist()
    assert lean.with_text(some)["text"].tolist() == expected
    assert passage_texts(store, list(some["passage_id"])) == expected
    assert whole.with_text(whole.passages) is whole.passages  # already there: nothing read


def test_evidence_stays_in_the_store_until_asked_for(analysed):
    store, _ = analysed
    whole = load_coded_corpus(store)
    lean = load_coded_corpus(store, lean=True)
    assert "evidence" in whole.labels.columns and "evidence" not in lean.labels.columns
    some = lean.labels.iloc[::7]
    assert lean.with_cues(some)["evidence"].tolist() == whole.labels.iloc[::7]["evidence"].tolist()
    reviewed = replace(lean, reviewed=frozenset({tuple(some.iloc[0][["passage_id", "dimension"]])}))
    cues = reviewed.with_cues(some)["evidence"].tolist()
    assert cues[0] is None and cues[1:] == whole.labels.iloc[::7]["evidence"].tolist()[1:]


def test_the_analysis_is_the_same_from_a_lean_corpus(analysed):
    store, _ = analysed
    settings = tiny_settings().analysis
    digest = load_settings().digest()
    whole = analyse_coded(load_coded_corpus(store), settings, digest)
    lean = analyse_coded(load_coded_corpus(store, lean=True), settings, digest)
    assert whole.tables.keys() == lean.tables.keys()
    for name, table in whole.tables.items():
        assert table.equals(lean.tables[name]), name


def test_a_corpus_without_texts_or_a_reader_says_so(analysed):
    store, _ = analysed
    lean = load_coded_corpus(store, lean=True)
    detached = replace(lean, read_texts=None, read_cues=None)
    with pytest.raises(AnalysisError, match="without its passage texts"):
        detached.with_text(detached.passages)
    with pytest.raises(AnalysisError, match="without its labels' evidence"):
        detached.with_cues(detached.labels)
