"""Evidence passages as the report cites them: anchors, safe links, page references."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from accord.analysis.results import AnalysisResult
from accord.report.names import Names
from accord.report.tables import number, table, text

EVIDENCE_PER_SECTION = 8
# Characters a URL may keep as they are (RFC 3986 reserved and unreserved, and '%' so that
# existing escapes stay); everything else, '<', '>', '"', spaces and non-ASCII included, is
# percent-encoded.
URL_SAFE = "!#$%&'()*+,/:;=?@[]~-._"


def passage_anchor(passage_id: str) -> str:
    """The HTML id of a cited passage (ids hold ':' which CSS selectors would need escaped).

    Example:
        >>> passage_anchor("d-0123456789ab:00007")
        'passage-d-0123456789ab-00007'
    """
    return "passage-" + re.sub(r"[^A-Za-z0-9_-]", "-", passage_id)


def safe_url(url: Any) -> str | None:
    """The URL when it is a web address, percent-encoded so that it holds no markup in any
    format; anything else (javascript:, data:, paths) is dropped because escaping does not
    stop a hostile scheme in an href.

    Example:
        >>> safe_url("javascript:alert(1)") is None
        True
        >>> safe_url("https://example.org/a?x=<b>")
        'https://example.org/a?x=%3Cb%3E'
    """
    value = text(url).strip()
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:  # an unclosed '[' in the host, a port that is not a number
        return None
    if parts.scheme not in ("http", "https") or not host:
        return None
    try:
        netloc = parts.netloc.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    rest = [quote(p, safe=URL_SAFE) for p in (parts.path, parts.query, parts.fragment)]
    return urlunsplit((parts.scheme, quote(netloc, safe=URL_SAFE), *rest))


def pages(start: Any, end: Any) -> str:
    """A page reference for a citation.

    Example:
        >>> pages(3, 4)
        'pp. 3–4'
    """
    first, last = number(start), number(end)
    if first is None:
        return ""
    if last is None or int(last) == int(first):
        return f"p. {int(first)}"
    return f"pp. {int(first)}–{int(last)}"


def citation(item: dict[str, Any]) -> str:
    """'WHO, Medical imaging note (2021), p. 3'."""
    year = f" ({item['year']})" if item["year"] else ""
    where = f", {item['pages']}" if item["pages"] else ""
    return f"{item['institution_name']}, {item['title']}{year}{where}"


def evidence_items(
    result: AnalysisResult, domain: str, names: Names, seen: set[str]
) -> list[dict[str, Any]]:
    """The domain's diverse evidence list (scope 'domain'), each passage with its citation.

    A passage cited under several domains gets its anchor only the first time (ids must be
    unique); later copies link back to it.
    """
    evidence = table(result, "evidence")
    rows = evidence[(evidence["domain"] == domain) & (evidence["scope"] == "domain")]
    items = []
    for row in rows.sort_values("rank").head(EVIDENCE_PER_SECTION).itertuples(index=False):
        passage_id = text(row.passage_id)
        anchor = passage_anchor(passage_id)
        year = number(row.year)
        items.append(
            {
                "passage_id": passage_id,
                "anchor": None if anchor in seen else anchor,
                "href": f"#{anchor}",
                "institution": text(row.institution),
                "institution_name": text(row.institution_name)
                or names.institution(text(row.institution)),
                "title": text(row.title),
                "year": int(year) if year is not None else None,
                "pages": pages(row.page_start, row.page_end),
                "url": safe_url(row.url),
                "approaches": [
                    names.category("approach", a) for a in text(row.approaches).split(";") if a
                ],
                "text": text(row.text),
            }
        )
        seen.add(anchor)
    return items
