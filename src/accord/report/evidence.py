"""Evidence passages as the report cites them: anchors, safe links, page references."""

from __future__ import annotations

import json
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


def full_citation(item: dict[str, Any]) -> str:
    """The citation a reader copies: who, what, when, where, the passage id and the source.

    Example:
        >>> full_citation({"institution_name": "WHO", "title": "Imaging", "year": 2021,
        ...     "pages": "p. 3", "passage_id": "d-1:00004", "url": "https://who.int/x"})
        'WHO, Imaging (2021), p. 3. Accord passage d-1:00004. https://who.int/x'
    """
    cited = f"{citation(item)}. Accord passage {item['passage_id']}."
    return f"{cited} {item['url']}" if item.get("url") else cited


def explorer_link(explorer_url: str | None, passage_id: str) -> str | None:
    """The passage's page in the explorer (``accord serve``) at ``explorer_url``."""
    if explorer_url is None:
        return None
    return f"{explorer_url.rstrip('/')}/passages/{quote(passage_id, safe=':')}"


MAX_CUES = 6  # cue words listed per label


def _labels(value: Any) -> list[dict[str, Any]]:
    raw = text(value)
    return json.loads(raw) if raw else []


def _spans(passage: str, label: dict[str, Any]) -> list[tuple[int, int]]:
    """The cue spans of a label that lie in the passage (evidence such as 'the nearest
    labelled passage' has no span)."""
    return [
        (int(cue[0]), int(cue[1]))
        for cue in label.get("cues", [])
        if len(cue) == 3 and 0 <= int(cue[0]) < int(cue[1]) <= len(passage)
    ]


def _chosen_for(labels: list[dict[str, Any]], domain: str) -> list[dict[str, Any]]:
    """The labels that chose the passage for a domain's evidence: its score for the domain,
    and its approaches, which raise its relevance (analysis/evidence.py)."""
    return [
        label
        for label in labels
        if (label["dimension"], label["category"]) == ("domain", domain)
        or label["dimension"] == "approach"
    ]


def reasons(passage: str, value: Any, domain: str, names: Names) -> list[dict[str, Any]]:
    """Why a passage is evidence for a domain: each label that chose it, with its score and
    the words of the passage that gave it."""
    found = []
    for label in _chosen_for(_labels(value), domain):
        words = [passage[start:end] for start, end in _spans(passage, label)]
        found.append(
            {
                "dimension": label["dimension"],
                "category": label["category"],
                "label": names.category(label["dimension"], label["category"]),
                "score": label["score"],
                "cues": list(dict.fromkeys(w.lower() for w in words))[:MAX_CUES],
            }
        )
    return found


def highlight(passage: str, value: Any, domain: str) -> list[dict[str, Any]]:
    """The passage as segments, the cue spans of the labels that chose it marked (``cue``
    names the label), so that a page can highlight them without trusting any markup.

    Example:
        >>> highlight("AI in hospitals", '[{"dimension": "domain", "category": "health", '
        ...     '"cues": [[6, 15, "hospital"]]}]', "health")
        [{'text': 'AI in ', 'cue': None}, {'text': 'hospitals', 'cue': 'domain: health'}]
    """
    spans = sorted(
        (start, end, f"{label['dimension']}: {label['category']}")
        for label in _chosen_for(_labels(value), domain)
        for start, end in _spans(passage, label)
    )
    segments: list[dict[str, Any]] = []
    position = 0
    for start, end, cue in spans:
        if end <= position:  # inside a span already marked
            continue
        start = max(start, position)
        if start > position:
            segments.append({"text": passage[position:start], "cue": None})
        segments.append({"text": passage[start:end], "cue": cue})
        position = end
    if position < len(passage) or not segments:
        segments.append({"text": passage[position:], "cue": None})
    return segments


def evidence_items(
    result: AnalysisResult,
    domain: str,
    names: Names,
    seen: set[str],
    explorer_url: str | None = None,
) -> list[dict[str, Any]]:
    """The domain's diverse evidence list (scope 'domain'), each passage with its citation,
    why it was chosen (its labels, scores and cues, the cue spans marked in its text) and a
    link to read it: the explorer's passage page when ``explorer_url`` is given, else the
    source document.

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
        url = safe_url(row.url)
        item = {
            "passage_id": passage_id,
            "anchor": None if anchor in seen else anchor,
            "href": f"#{anchor}",
            "link": explorer_link(explorer_url, passage_id) or url,
            "institution": text(row.institution),
            "institution_name": text(row.institution_name)
            or names.institution(text(row.institution)),
            "title": text(row.title),
            "year": int(year) if year is not None else None,
            "pages": pages(row.page_start, row.page_end),
            "url": url,
            "approaches": [
                names.category("approach", a) for a in text(row.approaches).split(";") if a
            ],
            "why": reasons(text(row.text), row.labels, domain, names),
            "segments": highlight(text(row.text), row.labels, domain),
            "text": text(row.text),
        }
        item["citation"] = full_citation(item)
        items.append(item)
        seen.add(anchor)
    return items
