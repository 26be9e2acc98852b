"""Read-only queries behind the explorer: faceted passage lists, documents, passages, labels.

Every query is parameterised; facet and label filters are matched against fixed column names
only, so no value a user types ever becomes SQL.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from accord.store.coding_store import latest_coding
from accord.store.corpus_store import CorpusStore
from accord.store.search import MARK_CLOSE, MARK_OPEN, fts_query, query_words

# Facet name -> (SQL expression of its value, SQL expression of its display label).
META_FACETS: dict[str, tuple[str, str]] = {
    "institution": ("i.id", "i.name"),
    "family": ("i.family", "i.family"),
    "year": ("d.year", "d.year"),
    "type": ("d.document_type", "d.document_type"),
    "language": ("d.language", "d.language"),
}
SNIPPET_CHARS = 320


@dataclass(frozen=True)
class Coding:
    """Which machine coding the explorer shows: the latest completed coding run."""

    codebook_digest: str
    coder: str


def current_coding(store: CorpusStore) -> Coding | None:
    found = latest_coding(store)
    return Coding(found["codebook_digest"], found["coder"]) if found else None


@dataclass
class PassageQuery:
    """A passage list: optional words, metadata facets, and codebook labels."""

    text: str = ""
    meta: dict[str, list[str]] = field(default_factory=dict)  # facet -> accepted values
    labels: dict[str, list[str]] = field(default_factory=dict)  # dimension -> category ids
    document_id: str | None = None
    page: int = 1
    per_page: int = 20


@dataclass
class PassagePage:
    hits: list[dict[str, Any]]
    total: int
    facets: dict[str, list[dict[str, Any]]]  # facet or dimension -> [{value, label, count}]
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _where(query: PassageQuery, coding: Coding | None, match: str | None) -> tuple[str, list]:
    clauses, params = ["d.is_current = 1"], []
    if match:
        clauses.append("p.rowid IN (SELECT rowid FROM passages_fts WHERE passages_fts MATCH ?)")
        params.append(match)
    if query.document_id:
        clauses.append("p.document_id = ?")
        params.append(query.document_id)
    for name, values in sorted(query.meta.items()):
        if name not in META_FACETS or not values:
            continue
        column = META_FACETS[name][0]
        clauses.append(f"CAST({column} AS TEXT) IN ({','.join('?' * len(values))})")
        params += [str(v) for v in values]
    for dimension, categories in sorted(query.labels.items()):
        if not categories or coding is None:
            continue
        clauses.append(
            "EXISTS (SELECT 1 FROM assignments a WHERE a.passage_id = p.id"
            " AND a.codebook_digest = ? AND a.coder = ? AND a.dimension = ?"
            f" AND a.category IN ({','.join('?' * len(categories))}))"
        )
        params += [coding.codebook_digest, coding.coder, dimension, *categories]
    return " AND ".join(clauses), params


_FROM = (
    " FROM passages p JOIN documents d ON d.id = p.document_id"
    " JOIN institutions i ON i.id = d.institution_id"
)


def find_passages(store: CorpusStore, query: PassageQuery, coding: Coding | None) -> PassagePage:
    """One page of matching passages with counts per facet value over all matches.

    With words, passages are ranked by BM25 (all words, or any word when none has all);
    without, in document order.
    """
    match = None
    if query_words(query.text):
        match = fts_query(query.text, "AND")
        if _count(store.db, query, coding, match) == 0 and len(query_words(query.text)) > 1:
            match = fts_query(query.text, "OR")
    total = _count(store.db, query, coding, match)
    hits = _hits(store.db, query, coding, match)
    facets = _facets(store.db, query, coding, match)
    return PassagePage(hits, total, facets, query.page, query.per_page)


def _count(db: sqlite3.Connection, query: PassageQuery, coding, match) -> int:
    where, params = _where(query, coding, match)
    return db.execute(f"SELECT count(*){_FROM} WHERE {where}", params).fetchone()[0]


def _hits(db: sqlite3.Connection, query: PassageQuery, coding, match) -> list[dict[str, Any]]:
    where, params = _where(query, coding, match)
    offset = (max(1, query.page) - 1) * query.per_page
    columns = (
        "p.id AS passage_id, p.document_id, p.ordinal, p.page_start, p.page_end, p.text,"
        " i.id AS institution_id, i.name AS institution, i.family, d.title, d.year,"
        " d.document_type, d.language, d.url"
    )
    if match:
        # Rank inside FTS, then keep the rows that pass the other filters.
        sql = (
            f"SELECT {columns}, -bm25(passages_fts) AS score,"
            f" snippet(passages_fts, 0, '{MARK_OPEN}', '{MARK_CLOSE}', '…', 40) AS snippet"
            f" FROM passages_fts JOIN passages p ON p.rowid = passages_fts.rowid"
            " JOIN documents d ON d.id = p.document_id"
            " JOIN institutions i ON i.id = d.institution_id"
            f" WHERE passages_fts MATCH ? AND {where}"
            " ORDER BY bm25(passages_fts), p.id LIMIT ? OFFSET ?"
        )
        rows = db.execute(sql, [match, *params, query.per_page, offset]).fetchall()
    else:
        sql = (
            f"SELECT {columns}, NULL AS score, NULL AS snippet{_FROM} WHERE {where}"
            " ORDER BY i.name, d.year, d.id, p.ordinal LIMIT ? OFFSET ?"
        )
        rows = db.execute(sql, [*params, query.per_page, offset]).fetchall()
    hits = []
    for row in rows:
        hit = dict(row)
        text = hit.pop("text")
        if hit["snippet"] is None:
            hit["snippet"] = text if len(text) <= SNIPPET_CHARS else text[:SNIPPET_CHARS] + "…"
        hits.append(hit)
    labels = labels_of(db, [h["passage_id"] for h in hits], coding)
    for hit in hits:
        hit["labels"] = {
            dim: sorted(cats) for dim, cats in labels.get(hit["passage_id"], {}).items()
        }
    return hits


def _facets(db: sqlite3.Connection, query: PassageQuery, coding, match) -> dict[str, list]:
    where, params = _where(query, coding, match)
    facets: dict[str, list[dict[str, Any]]] = {}
    for name, (value, label) in META_FACETS.items():
        rows = db.execute(
            f"SELECT {value} AS value, {label} AS label, count(*) AS n{_FROM} WHERE {where}"
            f" GROUP BY {value} ORDER BY n DESC, value",
            params,
        ).fetchall()
        facets[name] = [
            {
                "value": "" if r["value"] is None else str(r["value"]),
                "label": "(none)" if r["label"] is None else str(r["label"]),
                "count": r["n"],
            }
            for r in rows
        ]
    if coding is not None:
        rows = db.execute(
            "SELECT a.dimension, a.category, count(*) AS n FROM assignments a"
            f" WHERE a.codebook_digest = ? AND a.coder = ? AND a.passage_id IN"
            f" (SELECT p.id{_FROM} WHERE {where})"
            " GROUP BY a.dimension, a.category ORDER BY a.dimension, n DESC, a.category",
            [coding.codebook_digest, coding.coder, *params],
        ).fetchall()
        for row in rows:
            facets.setdefault(f"label:{row['dimension']}", []).append(
                {"value": row["category"], "label": row["category"], "count": row["n"]}
            )
    return facets


def labels_of(
    db: sqlite3.Connection, passage_ids: list[str], coding: Coding | None
) -> dict[str, dict[str, dict[str, dict[str, Any]]]]:
    """passage -> dimension -> category -> {score, method, evidence} for the coding."""
    found: dict[str, dict[str, dict[str, dict[str, Any]]]] = {}
    if coding is None or not passage_ids:
        return found
    for start in range(0, len(passage_ids), 500):
        chunk = passage_ids[start : start + 500]
        rows = db.execute(
            "SELECT passage_id, dimension, category, score, method, evidence FROM assignments"
            " WHERE codebook_digest = ? AND coder = ?"
            f" AND passage_id IN ({','.join('?' * len(chunk))})",
            [coding.codebook_digest, coding.coder, *chunk],
        )
        for row in rows:
            found.setdefault(row["passage_id"], {}).setdefault(row["dimension"], {})[
                row["category"]
            ] = {
                "score": row["score"],
                "method": row["method"],
                "evidence": [list(e) for e in json.loads(row["evidence"])],
            }
    return found


def document_row(store: CorpusStore, document_id: str) -> dict[str, Any] | None:
    row = store.db.execute(
        "SELECT d.id AS document_id, d.title, d.year, d.document_type, d.language, d.url,"
        " d.format, d.n_pages, d.n_passages, d.n_words, d.organisation, d.is_current,"
        " i.id AS institution_id, i.name AS institution, i.family"
        " FROM documents d JOIN institutions i ON i.id = d.institution_id WHERE d.id = ?",
        (document_id,),
    ).fetchone()
    return dict(row) if row else None


def document_passages(store: CorpusStore, document_id: str) -> list[dict[str, Any]]:
    rows = store.db.execute(
        "SELECT id AS passage_id, ordinal, page_start, page_end, char_start, char_end, text"
        " FROM passages WHERE document_id = ? ORDER BY ordinal",
        (document_id,),
    )
    return [dict(r) for r in rows]


def passage_row(store: CorpusStore, passage_id: str) -> dict[str, Any] | None:
    row = store.db.execute(
        "SELECT p.id AS passage_id, p.document_id, p.ordinal, p.page_start, p.page_end,"
        " p.char_start, p.char_end, p.text, p.text_hash, p.n_words"
        " FROM passages p WHERE p.id = ?",
        (passage_id,),
    ).fetchone()
    return dict(row) if row else None


def neighbour_passages(store: CorpusStore, document_id: str, ordinal: int, n: int = 1) -> dict:
    rows = store.db.execute(
        "SELECT id AS passage_id, ordinal, page_start, text FROM passages"
        " WHERE document_id = ? AND ordinal BETWEEN ? AND ? AND ordinal != ? ORDER BY ordinal",
        (document_id, ordinal - n, ordinal + n, ordinal),
    ).fetchall()
    return {
        "before": [dict(r) for r in rows if r["ordinal"] < ordinal],
        "after": [dict(r) for r in rows if r["ordinal"] > ordinal],
    }


def list_documents(store: CorpusStore, institution_id: str | None = None) -> list[dict[str, Any]]:
    sql = (
        "SELECT d.id AS document_id, d.title, d.year, d.document_type, d.language, d.url,"
        " d.n_passages, d.n_words, i.id AS institution_id, i.name AS institution, i.family"
        " FROM documents d JOIN institutions i ON i.id = d.institution_id WHERE d.is_current = 1"
    )
    params: list[Any] = []
    if institution_id is not None:
        sql += " AND i.id = ?"
        params.append(institution_id)
    rows = store.db.execute(sql + " ORDER BY i.name, d.year, d.title", params)
    return [dict(r) for r in rows]


def institution_row(store: CorpusStore, institution_id: str) -> dict[str, Any] | None:
    row = store.db.execute(
        "SELECT id AS institution_id, name, family, is_known FROM institutions WHERE id = ?",
        (institution_id,),
    ).fetchone()
    return dict(row) if row else None


def data_version(store: CorpusStore) -> tuple:
    """Changes whenever an analysis, a coding run or a review is written (cache key)."""
    row = store.db.execute(
        "SELECT (SELECT group_concat(stamp) FROM (SELECT stamp FROM analysis_catalog"
        " ORDER BY name)), (SELECT max(rowid) FROM runs), (SELECT max(id) FROM reviews)"
    ).fetchone()
    return tuple(row)
