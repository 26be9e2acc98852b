"""The store: schema versions, round trips of any text, search with filters."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import accord
from accord.errors import SchemaTooNew, StoreNotFound
from accord.ingestion.segment import segment
from accord.model.corpus import Document, Institution
from accord.store.corpus_store import open_store
from accord.store.migrations import SCHEMA_VERSION


def test_new_store_has_schema_version_and_wal(tmp_path):
    store = open_store(tmp_path / "s.db")
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert "0 documents" in repr(store)


def test_store_from_newer_accord_is_refused(tmp_path):
    path = tmp_path / "new.db"
    open_store(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(SchemaTooNew, match="newer Accord"):
        open_store(path)


def test_version_3_store_is_upgraded_keeping_its_codes(tmp_path):
    path = tmp_path / "v3.db"
    open_store(path).close()
    db = sqlite3.connect(path)
    db.executescript(  # a version 3 store had neither the views nor the analysis catalog
        """DROP VIEW labels_with_passages; DROP VIEW passages_with_documents;
        DROP VIEW documents_with_institutions; DROP TABLE analysis_catalog;
        DROP TABLE assignments;
        CREATE TABLE assignments (passage_id TEXT NOT NULL, codebook_digest TEXT NOT NULL,
            coder TEXT NOT NULL, dimension TEXT NOT NULL, category TEXT NOT NULL,
            score REAL NOT NULL, method TEXT NOT NULL, evidence TEXT NOT NULL,
            PRIMARY KEY (passage_id, codebook_digest, coder, dimension, category));
        INSERT INTO assignments VALUES ('p1', 'cb', 'rules.v1', 'domain', 'health', 1, 'rules',
            '[[0, 9, "hospital*"]]');
        PRAGMA user_version=3;"""
    )
    db.close()
    store = open_store(path)
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    rows = store.db.execute("SELECT passage_id, category, evidence FROM assignments").fetchall()
    assert [tuple(r) for r in rows] == [("p1", "health", '[[0, 9, "hospital*"]]')]
    key = [r["name"] for r in store.db.execute("PRAGMA table_info(assignments)") if r["pk"]]
    order = {r["name"]: r["pk"] for r in store.db.execute("PRAGMA table_info(assignments)")}
    assert sorted(key, key=order.get)[:3] == ["codebook_digest", "coder", "passage_id"]


def test_version_4_store_is_upgraded_and_its_stuck_runs_shown_interrupted(tmp_path):
    path = tmp_path / "v4.db"
    open_store(path).close()
    db = sqlite3.connect(path)
    db.executescript(
        """ALTER TABLE runs DROP COLUMN pid; ALTER TABLE runs DROP COLUMN host;
        ALTER TABLE documents DROP COLUMN encoding;
        INSERT INTO runs(id, stage, started_at, status, accord_version)
            VALUES ('ingest-old', 'ingest', '2026-01-01T00:00:00+00:00', 'running', '0.9');
        PRAGMA user_version=4;"""
    )
    db.close()
    store = open_store(path)
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert {"pid", "host"} <= {r["name"] for r in store.db.execute("PRAGMA table_info(runs)")}
    assert "encoding" in {r["name"] for r in store.db.execute("PRAGMA table_info(documents)")}
    # Written before runs held a lock or recorded their process: it cannot still be running.
    assert [r["id"] for r in accord.info(store)["interrupted_runs"]] == ["ingest-old"]


def test_missing_store_is_reported_when_not_creating(tmp_path):
    with pytest.raises(StoreNotFound, match="No store at"):
        open_store(tmp_path / "absent.db", create=False)


@given(st.text(min_size=1, max_size=300))
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_unicode_text_round_trips(tmp_path_factory, text):
    store = open_store(":memory:")
    store.upsert_institution(Institution("x", "X", "other"))
    _, pages, passages = segment([text], "d-1")
    document = Document("d-1", "k", "x", "X", "T", 2020, None, None, "src", "txt", "sha")
    store.add_document(
        document,
        pages,
        passages,
        languages={},
        is_mixed_language=False,
        detected_language=None,
        shingles=None,
        cleaning={},
        run_id="r",
    )
    assert store.passages_of("d-1") == passages
    assert [p.text for p in store.pages_of("d-1")] == [text]


def test_search_ranks_and_filters(store, tiny_corpus):
    accord.ingest(store, tiny_corpus)
    hits = accord.search(store, "autonomous weapon")
    assert hits and "autonomous" in hits[0].snippet
    weapons = [h for h in hits if h.title == "Weapons debate"]
    assert weapons[0].citation == "United Nations General Assembly, “Weapons debate” (2024), p. 1"
    assert accord.search(store, "teachers", family="UN system", years="2023")
    assert not accord.search(store, "teachers", years="2024-")
    assert all(
        h.institution_id == "unesco" for h in accord.search(store, "farmers", organisation="unesco")
    )
    assert accord.search(store, "teachers", document_type="guidance")[0].document_type == "guidance"
    # Punctuation that is FTS5 syntax is treated as text, not an error.
    assert accord.search(store, 'data-centres "energy" AND (water)') is not None


def test_version_6_store_is_upgraded_and_indexes_new_passages_once(tmp_path, tiny_corpus):
    """Version 6 indexed passages by a trigger per row; the store now writes the index itself,
    so the upgrade drops the trigger (else each new passage would be indexed twice)."""
    path = tmp_path / "v6.db"
    open_store(path).close()
    db = sqlite3.connect(path)
    db.executescript(
        """CREATE TRIGGER passages_after_insert AFTER INSERT ON passages BEGIN
            INSERT INTO passages_fts(rowid, text) VALUES (new.rowid, new.text);
        END;
        PRAGMA user_version=6;"""
    )
    db.close()
    store = open_store(path)
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    triggers = {
        r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type='trigger'")
    }
    assert "passages_after_insert" not in triggers
    accord.ingest(store, tiny_corpus)
    n_passages = store.db.execute("SELECT count(*) FROM passages").fetchone()[0]
    indexed = store.db.execute("SELECT count(*) FROM passages_fts_docsize").fetchone()[0]
    assert n_passages == indexed > 0
    # FTS5 raises if the index and the passages it indexes disagree.
    store.db.execute("INSERT INTO passages_fts(passages_fts, rank) VALUES ('integrity-check', 1)")
    assert accord.search(store, "hospital")
