"""Read-only queries behind the explorer: faceted passage lists, documents, passages, labels.

Every query is parameterised; facet and label filters are matched against fixed column names
only, so no value a user types ever becomes SQL.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import chain, repeat
from operator import itemgetter
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


# passage rowid -> its (dimension, category) labels in one coding; see label_index.
LabelIndex = Mapping[int, tuple[tuple[str, str], ...]]


def label_index(
    store: CorpusStore, coding: Coding | None
) -> dict[int, tuple[tuple[str, str], ...]]:
    """Every passage's labels in ``coding``, keyed by passage rowid: held in memory by the
    explorer so that label facets are counted in one pass over the matches (a GROUP BY over
    the assignments of every match took up to a second on the shared corpus)."""
    found: dict[int, list[tuple[str, str]]] = {}
    if coding is None:
        return {}
    rows = store.db.execute(
        "SELECT p.rowid, a.dimension, a.category FROM assignments a"
        " JOIN passages p ON p.id = a.passage_id WHERE a.codebook_digest = ? AND a.coder = ?",
        (coding.codebook_digest, coding.coder),
    )
    for rowid, dimension, category in rows:
        found.setdefault(rowid, []).append((dimension, category))
    return {rowid: tuple(labels) for rowid, labels in found.items()}


def _where(query: PassageQuery, coding: Coding | None) -> tuple[str, list]:
    clauses, params = ["d.is_current = 1"], []
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
        # IN, not a correlated EXISTS: the labelled passages are found once (3x faster).
        clauses.append(
            "p.id IN (SELECT a.passage_id FROM assignments a"
            " WHERE a.codebook_digest = ? AND a.coder = ? AND a.dimension = ?"
            f" AND a.category IN ({','.join('?' * len(categories))}))"
        )
        params += [coding.codebook_digest, coding.coder, dimension, *categories]
    return " AND ".join(clauses), params


_JOINS = " JOIN documents d ON d.id = p.document_id JOIN institutions i ON i.id = d.institution_id"
_FROM = " FROM passages p" + _JOINS
_FROM_FTS = " FROM passages_fts JOIN passages p ON p.rowid = passages_fts.rowid" + _JOINS


def find_passages(
    store: CorpusStore,
    query: PassageQuery,
    coding: Coding | None,
    labels: LabelIndex | None = None,
) -> PassagePage:
    """One page of matching passages with counts per facet value over all matches.

    With words, passages are ranked by BM25 (all words, or any word when none has all);
    without, in document order. ``labels`` (from label_index) saves reading the labels of
    every match from the store.
    """
    match, ranked = None, []
    if query_words(query.text):
        match = fts_query(query.text, "AND")
        ranked = _ranked(store.db, query, coding, match)
        if not ranked and len(query_words(query.text)) > 1:
            match = fts_query(query.text, "OR")
            ranked = _ranked(store.db, query, coding, match)
    else:
        ranked = _ranked(store.db, query, coding, None)
    offset = (max(1, query.page) - 1) * query.per_page
    shown = [rowid for rowid, _ in ranked[offset : offset + query.per_page]]
    hits = _hits(store.db, shown, coding, match, labels)
    facets = _facets(store.db, ranked, coding, labels)
    return PassagePage(hits, len(ranked), facets, query.page, query.per_page)


def _ranked(db: sqlite3.Connection, query: PassageQuery, coding, match) -> list[tuple[int, str]]:
    """(rowid, document id) of every match, in the order the list shows them: one query,
    whose result gives the total, the facets and the page."""
    where, params = _where(query, coding)
    if match:
        sql = (
            f"SELECT p.rowid, p.document_id{_FROM_FTS} WHERE passages_fts MATCH ? AND {where}"
            " ORDER BY bm25(passages_fts), p.id"
        )
        return db.execute(sql, [match, *params]).fetchall()
    sql = (
        f"SELECT p.rowid, p.document_id{_FROM} WHERE {where}"
        " ORDER BY i.name, d.year, d.id, p.ordinal"
    )
    return db.execute(sql, params).fetchall()


def _hits(
    db: sqlite3.Connection, rowids: list[int], coding, match, labels: LabelIndex | None
) -> list[dict[str, Any]]:
    """The shown passages with their document, snippet and labels, in ``rowids`` order."""
    if not rowids:
        return []
    columns = (
        "p.rowid AS rowid_, p.id AS passage_id, p.document_id, p.ordinal, p.page_start,"
        " p.page_end, p.text, i.id AS institution_id, i.name AS institution, i.family,"
        " d.title, d.year, d.document_type, d.language, d.url"
    )
    marks = ",".join("?" * len(rowids))
    if match:
        sql = (
            f"SELECT {columns}, -bm25(passages_fts) AS score,"
            f" snippet(passages_fts, 0, '{MARK_OPEN}', '{MARK_CLOSE}', '…', 40) AS snippet"
            f"{_FROM_FTS} WHERE passages_fts MATCH ? AND p.rowid IN ({marks})"
        )
        rows = db.execute(sql, [match, *rowids]).fetchall()
    else:
        sql = f"SELECT {columns}, NULL AS score, NULL AS snippet{_FROM} WHERE p.rowid IN ({marks})"
        rows = db.execute(sql, rowids).fetchall()
    by_rowid = {row["rowid_"]: row for row in rows}
    hits = []
    for rowid in rowids:
        hit = dict(by_rowid[rowid])
        del hit["rowid_"]
        text = hit.pop("text")
        if hit["snippet"] is None:
            hit["snippet"] = text if len(text) <= SNIPPET_CHARS else text[:SNIPPET_CHARS] + "…"
        hits.append(hit)
    found = labels if labels is not None else _labels_by_rowid(db, rowids, coding)
    for rowid, hit in zip(rowids, hits, strict=True):
        named: dict[str, list[str]] = {}
        for dimension, category in found.get(rowid, ()):
            named.setdefault(dimension, []).append(category)
        hit["labels"] = {dim: sorted(cats) for dim, cats in sorted(named.items())}
    return hits


def _facets(
    db: sqlite3.Connection, ranked: list[tuple[int, str]], coding, labels: LabelIndex | None
) -> dict[str, list[dict[str, Any]]]:
    """Counts per facet value over all matches: metadata facets from the matches' documents,
    label facets from their labels; each list by count, then value."""
    per_document = Counter(map(itemgetter(1), ranked))
    columns = ", ".join(f"{value}, {label}" for value, label in META_FACETS.values())
    meta: dict[str, Counter] = {name: Counter() for name in META_FACETS}
    for row in db.execute(
        f"SELECT d.id, {columns} FROM documents d JOIN institutions i ON i.id = d.institution_id"
    ):
        n = per_document.get(row[0])
        if n:
            for k, name in enumerate(META_FACETS):
                meta[name][(row[1 + 2 * k], row[2 + 2 * k])] += n
    facets: dict[str, list[dict[str, Any]]] = {}
    for name, counts in meta.items():
        facets[name] = [
            {
                "value": "" if value is None else str(value),
                "label": "(none)" if label is None else str(label),
                "count": n,
            }
            for (value, label), n in sorted(counts.items(), key=_by_count)
        ]
    if coding is None:
        return facets
    rowids = list(map(itemgetter(0), ranked))
    found = labels if labels is not None else _labels_by_rowid(db, rowids, coding)
    # One C-level pass (chain, Counter) over up to every passage of the corpus.
    pairs = Counter(chain.from_iterable(map(found.get, rowids, repeat(()))))
    per_dimension: dict[str, dict[str, int]] = {}
    for (dimension, category), n in pairs.items():
        per_dimension.setdefault(dimension, {})[category] = n
    for dimension in sorted(per_dimension):
        facets[f"label:{dimension}"] = [
            {"value": category, "label": category, "count": n}
            for category, n in sorted(
                per_dimension[dimension].items(), key=lambda kv: (-kv[1], kv[0])
            )
        ]
    return facets


def _by_count(item: tuple[tuple[Any, Any], int]) -> tuple:
    """Most frequent first, then by value as SQL orders it (no value first)."""
    (value, _), n = item
    return (-n, value is not None, value if value is not None else 0)


def _labels_by_rowid(
    db: sqlite3.Connection, rowids: list[int], coding: Coding | None
) -> LabelIndex:
    found: dict[int, list[tuple[str, str]]] = {}
    if coding is None:
        return found
    for start in range(0, len(rowids), 500):
        chunk = rowids[start : start + 500]
        rows = db.execute(
            "SELECT p.rowid, a.dimension, a.category FROM passages p CROSS JOIN assignments a"
            " ON a.codebook_digest = ? AND a.coder = ? AND a.passage_id = p.id"
            f" WHERE p.rowid IN ({','.join('?' * len(chunk))})",
            [coding.codebook_digest, coding.coder, *chunk],
        )
        for rowid, dimension, category in rows:
            found.setdefault(rowid, []).append((dimension, category))
    return {rowid: tuple(labels) for rowid, labels in found.items()}


def labels_of(
    db: sqlite3.Connection,
    passage_ids: list[str],
    coding: Coding | None,
    dimension: str | None = None,
) -> dict[str, dict[str, dict[str, dict[str, Any]]]]:
    """passage -> dimension -> category -> {score, method, evidence} for the coding (one
    dimension only when given: a long document's page reads no more than it shows)."""
    found: dict[str, dict[str, dict[str, dict[str, Any]]]] = {}
    if coding is None or not passage_ids:
        return found
    only = " AND dimension = ?" if dimension is not None else ""
    for start in range(0, len(passage_ids), 500):
        chunk = passage_ids[start : start + 500]
        rows = db.execute(
            "SELECT passage_id, dimension, category, score, method, evidence FROM assignments"
            f" WHERE codebook_digest = ? AND coder = ?{only}"
            f" AND passage_id IN ({','.join('?' * len(chunk))})",
            [coding.codebook_digest, coding.coder, *([dimension] if only else []), *chunk],
        )
        for passage_id, dim, category, score, method, evidence in rows:
            found.setdefault(passage_id, {}).setdefault(dim, {})[category] = {
                "score": score,
                "method": method,
                "evidence": [list(e) for e in json.loads(evidence)],
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


def analysis_version(store: CorpusStore) -> tuple:
    """Changes whenever an analysis or a coding run is written: what the explorer's analysis
    snapshot is built from (reviews are read live, so writing one rebuilds nothing)."""
    row = store.db.execute(
        "SELECT (SELECT group_concat(stamp) FROM (SELECT stamp FROM analysis_catalog"
        " ORDER BY name)), (SELECT max(rowid) FROM runs)"
    ).fetchone()
    return tuple(row)


def data_version(store: CorpusStore) -> tuple:
    """Changes whenever an analysis, a coding run or a review is written (cache key)."""
    latest_review = store.db.execute("SELECT max(id) FROM reviews").fetchone()[0]
    return (*analysis_version(store), latest_review)
