"""CorpusStore: the one place that reads and writes the SQLite store."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from accord._version import __version__
from accord.errors import StoreError, StoreNotFound
from accord.model.corpus import Document, Institution, Page, Passage
from accord.model.provenance import Skipped, digest_corpus
from accord.store.migrations import SCHEMA_VERSION, migrate, new_store_script
from accord.store.runs import HOST, WriterLock, holder_description, mark_interrupted

BUSY_TIMEOUT_MS = 30_000

logger = logging.getLogger(__name__)


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def open_store(
    path: str | Path = "accord.db", *, create: bool = True, read_only: bool = False
) -> CorpusStore:
    """Open (and, by default, create) the store at ``path``; ``read_only`` refuses every write.

    Example:
        >>> store = open_store(":memory:")
        >>> store.count_documents()
        0
    """
    return CorpusStore(path, create=create and not read_only, read_only=read_only)


class CorpusStore:
    """A SQLite file in WAL mode holding the corpus and everything derived from it."""

    def __init__(self, path: str | Path, *, create: bool = True, read_only: bool = False):
        self.path = str(path)
        self.read_only = read_only
        self.open_runs: list[str] = []  # runs this object started and has not finished
        self._writer = WriterLock(self.path) if self.path != ":memory:" else None
        if self.path != ":memory:" and not Path(self.path).exists():
            if not create or read_only:
                raise StoreNotFound(
                    f"No store at {self.path}.",
                    hint="Run `accord ingest CORPUS` first, or pass --store PATH.",
                )
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            if read_only:
                self.db = _connect_read_only(self.path)
                self._check_schema_readable()
                return
            self.db = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
            )
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            # 64 MiB of page cache instead of 2: coding writes index entries all over the
            # assignments table, and re-reading evicted pages dominated its write time.
            self.db.execute("PRAGMA cache_size=-65536")
            self._ensure_schema()
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{self.path} is not an Accord store ({exc}).",
                hint="Pass --store with a new file name, or delete the file.",
            ) from exc

    def _ensure_schema(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:
            schema = new_store_script()
            # One script, one transaction: a new store is created whole or not at all.
            self.db.executescript(
                f"BEGIN;\n{schema}\nPRAGMA user_version={SCHEMA_VERSION};\nCOMMIT;"
            )
        else:
            migrate(self.db, version, self.path)

    def _check_schema_readable(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version != SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has schema {version}; this Accord reads schema {SCHEMA_VERSION}"
                " and cannot upgrade a store opened read-only.",
                hint="Run `accord info` on it once (that upgrades it), then try again.",
            )

    def __repr__(self) -> str:
        row = self.db.execute(
            "SELECT (SELECT count(*) FROM documents WHERE is_current=1),"
            " (SELECT count(DISTINCT institution_id) FROM documents WHERE is_current=1),"
            " (SELECT count(*) FROM passages p JOIN documents d ON d.id=p.document_id"
            "  WHERE d.is_current=1)"
        ).fetchone()
        return (
            f"CorpusStore({self.path!r}: {row[0]} documents, {row[1]} institutions, "
            f"{row[2]:,} passages)"
        )

    def close(self) -> None:
        self.abandon_runs("interrupted", "the store was closed before the run finished")
        self.db.close()

    def __enter__(self) -> CorpusStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit of work: all of it lands, or none of it does."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")

    # -- runs -------------------------------------------------------------------------------

    def start_run(self, stage: str, command: str | None = None) -> str:
        """Record a pipeline run, holding the store's writer lock until it finishes (a second
        writer waits, saying so once); runs left ``running`` by killed processes become
        ``interrupted``."""
        if self._writer is not None:
            self._writer.acquire(lambda: holder_description(self.db))
        try:
            interrupted = mark_interrupted(self.db, utc_now())
            run_id = f"{stage}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
            self.db.execute(
                "INSERT INTO runs(id, stage, command, started_at, status, accord_version, pid,"
                " host) VALUES (?, ?, ?, ?, 'running', ?, ?, ?)",
                (run_id, stage, command, utc_now(), __version__, os.getpid(), HOST),
            )
        except BaseException:
            if self._writer is not None:
                self._writer.release()
            raise
        self.open_runs.append(run_id)
        if interrupted:
            logger.info("Runs interrupted before they finished: %s", ", ".join(interrupted))
        return run_id

    def finish_run(self, run_id: str, stats: dict[str, Any], status: str = "completed") -> None:
        self.db.execute(
            "UPDATE runs SET finished_at=?, status=?, stats=? WHERE id=?",
            (utc_now(), status, json.dumps(stats, sort_keys=True), run_id),
        )
        if run_id in self.open_runs:
            self.open_runs.remove(run_id)
            if self._writer is not None:
                self._writer.release()

    def abandon_runs(self, status: str, error: str, keep: set[str] | frozenset[str] = frozenset()):
        """Finish, as failed or interrupted, the runs this object started and did not finish
        (except ``keep``), releasing the writer lock they hold."""
        for run_id in [r for r in self.open_runs if r not in keep]:
            try:
                self.finish_run(run_id, {"error": error}, status)
            except sqlite3.Error:  # the connection is unusable: the next writer marks the row
                self.open_runs.remove(run_id)
                if self._writer is not None:
                    self._writer.release()

    # -- institutions and documents ---------------------------------------------------------

    def upsert_institution(self, institution: Institution) -> None:
        self.db.execute(
            "INSERT INTO institutions(id, name, family, is_known) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(id) DO UPDATE SET name=excluded.name, family=excluded.family,"
            " is_known=excluded.is_known",
            (institution.id, institution.name, institution.family, int(institution.is_known)),
        )

    def document_by_sha(self, sha256: str) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM documents WHERE sha256=?", (sha256,)).fetchone()

    def add_document(
        self,
        document: Document,
        pages: Sequence[Page],
        passages: Sequence[Passage],
        *,
        languages: dict[str, float],
        is_mixed_language: bool,
        detected_language: str | None,
        shingles: bytes | None,
        cleaning: dict[str, int],
        run_id: str,
        encoding: str | None = None,
    ) -> int:
        """Store a document with its pages and passages in one transaction.

        A document whose key already exists becomes its next version; the older versions stay
        in the store but are no longer current. Returns the version number.
        """
        with self.transaction() as db:
            self._require_institution(document.institution_id)
            previous = db.execute(
                "SELECT max(version) FROM documents WHERE key=?", (document.key,)
            ).fetchone()[0]
            version = (previous or 0) + 1
            db.execute("UPDATE documents SET is_current=0 WHERE key=?", (document.key,))
            flags = list(document.flags) + (["new-version"] if previous else [])
            db.execute(
                "INSERT INTO documents(id, key, version, is_current, institution_id, organisation,"
                " title, year, document_type, language, detected_language, is_mixed_language,"
                " languages, source, url, format, sha256, n_pages, n_passages, n_words, cleaning,"
                " flags, meta, shingles, run_id, ingested_at, encoding)"
                " VALUES (?,?,?,1,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    document.id,
                    document.key,
                    version,
                    document.institution_id,
                    document.organisation,
                    document.title,
                    document.year,
                    document.document_type,
                    document.language or detected_language,
                    detected_language,
                    int(is_mixed_language),
                    json.dumps(languages, sort_keys=True),
                    document.source,
                    document.url,
                    document.format,
                    document.sha256,
                    len(pages),
                    len(passages),
                    sum(p.n_words for p in passages),
                    json.dumps(cleaning, sort_keys=True),
                    json.dumps(sorted(set(flags))),
                    json.dumps(dict(document.meta), sort_keys=True, ensure_ascii=False),
                    shingles,
                    run_id,
                    utc_now(),
                    encoding,
                ),
            )
            db.executemany(
                "INSERT INTO pages(document_id, number, char_start, text) VALUES (?,?,?,?)",
                [(document.id, p.number, p.char_start, p.text) for p in pages],
            )
            db.executemany(
                "INSERT INTO passages(id, document_id, ordinal, page_start, page_end, char_start,"
                " char_end, n_words, text_hash, text) VALUES (?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        p.id,
                        p.document_id,
                        p.ordinal,
                        p.page_start,
                        p.page_end,
                        p.char_start,
                        p.char_end,
                        p.n_words,
                        passage_hash(p.text),
                        p.text,
                    )
                    for p in passages
                ],
            )
            db.execute(  # the search index, in one pass over the document's passages
                "INSERT INTO passages_fts(rowid, text)"
                " SELECT rowid, text FROM passages WHERE document_id = ?",
                (document.id,),
            )
            db.execute("DELETE FROM skipped WHERE source=? AND stage='ingest'", (document.source,))
        return version

    def _require_institution(self, institution_id: str) -> None:
        exists = self.db.execute("SELECT 1 FROM institutions WHERE id=?", (institution_id,))
        if exists.fetchone() is None:
            raise StoreError(f"Institution '{institution_id}' must be stored before its documents.")

    def refresh_document(self, document: Document) -> bool:
        """Update an unchanged file's metadata and current flag; True if anything changed."""
        row = self.document_by_sha(document.sha256)
        if row is None:
            raise StoreError(f"No stored document with sha256 {document.sha256}.")
        wanted = {
            "key": document.key,
            "institution_id": document.institution_id,
            "organisation": document.organisation,
            "title": document.title,
            "year": document.year,
            "document_type": document.document_type,
            "source": document.source,
            "url": document.url,
            "meta": json.dumps(dict(document.meta), sort_keys=True, ensure_ascii=False),
            "is_current": 1,
        }
        if document.language:
            wanted["language"] = document.language
        changed = {k: v for k, v in wanted.items() if row[k] != v}
        if not changed:
            return False
        with self.transaction() as db:
            if "key" in changed or "is_current" in changed:
                db.execute(
                    "UPDATE documents SET is_current=0 WHERE key=? AND id<>?",
                    (document.key, row["id"]),
                )
            assignments = ", ".join(f"{k}=?" for k in changed)
            db.execute(
                f"UPDATE documents SET {assignments} WHERE id=?", (*changed.values(), row["id"])
            )
            db.execute("DELETE FROM skipped WHERE source=? AND stage='ingest'", (document.source,))
        return True

    def current_documents(self) -> list[sqlite3.Row]:
        return self.db.execute(
            "SELECT d.*, i.name AS institution_name, i.family AS family"
            " FROM documents d JOIN institutions i ON i.id=d.institution_id"
            " WHERE d.is_current=1 ORDER BY d.key"
        ).fetchall()

    def count_documents(self) -> int:
        return self.db.execute("SELECT count(*) FROM documents WHERE is_current=1").fetchone()[0]

    def corpus_digest(self) -> str:
        rows = self.db.execute("SELECT sha256 FROM documents WHERE is_current=1").fetchall()
        return digest_corpus([r[0] for r in rows])

    def document_shingles(self) -> list[tuple[str, bytes]]:
        return [
            (r[0], r[1])
            for r in self.db.execute(
                "SELECT id, shingles FROM documents WHERE is_current=1 AND shingles IS NOT NULL"
                " ORDER BY id"
            )
        ]

    def replace_near_duplicates(self, pairs: Sequence[tuple[str, str, float, float]]) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM near_duplicates")
            db.executemany(
                "INSERT INTO near_duplicates(document_a, document_b, containment, jaccard)"
                " VALUES (?,?,?,?)",
                pairs,
            )

    # -- passages ---------------------------------------------------------------------------

    def iter_passages(self, *, current_only: bool = True) -> Iterator[Passage]:
        query = (
            "SELECT p.* FROM passages p JOIN documents d ON d.id=p.document_id"
            + (" WHERE d.is_current=1" if current_only else "")
            + " ORDER BY p.document_id, p.ordinal"
        )
        for row in self.db.execute(query):
            yield _passage(row)

    def passages_of(self, document_id: str) -> list[Passage]:
        rows = self.db.execute(
            "SELECT * FROM passages WHERE document_id=? ORDER BY ordinal", (document_id,)
        )
        return [_passage(r) for r in rows]

    def pages_of(self, document_id: str) -> list[Page]:
        rows = self.db.execute(
            "SELECT number, text, char_start FROM pages WHERE document_id=? ORDER BY number",
            (document_id,),
        )
        return [Page(r["number"], r["text"], r["char_start"]) for r in rows]

    def passage(self, passage_id: str) -> Passage | None:
        row = self.db.execute("SELECT * FROM passages WHERE id=?", (passage_id,)).fetchone()
        return _passage(row) if row else None

    # -- skipped inputs ---------------------------------------------------------------------

    def record_skipped(self, skipped: Skipped, run_id: str | None) -> None:
        self.db.execute(
            "INSERT INTO skipped(source, stage, reason, message, row, run_id, recorded_at)"
            " VALUES (?,?,?,?,?,?,?) ON CONFLICT(source, stage) DO UPDATE SET"
            " reason=excluded.reason, message=excluded.message, row=excluded.row,"
            " run_id=excluded.run_id, recorded_at=excluded.recorded_at",
            (
                skipped.source,
                skipped.stage,
                skipped.reason,
                skipped.message,
                skipped.row,
                run_id,
                utc_now(),
            ),
        )

    def skipped(self, stage: str | None = None) -> list[Skipped]:
        query = "SELECT * FROM skipped" + (" WHERE stage=?" if stage else "")
        rows = self.db.execute(query + " ORDER BY stage, source", (stage,) if stage else ())
        return [Skipped(r["source"], r["stage"], r["reason"], r["message"], r["row"]) for r in rows]


def _connect_read_only(path: str) -> sqlite3.Connection:
    """SQLite's own read-only mode: any write through this connection fails."""
    uri = f"{Path(path).resolve().as_uri()}?mode=ro"
    db = sqlite3.connect(
        uri,
        uri=True,
        timeout=BUSY_TIMEOUT_MS / 1000,
        isolation_level=None,
        check_same_thread=False,
    )
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA query_only=ON")
    return db


def passage_hash(text: str) -> str:
    """Content hash of a passage's text: the key of cached embeddings and codes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _passage(row: sqlite3.Row) -> Passage:
    return Passage(
        id=row["id"],
        document_id=row["document_id"],
        ordinal=row["ordinal"],
        page_start=row["page_start"],
        page_end=row["page_end"],
        char_start=row["char_start"],
        char_end=row["char_end"],
        text=row["text"],
    )
