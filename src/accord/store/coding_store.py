"""Coding results in the store: codebooks, which passages are coded, and assignments (passage
vectors are cached per user instead: ``store.vector_cache``)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from accord.model.coding import CodingUnit, UnitCoding
from accord.store.corpus_store import CorpusStore, utc_now


@dataclass(frozen=True, slots=True)
class PendingUnit:
    unit: CodingUnit
    text_hash: str
    is_reusable: bool = False  # coded before, same text, with the earlier codebook asked about


def save_codebook(store: CorpusStore, digest: str, name: str, version: str, yaml_text: str) -> None:
    store.db.execute(
        "INSERT OR IGNORE INTO codebooks(digest, name, version, yaml, added_at) VALUES (?,?,?,?,?)",
        (digest, name, version, yaml_text, utc_now()),
    )


def codebook_yaml(store: CorpusStore, digest: str) -> str | None:
    row = store.db.execute("SELECT yaml FROM codebooks WHERE digest=?", (digest,)).fetchone()
    return row[0] if row else None


_PENDING = """
    FROM passages p JOIN documents d ON d.id = p.document_id
    LEFT JOIN coded_passages c ON c.passage_id = p.id AND c.codebook_digest = ?
         AND c.coder = ? AND c.text_hash = p.text_hash
    WHERE d.is_current = 1 AND c.passage_id IS NULL"""


def count_pending(store: CorpusStore, codebook_digest: str, coder: str) -> int:
    """Current passages not yet coded by this coder with this codebook (or whose text changed)."""
    query = "SELECT count(*)" + _PENDING
    return store.db.execute(query, (codebook_digest, coder)).fetchone()[0]


def iter_pending(
    store: CorpusStore,
    codebook_digest: str,
    coder: str,
    page_size: int,
    earlier_digest: str | None = None,
) -> Iterator[list[PendingUnit]]:
    """The pending passages in reading order, ``page_size`` at a time: memory stays bounded
    however large the corpus. Each page is its own query, after the previous one is fully
    read, so coding results saved between pages never disturb the reading. A unit is
    reusable when the same text was coded with ``earlier_digest``."""
    query = (
        "SELECT p.id, p.text, p.text_hash, d.document_type, p.document_id, p.ordinal,"
        " o.text_hash IS p.text_hash"
        + _PENDING.replace(
            "WHERE",
            "LEFT JOIN coded_passages o ON o.passage_id = p.id AND o.codebook_digest = ?"
            " AND o.coder = ? WHERE",
        )
        + " AND (p.document_id, p.ordinal) > (?, ?) ORDER BY p.document_id, p.ordinal LIMIT ?"
    )
    after: tuple[str, int] = ("", -1)
    while True:
        rows = store.db.execute(
            query,
            (codebook_digest, coder, earlier_digest or "", coder, *after, page_size),
        ).fetchall()
        if not rows:
            return
        yield [PendingUnit(CodingUnit(r[0], r[1], r[3]), r[2], bool(r[6])) for r in rows]
        after = (rows[-1][4], rows[-1][5])


def coded_codebooks(store: CorpusStore, coder: str) -> list[tuple[str, str]]:
    """(digest, YAML) of the codebooks this coder has coded passages with, newest first."""
    rows = store.db.execute(
        """SELECT k.digest, k.yaml FROM codebooks k
           WHERE k.digest IN (SELECT DISTINCT codebook_digest FROM coded_passages WHERE coder = ?)
           ORDER BY k.added_at DESC, k.rowid DESC""",
        (coder,),
    )
    return [(digest, yaml_text) for digest, yaml_text in rows]


def coded_text_hashes(store: CorpusStore, codebook_digest: str, coder: str) -> dict[str, str]:
    """Passage id -> hash of the text that was coded, for one codebook and coder."""
    rows = store.db.execute(
        "SELECT passage_id, text_hash FROM coded_passages WHERE codebook_digest=? AND coder=?",
        (codebook_digest, coder),
    )
    return dict(rows)


def count_current_passages(store: CorpusStore) -> int:
    return store.db.execute(
        "SELECT count(*) FROM passages p JOIN documents d ON d.id=p.document_id"
        " WHERE d.is_current=1"
    ).fetchone()[0]


def assignment_rows(codings: Iterable[UnitCoding], codebook_digest: str, coder: str) -> list:
    """The ``assignments`` rows of some codings (built where the coding ran, so the writer
    only inserts them)."""
    return [
        (
            a.unit_id,
            codebook_digest,
            coder,
            a.dimension,
            a.category,
            a.score,
            a.method,
            json.dumps([[e.char_start, e.char_end, e.trigger] for e in a.evidence]),
        )
        for coding in codings
        for a in coding.assignments
    ]


def save_codings(
    store: CorpusStore,
    codebook_digest: str,
    coder: str,
    run_id: str,
    codings: Sequence[UnitCoding],
    text_hashes: Sequence[str],
    kept: tuple[str, Sequence[str]] | None = None,
) -> None:
    """Replace the stored coding of these passages, all in one transaction. ``kept``: (an
    earlier codebook's digest, dimensions) whose assignments are carried over unchanged."""
    save_rows(
        store,
        codebook_digest,
        coder,
        run_id,
        [c.unit_id for c in codings],
        text_hashes,
        assignment_rows(codings, codebook_digest, coder),
        kept,
    )


def save_rows(
    store: CorpusStore,
    codebook_digest: str,
    coder: str,
    run_id: str,
    passage_ids: Sequence[str],
    text_hashes: Sequence[str],
    rows: Sequence[tuple],
    kept: tuple[str, Sequence[str]] | None = None,
) -> None:
    """``save_codings`` for codings already turned into rows (``assignment_rows``)."""
    with store.transaction() as db:
        db.executemany(
            "DELETE FROM assignments WHERE passage_id=? AND codebook_digest=? AND coder=?",
            [(p, codebook_digest, coder) for p in passage_ids],
        )
        if kept is not None:
            _copy_assignments(db, codebook_digest, coder, passage_ids, *kept)
        db.executemany(
            "INSERT INTO assignments(passage_id, codebook_digest, coder, dimension, category,"
            " score, method, evidence) VALUES (?,?,?,?,?,?,?,?)",
            rows,
        )
        db.executemany(
            "INSERT OR REPLACE INTO coded_passages(passage_id, codebook_digest, coder, text_hash,"
            " run_id) VALUES (?,?,?,?,?)",
            [
                (p, codebook_digest, coder, h, run_id)
                for p, h in zip(passage_ids, text_hashes, strict=True)
            ],
        )


def _copy_assignments(db, new_digest, coder, passage_ids, old_digest, dimensions) -> None:
    """One INSERT ... SELECT for the whole batch, through a temporary table of its ids."""
    if not dimensions:
        return
    db.execute("CREATE TEMP TABLE IF NOT EXISTS batch_passages(passage_id TEXT PRIMARY KEY)")
    db.execute("DELETE FROM batch_passages")
    db.executemany("INSERT INTO batch_passages VALUES (?)", [(p,) for p in passage_ids])
    marks = ",".join("?" * len(dimensions))
    db.execute(
        "INSERT INTO assignments(passage_id, codebook_digest, coder, dimension, category,"
        " score, method, evidence) SELECT a.passage_id, ?, a.coder, a.dimension, a.category,"
        # CROSS JOIN keeps this order: one key lookup per passage of the batch, not a scan of
        # every earlier assignment per batch.
        " a.score, a.method, a.evidence FROM batch_passages b CROSS JOIN assignments a"
        " ON a.passage_id = b.passage_id AND a.codebook_digest = ? AND a.coder = ?"
        f" WHERE a.dimension IN ({marks})",
        (new_digest, old_digest, coder, *dimensions),
    )


def label_counts(store: CorpusStore, codebook_digest: str, coder: str) -> dict[str, Counter]:
    """Passages per category among current passages."""
    rows = store.db.execute(
        """SELECT a.dimension, a.category, count(*) FROM assignments a
           JOIN passages p ON p.id = a.passage_id JOIN documents d ON d.id = p.document_id
           WHERE d.is_current = 1 AND a.codebook_digest = ? AND a.coder = ?
           GROUP BY a.dimension, a.category""",
        (codebook_digest, coder),
    )
    counts: dict[str, Counter] = {}
    for dimension, category, n in rows:
        counts.setdefault(dimension, Counter())[category] = n
    return counts


def assignment_records(store: CorpusStore, codebook_digest: str, coder: str) -> list[dict]:
    """Every assignment of current passages with its score, method and evidence spans
    (``[[start, end, trigger], ...]`` within the passage), ordered by passage."""
    rows = store.db.execute(
        """SELECT a.passage_id, a.dimension, a.category, a.score, a.method, a.evidence
           FROM assignments a JOIN passages p ON p.id = a.passage_id
           JOIN documents d ON d.id = p.document_id
           WHERE d.is_current = 1 AND a.codebook_digest = ? AND a.coder = ?
           ORDER BY a.passage_id, a.dimension, a.category""",
        (codebook_digest, coder),
    )
    return [
        {
            "passage_id": r[0],
            "dimension": r[1],
            "category": r[2],
            "score": r[3],
            "method": r[4],
            "evidence": json.loads(r[5]),
        }
        for r in rows
    ]


def latest_coding(store: CorpusStore) -> dict[str, Any] | None:
    """The codebook digest and coder of the most recent completed coding run."""
    row = store.db.execute(
        "SELECT id, stats FROM runs WHERE stage='code' AND status='completed'"
        " ORDER BY started_at DESC, rowid DESC LIMIT 1"
    ).fetchone()
    return {"run_id": row[0], **json.loads(row[1])} if row else None
