"""Clean pages to citable passages (pure).

The document text is the cleaned pages joined by blank lines. A passage is a slice of it:
``text[char_start:char_end]``, so it can always be shown in context and cited by page. Passages
are paragraphs; a paragraph cut by a page break is rejoined, a long one is split at sentence
boundaries, and fragments (headings, list labels) are merged with the passage that follows.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from accord.model.corpus import Page, Passage
from accord.model.sentences import sentence_spans, split_spans

PAGE_SEPARATOR = "\n\n"
_PARAGRAPH = re.compile(r"\S(?:.*?\S)?(?=\n\s*\n|\s*$)", re.DOTALL)
_WORD = re.compile(r"\S+")
_OPEN_END = re.compile(r"[A-Za-zÀ-ÿ0-9,\-–]$")
_CLAUSE_END = re.compile(r"(?<=[;:])\s+")


def document_text(pages: Sequence[str]) -> tuple[str, list[Page]]:
    """Join cleaned pages into the document text, remembering where each page starts."""
    records, offset = [], 0
    for number, text in enumerate(pages, start=1):
        records.append(Page(number, text, offset))
        offset += len(text) + len(PAGE_SEPARATOR)
    return PAGE_SEPARATOR.join(pages), records


def segment(
    pages: Sequence[str],
    document_id: str,
    *,
    max_words: int = 150,
    min_words: int = 8,
) -> tuple[str, list[Page], list[Passage]]:
    """Split cleaned pages into passages.

    Example:
        >>> _, _, passages = segment(["First part of a sentence", "that goes on. Next."], "d-1")
        >>> [(p.page_start, p.page_end) for p in passages]
        [(1, 2)]
    """
    text, page_records = document_text(pages)
    spans = _paragraph_spans(text)
    spans = _rejoin_broken(text, spans)
    spans = [piece for span in spans for piece in _split_long(text, span, max_words)]
    spans = _merge_fragments(text, spans, min_words)
    starts = [p.char_start for p in page_records]
    passages = [
        Passage(
            id=f"{document_id}:{ordinal:05d}",
            document_id=document_id,
            ordinal=ordinal,
            page_start=_page_at(starts, start),
            page_end=_page_at(starts, end - 1),
            char_start=start,
            char_end=end,
            text=text[start:end],
        )
        for ordinal, (start, end) in enumerate(spans)
    ]
    return text, page_records, passages


def _page_at(starts: list[int], offset: int) -> int:
    return bisect.bisect_right(starts, offset)


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _PARAGRAPH.finditer(text)]


def _n_words(text: str, span: tuple[int, int]) -> int:
    return len(_WORD.findall(text, span[0], span[1]))


def _rejoin_broken(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A paragraph ending mid-sentence followed by one starting in lower case is one paragraph
    that a page break (or a blank line in extracted text) cut in two."""
    joined: list[tuple[int, int]] = []
    for start, end in spans:
        if joined:
            prev_start, prev_end = joined[-1]
            if _OPEN_END.search(text[prev_end - 1]) and text[start].islower():
                joined[-1] = (prev_start, end)
                continue
        joined.append((start, end))
    return joined


def _split_long(text: str, span: tuple[int, int], max_words: int) -> list[tuple[int, int]]:
    if _n_words(text, span) <= max_words:
        return [span]
    units = _units(text, span, _sentence_breaks, max_words)
    return _pack(text, units, max_words)


def _units(text, span, breaker, max_words) -> list[tuple[int, int]]:
    """Sentences of a span; a sentence still too long is cut at clauses, then at words."""
    units = []
    for unit in breaker(text, span):
        if _n_words(text, unit) <= max_words:
            units.append(unit)
        elif breaker is _sentence_breaks:
            units.extend(_units(text, unit, _clause_breaks, max_words))
        else:
            units.extend(_word_chunks(text, unit, max_words))
    return units


def _sentence_breaks(text: str, span: tuple[int, int]) -> list[tuple[int, int]]:
    return sentence_spans(text, span[0], span[1])


def _clause_breaks(text: str, span: tuple[int, int]) -> list[tuple[int, int]]:
    return split_spans(text, span[0], span[1], _CLAUSE_END, check_abbreviation=False)


def _word_chunks(text: str, span: tuple[int, int], max_words: int) -> list[tuple[int, int]]:
    words = list(_WORD.finditer(text, span[0], span[1]))
    return [
        (words[i].start(), words[min(i + max_words, len(words)) - 1].end())
        for i in range(0, len(words), max_words)
    ]


def _pack(text: str, units: list[tuple[int, int]], max_words: int) -> list[tuple[int, int]]:
    """Greedily pack consecutive sentences into passages of at most ``max_words``."""
    packed: list[tuple[int, int]] = []
    count = 0
    for unit in units:
        words = _n_words(text, unit)
        if packed and count + words <= max_words:
            packed[-1] = (packed[-1][0], unit[1])
            count += words
        else:
            packed.append(unit)
            count = words
    return packed


def _merge_fragments(
    text: str, spans: list[tuple[int, int]], min_words: int
) -> list[tuple[int, int]]:
    """Merge spans shorter than ``min_words`` with a neighbour: a fragment that continues a
    sentence (lower-case start, e.g. the last item of a list) joins the span before it; any
    other fragment (a heading, a label) joins the span after it."""
    merged: list[tuple[int, int]] = []
    pending: int | None = None  # start of fragments waiting for a longer span
    for start, end in spans:
        is_short = _n_words(text, (start, end)) < min_words
        if is_short and pending is None and merged and text[start].islower():
            merged[-1] = (merged[-1][0], end)
            continue
        begin = start if pending is None else pending
        if _n_words(text, (begin, end)) < min_words:
            pending = begin
            continue
        merged.append((begin, end))
        pending = None
    if pending is not None:
        last_end = spans[-1][1]
        if merged:
            merged[-1] = (merged[-1][0], last_end)
        else:
            merged.append((pending, last_end))
    return merged
