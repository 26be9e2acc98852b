"""Ingest of ../shared/corpus: every manifest row lands, from texts and from PDFs."""

from __future__ import annotations

import csv
import json

import pytest

import accord
from accord.store.corpus_store import open_store

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def manifest_rows(shared_corpus):
    return list(csv.DictReader((shared_corpus / "manifest.csv").open(encoding="utf-8")))


@pytest.fixture(scope="module")
def texts_store(shared_corpus, tmp_path_factory):
    store = open_store(tmp_path_factory.mktemp("texts") / "texts.db")
    report = accord.ingest(store, shared_corpus / "texts", manifest=shared_corpus / "manifest.csv")
    return store, report


def test_every_row_from_texts(texts_store, manifest_rows):
    store, report = texts_store
    assert not report.skipped
    keys = {r["key"] for r in store.current_documents()}
    assert keys == {row["id"] for row in manifest_rows}


def test_word_counts_match_the_manifest(texts_store, manifest_rows):
    """Passage words plus what cleaning removed (headers, page numbers) and mended (hyphenated
    line ends) account for the source text: within 3 % of the manifest's n_words."""
    store, _ = texts_store
    expected = {row["id"]: int(row["n_words"]) for row in manifest_rows}
    total_passage_words = 0
    for doc in store.current_documents():
        cleaning = json.loads(doc["cleaning"])
        accounted = doc["n_words"] + cleaning["n_words_removed"] + cleaning["n_hyphen_joins"]
        assert abs(accounted - expected[doc["key"]]) <= 0.03 * expected[doc["key"]], doc["key"]
        total_passage_words += doc["n_words"]
    assert abs(total_passage_words - sum(expected.values())) <= 0.03 * sum(expected.values())


def test_near_duplicate_editions_flagged(texts_store):
    store, _ = texts_store
    pairs = accord.info(store)["near_duplicates"]
    titles = {frozenset((p["title_a"][:40], p["title_b"][:40])) for p in pairs}
    oecd = [
        p
        for p in pairs
        if "Recommendation of the Council on Artificial" in p["title_a"]
        and "Recommendation of the Council on Artificial" in p["title_b"]
    ]
    assert oecd and oecd[0]["containment"] > 0.5, titles


def test_every_row_from_pdfs(shared_corpus, manifest_rows, tmp_path):
    store = open_store(tmp_path / "pdfs.db")
    report = accord.ingest(
        store,
        shared_corpus / "originals",
        manifest=shared_corpus / "manifest.csv",
        path_column="original_path",
    )
    assert not report.skipped
    docs = {r["key"]: r for r in store.current_documents()}
    assert set(docs) == {row["id"] for row in manifest_rows}
    for row in manifest_rows:
        assert docs[row["id"]]["format"] == ("pdf" if row["original_path"] else "txt")
        if row["original_path"]:
            assert docs[row["id"]]["n_pages"] > 1 or int(row["n_words"]) < 1500
