"""People's reviews of machine codes: appended in one short transaction each, never overwriting.

A review states the final set of categories a reviewer gives one passage on one dimension,
with the machine's set beside it, so confirm (same set), reject (fewer) and add (more) are all
one record. The latest review per passage, dimension and reviewer is that reviewer's verdict.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from accord.errors import StoreError
from accord.model.provenance import digest_json
from accord.store.corpus_store import CorpusStore, utc_now

MAX_REVIEWER_CHARS = 80
MAX_NOTE_CHARS = 2000


@dataclass(frozen=True)
class Review:
    passage_id: str
    dimension: str
    categories: tuple[str, ...]
    machine_categories: tuple[str, ...]
    reviewer: str
    created_at: str
    note: str = ""
    id: int = 0  # order of saving: later reviews have larger ids

    @property
    def verdict(self) -> str:
        """'confirm', 'reject', 'add' or 'change' (both rejected and added categories)."""
        kept, machine = set(self.categories), set(self.machine_categories)
        if kept == machine:
            return "confirm"
        if kept < machine:
            return "reject"
        if kept > machine:
            return "add"
        return "change"

    def as_dict(self) -> dict[str, Any]:
        return {
            "passage_id": self.passage_id,
            "dimension": self.dimension,
            "categories": list(self.categories),
            "machine_categories": list(self.machine_categories),
            "verdict": self.verdict,
            "reviewer": self.reviewer,
            "created_at": self.created_at,
            "note": self.note,
        }


def record_review(
    store: CorpusStore,
    passage_id: str,
    dimension: str,
    categories: list[str],
    *,
    reviewer: str,
    codebook_digest: str,
    coder: str,
    note: str = "",
) -> Review:
    """Append one review; the machine's labels of the coding are stored beside it.

    Raises:
        StoreError: unknown passage, empty reviewer name, or a read-only store.
    """
    reviewer = reviewer.strip()
    if not reviewer or len(reviewer) > MAX_REVIEWER_CHARS:
        raise StoreError(f"A reviewer name of 1 to {MAX_REVIEWER_CHARS} characters is needed.")
    if store.read_only:
        raise StoreError("This store is open read-only.", hint="Start `accord serve --review`.")
    row = store.db.execute("SELECT text_hash FROM passages WHERE id = ?", (passage_id,)).fetchone()
    if row is None:
        raise StoreError(f"No passage '{passage_id}' in the store.")
    machine = tuple(
        r[0]
        for r in store.db.execute(
            "SELECT category FROM assignments WHERE codebook_digest = ? AND coder = ?"
            " AND passage_id = ? AND dimension = ? ORDER BY category",
            (codebook_digest, coder, passage_id, dimension),
        )
    )
    review = Review(
        passage_id,
        dimension,
        tuple(sorted(set(categories))),
        machine,
        reviewer,
        utc_now(),
        note[:MAX_NOTE_CHARS],
    )
    with store.transaction() as db:
        cursor = db.execute(
            "INSERT INTO reviews(passage_id, text_hash, dimension, categories, machine_categories,"
            " codebook_digest, coder, reviewer, note, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                passage_id,
                row[0],
                dimension,
                json.dumps(list(review.categories)),
                json.dumps(list(machine)),
                codebook_digest,
                coder,
                reviewer,
                review.note,
                review.created_at,
            ),
        )
    return replace(review, id=int(cursor.lastrowid or 0))


def latest_reviews(
    store: CorpusStore, passage_id: str | None = None, reviewer: str | None = None
) -> list[Review]:
    """Each reviewer's latest review per passage and dimension (current text only)."""
    where, params = ["p.text_hash = r.text_hash"], []
    if passage_id is not None:
        where.append("r.passage_id = ?")
        params.append(passage_id)
    if reviewer is not None:
        where.append("r.reviewer = ?")
        params.append(reviewer)
    rows = store.db.execute(
        "SELECT r.* FROM reviews r JOIN passages p ON p.id = r.passage_id"
        f" WHERE {' AND '.join(where)} AND r.id = (SELECT max(id) FROM reviews x"
        "  WHERE x.passage_id = r.passage_id AND x.dimension = r.dimension"
        "  AND x.reviewer = r.reviewer)"
        " ORDER BY r.passage_id, r.dimension, r.reviewer",
        params,
    )
    return [
        Review(
            r["passage_id"],
            r["dimension"],
            tuple(json.loads(r["categories"])),
            tuple(json.loads(r["machine_categories"])),
            r["reviewer"],
            r["created_at"],
            r["note"],
            r["id"],
        )
        for r in rows
    ]


def reviewed_labels(store: CorpusStore) -> dict[tuple[str, str], tuple[str, ...]]:
    """(passage, dimension) -> categories, from the most recent review by anyone."""
    chosen: dict[tuple[str, str], Review] = {}
    for review in latest_reviews(store):
        key = (review.passage_id, review.dimension)
        if key not in chosen or review.id > chosen[key].id:
            chosen[key] = review
    return {key: review.categories for key, review in chosen.items()}


def reviews_digest(store: CorpusStore) -> str | None:
    """A hash of the reviewed labels in use, for the analysis stamp; None without reviews."""
    labels = reviewed_labels(store)
    if not labels:
        return None
    return digest_json(sorted([*key, list(cats)] for key, cats in labels.items()))


def review_counts(store: CorpusStore) -> dict[str, Any]:
    row = store.db.execute(
        "SELECT count(*), count(DISTINCT passage_id), count(DISTINCT reviewer) FROM reviews"
    ).fetchone()
    return {"reviews": row[0], "passages": row[1], "reviewers": row[2]}


def reviewed_passages(store: CorpusStore, reviewer: str | None = None) -> set[str]:
    sql, params = "SELECT DISTINCT passage_id FROM reviews", []
    if reviewer:
        sql += " WHERE reviewer = ?"
        params.append(reviewer)
    return {r[0] for r in store.db.execute(sql, params)}


def low_confidence_queue(
    store: CorpusStore, codebook_digest: str, coder: str, exclude: set[str], limit: int = 20
) -> list[str]:
    """Passages whose least certain machine label is least certain, first (ties by id)."""
    rows = store.db.execute(
        "SELECT a.passage_id, min(abs(a.score - 0.5)) AS margin FROM assignments a"
        " JOIN passages p ON p.id = a.passage_id JOIN documents d ON d.id = p.document_id"
        " WHERE d.is_current = 1 AND a.codebook_digest = ? AND a.coder = ?"
        " GROUP BY a.passage_id ORDER BY margin, a.passage_id",
        (codebook_digest, coder),
    )
    queue: list[str] = []
    for passage_id, _ in rows:
        if passage_id not in exclude:
            queue.append(passage_id)
            if len(queue) >= limit:
                break
    return queue
