"""Full-text search over passages (SQLite FTS5, BM25 ranking) with citation metadata."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import asdict, dataclass
from typing import Any

from accord.errors import ConfigError
from accord.store.corpus_store import CorpusStore

# Private-use characters mark matched terms in snippets; callers turn them into markup.
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"
_TOKEN = re.compile(r'"[^"]+"|[\w][\w\'-]*')
_YEARS = re.compile(r"^\s*(\d{4})?\s*(?:(-)\s*(\d{4})?)?\s*$")


@dataclass(frozen=True, slots=True)
class SearchFilters:
    organisation: str | None = None  # institution id, or part of its name
    family: str | None = None
    years: tuple[int | None, int | None] | None = None
    document_type: str | None = None


@dataclass(frozen=True, slots=True)
class SearchHit:
    passage_id: str
    document_id: str
    score: float
    snippet: str  # with MARK_OPEN/MARK_CLOSE around matched terms
    institution_id: str
    institution: str
    family: str
    title: str
    year: int | None
    document_type: str | None
    page_start: int
    page_end: int
    url: str | None

    @property
    def citation(self) -> str:
        return citation(self.institution, self.title, self.year, self.page_start, self.page_end)

    def as_dict(self, mark: tuple[str, str] = ("**", "**")) -> dict[str, Any]:
        data = asdict(self)
        data["snippet"] = self.snippet.replace(MARK_OPEN, mark[0]).replace(MARK_CLOSE, mark[1])
        data["citation"] = self.citation
        return data


def citation(institution: str, title: str, year: int | None, page_start: int, page_end: int) -> str:
    """How Accord cites a passage: institution, title (year), page.

    Example:
        >>> citation("OECD", "Recommendation on AI", 2019, 7, 8)
        'OECD, “Recommendation on AI” (2019), pp. 7–8'
    """
    pages = f"p. {page_start}" if page_start == page_end else f"pp. {page_start}–{page_end}"
    when = f" ({year})" if year else ""
    return f"{institution}, “{title}”{when}, {pages}"


def parse_years(value: str | None) -> tuple[int | None, int | None] | None:
    """'2020-2024', '2021', '2020-' or '-2019' to an inclusive (start, end) range.

    Example:
        >>> parse_years("2020-2024")
        (2020, 2024)
    """
    if not value:
        return None
    match = _YEARS.match(value)
    if not match or not (match.group(1) or match.group(3)):
        raise ConfigError(f"--year '{value}' is not a year or a range like 2020-2024.")
    start = int(match.group(1)) if match.group(1) else None
    end = int(match.group(3)) if match.group(3) else (None if match.group(2) else start)
    return start, end


def query_words(query: str) -> list[str]:
    """The words and "quoted phrases" of a user query, as search matches them."""
    return _TOKEN.findall(query)


def fts_query(query: str, operator: str = "AND") -> str:
    """User words to a safe FTS5 expression: each word or "quoted phrase" quoted, joined."""
    tokens = _TOKEN.findall(query)
    if not tokens:
        raise ConfigError("The search query has no words.")
    quoted = [t if t.startswith('"') else '"' + t.replace('"', "") + '"' for t in tokens]
    return f" {operator} ".join(quoted)


def search_passages(
    store: CorpusStore, query: str, filters: SearchFilters | None = None, limit: int = 10
) -> list[SearchHit]:
    """Rank current passages by BM25; all words must match, or any word if none match all.

    Example:
        >>> store = CorpusStore(":memory:")
        >>> search_passages(store, "health data")
        []
    """
    filters = filters or SearchFilters()
    hits = _run(store.db, fts_query(query, "AND"), filters, limit)
    if not hits and len(_TOKEN.findall(query)) > 1:
        hits = _run(store.db, fts_query(query, "OR"), filters, limit)
    return hits


def _run(db: sqlite3.Connection, match: str, filters: SearchFilters, limit: int) -> list[SearchHit]:
    where, params = ["passages_fts MATCH ?", "d.is_current = 1"], [match]
    if filters.organisation:
        where.append("(i.id = ? OR lower(i.name) LIKE ? OR lower(d.organisation) LIKE ?)")
        like = f"%{filters.organisation.lower()}%"
        params += [filters.organisation.lower(), like, like]
    if filters.family:
        where.append("lower(replace(i.family, ' ', '_')) = ?")
        params.append(filters.family.lower().replace(" ", "_"))
    if filters.years:
        start, end = filters.years
        if start is not None:
            where.append("d.year >= ?")
            params.append(start)
        if end is not None:
            where.append("d.year <= ?")
            params.append(end)
    if filters.document_type:
        where.append("lower(d.document_type) = ?")
        params.append(filters.document_type.lower())
    sql = f"""
        SELECT p.id, p.document_id, -bm25(passages_fts) AS score,
               snippet(passages_fts, 0, '{MARK_OPEN}', '{MARK_CLOSE}', '…', 32) AS snippet,
               i.id AS institution_id, i.name AS institution, i.family, d.title, d.year,
               d.document_type, p.page_start, p.page_end, d.url
        FROM passages_fts
        JOIN passages p ON p.rowid = passages_fts.rowid
        JOIN documents d ON d.id = p.document_id
        JOIN institutions i ON i.id = d.institution_id
        WHERE {" AND ".join(where)}
        ORDER BY bm25(passages_fts), p.id
        LIMIT ?"""
    rows = db.execute(sql, [*params, limit]).fetchall()
    return [SearchHit(*row) for row in rows]
