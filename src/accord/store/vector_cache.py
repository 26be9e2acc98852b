"""Passage vectors cached per user, shared by every store and run on the machine.

One SQLite file in the user's cache folder (``ACCORD_CACHE_DIR`` or ``~/.cache/accord``), keyed
by model id and passage text hash: a second store of the same texts, or a worker process of a
cluster on the same machine, reuses the vectors instead of encoding them again. WAL mode and a
busy timeout let several processes read and write it at once; every write is one short
transaction, and vectors are deterministic, so two writers of the same key write the same bytes.
A size cap is kept by dropping the least recently used vectors.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from accord.config import cache_dir
from accord.errors import StoreError
from accord.store.chunked import rows_for_ids

FILE_NAME = "vectors.sqlite"
BUSY_TIMEOUT_S = 60
TOUCH_AFTER_S = 3600  # a read refreshes a vector's last use at most once an hour
EVICT_TO = 0.9  # over the cap, drop least recently used vectors down to this share of it
EVICT_BATCH = 2000

SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    model_id TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    vector BLOB NOT NULL,
    sentence_spans BLOB NOT NULL,
    sentence_vectors BLOB NOT NULL,
    used_at INTEGER NOT NULL,
    PRIMARY KEY (model_id, text_hash)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS vectors_used_at ON vectors(used_at);
"""

Entry = tuple[np.ndarray, tuple[tuple[int, int], ...], np.ndarray]  # vector, spans, sentences


def cache_path() -> Path:
    return cache_dir() / FILE_NAME


@dataclass(frozen=True, slots=True)
class CacheInfo:
    path: str
    n_vectors: int
    models: dict[str, int]  # model id -> vectors
    used_mb: float  # pages holding data (the file may be larger: freed pages are reused)
    file_mb: float
    max_mb: float


class VectorFile:
    """The cache file, opened on first use. ``max_mb`` = 0 turns caching off."""

    def __init__(self, path: str | Path | None = None, max_mb: float = 2048.0):
        self.path = Path(path) if path is not None else cache_path()
        self.max_mb = max_mb
        self._db: sqlite3.Connection | None = None

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = self._open()
        return self._db

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(SCHEMA)
        except (OSError, sqlite3.DatabaseError) as exc:
            raise StoreError(
                f"Cannot use the vector cache {self.path} ({exc}).",
                hint="Set ACCORD_CACHE_DIR to a folder you can write, or run `accord cache clear`.",
            ) from exc
        return db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def get(self, model_id: str, keys: Sequence[str]) -> dict[str, Entry]:
        """Cached vectors of these text hashes (those not cached are left out)."""
        if not self.max_mb or not keys:
            return {}
        found: dict[str, Entry] = {}
        now = int(time.time())
        sql = (
            "SELECT text_hash, vector, sentence_spans, sentence_vectors, used_at FROM vectors"
            " WHERE model_id=? AND text_hash IN ({ids})"
        )
        rows = list(rows_for_ids(self.db, sql, keys, (model_id,)))
        stale = [(now, model_id, r[0]) for r in rows if r[4] < now - TOUCH_AFTER_S]
        if stale:
            self._write("UPDATE vectors SET used_at=? WHERE model_id=? AND text_hash=?", stale)
        for key, vector, spans, sentences, _ in rows:
            found[key] = _decode(vector, spans, sentences)
        return found

    def put(self, model_id: str, items: dict[str, Entry]) -> None:
        """Cache vectors (a key cached already keeps its bytes: they are the same)."""
        if not self.max_mb or not items:
            return
        now = int(time.time())
        self._write(
            "INSERT OR IGNORE INTO vectors(model_id, text_hash, vector, sentence_spans,"
            " sentence_vectors, used_at) VALUES (?,?,?,?,?,?)",
            [(model_id, key, *_encode(entry), now) for key, entry in items.items()],
        )
        if self.used_mb() > self.max_mb:
            self.evict(self.max_mb * EVICT_TO)

    def _write(self, sql: str, rows: list[tuple]) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.executemany(sql, rows)
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def used_mb(self) -> float:
        pages, free, size = (
            self.db.execute(f"PRAGMA {name}").fetchone()[0]
            for name in ("page_count", "freelist_count", "page_size")
        )
        return (pages - free) * size / 1048576

    def evict(self, target_mb: float) -> int:
        """Drop least recently used vectors until the data fits in ``target_mb``."""
        dropped = 0
        while (used := self.used_mb()) > target_mb:
            rows = self.db.execute("SELECT count(*) FROM vectors").fetchone()[0]
            # The share of rows that holds the excess, at the average size of a row.
            excess = min(EVICT_BATCH, max(1, int(rows * (used - target_mb) / used) + 1))
            self.db.execute("BEGIN IMMEDIATE")
            cursor = self.db.execute(
                "DELETE FROM vectors WHERE (model_id, text_hash) IN (SELECT model_id, text_hash"
                " FROM vectors ORDER BY used_at, model_id, text_hash LIMIT ?)",
                (excess,),
            )
            self.db.execute("COMMIT")
            if cursor.rowcount <= 0:
                break
            dropped += cursor.rowcount
        return dropped

    def info(self) -> CacheInfo:
        if self._db is None and not self.path.exists():  # looking does not create it
            return CacheInfo(str(self.path), 0, {}, 0.0, 0.0, self.max_mb)
        models = dict(
            self.db.execute("SELECT model_id, count(*) FROM vectors GROUP BY 1 ORDER BY 1")
        )
        file_mb = self.path.stat().st_size / 1048576 if self.path.exists() else 0.0
        return CacheInfo(
            str(self.path),
            sum(models.values()),
            models,
            round(self.used_mb(), 2),
            round(file_mb, 2),
            self.max_mb,
        )

    def clear(self) -> int:
        """Drop every vector and give the space back; returns how many were dropped."""
        self.db.execute("BEGIN IMMEDIATE")
        n = self.db.execute("DELETE FROM vectors").rowcount
        self.db.execute("COMMIT")
        self.db.execute("VACUUM")
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return n


def _encode(entry: Entry) -> tuple[bytes, bytes, bytes]:
    vector, spans, sentences = entry
    return (
        np.asarray(vector, np.float16).tobytes(),
        np.asarray(spans, np.int32).reshape(-1, 2).tobytes(),
        np.asarray(sentences, np.float16).tobytes(),
    )


def _decode(vector: bytes, spans: bytes, sentences: bytes) -> Entry:
    vec = np.frombuffer(vector, dtype=np.float16).astype(np.float32)
    span_array = np.frombuffer(spans, dtype=np.int32).reshape(-1, 2)
    sent = np.frombuffer(sentences, dtype=np.float16).astype(np.float32)
    return vec, tuple(map(tuple, span_array.tolist())), sent.reshape(-1, len(vec))
