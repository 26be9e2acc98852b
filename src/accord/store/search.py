"""Full-text search over passages (SQLite FTS5, BM25 ranking) with citation metadata."""

from __future__ import annotations

import difflib
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

    def __repr__(self) -> str:
        return f"SearchHit({self.score:.2f}, {self.passage_id}, {self.citation})"

    def as_dict(self, mark: tuple[str, str] = ("**", "**")) -> dict[str, Any]:
        """Plain JSON-ready data, matched terms marked: what `accord search --json` prints."""
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
    check_filters(store, filters)
    hits = _run(store.db, fts_query(query, "AND"), filters, limit)
    if not hits and len(_TOKEN.findall(query)) > 1:
        hits = _run(store.db, fts_query(query, "OR"), filters, limit)
    return hits


def _clauses(filters: SearchFilters) -> dict[str, tuple[str, list[object]]]:
    """The SQL condition of each filter given, by filter name (documents d, institutions i)."""
    clauses: dict[str, tuple[str, list[object]]] = {}
    if filters.organisation:
        like = f"%{filters.organisation.lower()}%"
        clauses["organisation"] = (
            "(i.id = ? OR lower(i.name) LIKE ? OR lower(d.organisation) LIKE ?)",
            [filters.organisation.lower(), like, like],
        )
    if filters.family:
        clauses["family"] = (
            "lower(replace(i.family, ' ', '_')) = ?",
            [filters.family.lower().replace(" ", "_")],
        )
    if filters.years:
        start, end = filters.years
        if start is not None:
            clauses["year from"] = ("d.year >= ?", [start])
        if end is not None:
            clauses["year to"] = ("d.year <= ?", [end])
    if filters.document_type:
        clauses["document type"] = ("lower(d.document_type) = ?", [filters.document_type.lower()])
    return clauses


# What to list when a filter matches no document: the values the store holds (value, shown).
_KNOWN = {
    "organisation": "SELECT DISTINCT i.id, i.id || ' (' || i.name || ')' FROM documents d "
    "JOIN institutions i ON i.id = d.institution_id WHERE d.is_current = 1 ORDER BY 1",
    "family": "SELECT DISTINCT i.family, i.family FROM documents d JOIN institutions i "
    "ON i.id = d.institution_id WHERE d.is_current = 1 ORDER BY 1",
    "document type": "SELECT DISTINCT d.document_type, d.document_type FROM documents d "
    "WHERE d.is_current = 1 AND d.document_type IS NOT NULL ORDER BY 1",
}


def check_filters(store: CorpusStore, filters: SearchFilters) -> None:
    """An organisation, family or document type that no current document has is a mistake (a
    typo, another spelling), not a search without results: say so and name the known values.

    Raises:
        ConfigError: naming the filter, the value given and the values the store holds.
    """
    given = {"organisation": filters.organisation, "family": filters.family}
    given["document type"] = filters.document_type
    for name, (condition, params) in _clauses(filters).items():
        if name not in _KNOWN:
            continue
        matched = store.db.execute(
            "SELECT 1 FROM documents d JOIN institutions i ON i.id = d.institution_id "
            f"WHERE d.is_current = 1 AND {condition} LIMIT 1",
            params,
        ).fetchone()
        if matched is None:
            known = {
                str(value).lower(): (str(value), shown)
                for value, shown in store.db.execute(_KNOWN[name])
            }
            close = difflib.get_close_matches(str(given[name]).lower(), list(known), n=1)
            raise ConfigError(
                f"No document in the store has {name} '{given[name]}'"
                + (f"; did you mean '{known[close[0]][0]}'?" if close else "."),
                hint=f"Known {name} values: "
                + (", ".join(shown for _, shown in known.values()) or "(none)")
                + ".",
            )


def _run(db: sqlite3.Connection, match: str, filters: SearchFilters, limit: int) -> list[SearchHit]:
    where, params = ["passages_fts MATCH ?", "d.is_current = 1"], [match]
    for condition, values in _clauses(filters).values():
        where.append(condition)
        params += values
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
