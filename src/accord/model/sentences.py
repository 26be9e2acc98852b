"""Sentence boundaries in policy prose (pure), shared by segmentation and evidence."""

from __future__ import annotations

import re

# A sentence ends at . ! ? followed by space and a capital, digit, quote or bracket,
# unless the dot belongs to a common abbreviation.
_SENTENCE_END = re.compile(r"(?<=[.!?])['\"”’)\]]*\s+(?=[A-Z0-9\"“‘(\[•])")
_ABBREVIATIONS = re.compile(
    r"\b(?:e\.g|i\.e|etc|vs|cf|al|no|nos|art|arts|para|paras|p|pp|vol|fig|dr|mr|ms|mrs|st"
    r"|inc|ltd|co|approx|op|ibid|u\.s|u\.k|u\.n|[A-Z])\.$",
    re.IGNORECASE,
)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def split_spans(
    text: str, start: int, end: int, pattern: re.Pattern[str], *, check_abbreviation: bool
) -> list[tuple[int, int]]:
    """Cut ``text[start:end]`` where ``pattern`` matches; return the non-empty pieces."""
    pieces, piece_start = [], start
    for match in pattern.finditer(text, start, end):
        before = text[piece_start : match.start()]
        if check_abbreviation and _ABBREVIATIONS.search(before.rstrip("'\"”’)]")):
            continue
        pieces.append((piece_start, match.start()))
        piece_start = match.end()
    pieces.append((piece_start, end))
    return [(s, e) for s, e in pieces if e > s]


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentences of ``text[start:end]`` as (start, end) offsets; paragraph breaks also end one.

    Example:
        >>> text = "Members shall report, e.g. yearly. The Board reviews it."
        >>> [text[s:e] for s, e in sentence_spans(text)]
        ['Members shall report, e.g. yearly.', 'The Board reviews it.']
    """
    end = len(text) if end is None else end
    spans = []
    for block_start, block_end in split_spans(
        text, start, end, _PARAGRAPH_BREAK, check_abbreviation=False
    ):
        spans.extend(
            split_spans(text, block_start, block_end, _SENTENCE_END, check_abbreviation=True)
        )
    return spans
