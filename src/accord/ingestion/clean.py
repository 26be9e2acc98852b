"""Raw page text to clean paragraphs: characters normalised, running headers, footers and bare
page numbers dropped, wrapped and hyphenated lines joined.

Each cleaned page is its paragraphs joined by blank lines, so every character still belongs to
the page it was printed on.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

_LIGATURES = str.maketrans(
    {
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\ufb05": "st",
        "\ufb06": "st",
        "\u00ad": None,  # soft hyphen
        "\u200b": None,  # zero-width space
        "\u200c": None,
        "\u200d": None,
        "\ufeff": None,
        "\u00a0": " ",
        "\u2002": " ",
        "\u2003": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\t": " ",
        "\u2028": "\n",
        "\u2029": "\n\n",
        "\x0b": "\n",
        "\r": "\n",
    }
)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_SPACES = re.compile(r" {2,}")

# Lines that are nothing but a page number: "7", "- 7 -", "Page 7", "7 of 12", "2/8", "vii".
_PAGE_NUMBER = re.compile(
    r"^(?:page\s+)?(?:[-–—]\s*)?\d{1,3}(?:\s*[-–—])?(?:\s*(?:/|of)\s*\d{1,3})?$|^[ivxlc]{1,6}$",
    re.IGNORECASE,
)
_EDGE_LINES = 3  # running headers and footers live in the first and last lines of a page
_MAX_HEADER_WORDS = 10  # longer edge lines are body text, even when they repeat
_BULLET = re.compile(
    r"^(?:[•●▪■◦○‣∙·*–—-]\s|\(?[a-z]\)\s|\(?[ivx]{1,5}\)\s|\(?\d{1,3}[.)]\s|\d{1,2}(?:\.\d{1,2})+\.?\s"
    r"|(?:article|section|chapter|annex|part)\s+[\dIVXL]+\b)",
    re.IGNORECASE,
)
_TERMINAL = re.compile(r"[.!?:;]['\"”’)\]]*$")
_HYPHENATED = re.compile(r"[A-Za-zÀ-ÿ]-$")


def normalise_chars(text: str) -> str:
    """Ligatures, odd spaces and control characters to plain text (NFC)."""
    text = unicodedata.normalize("NFC", text.translate(_LIGATURES))
    return _SPACES.sub(" ", _CONTROL.sub("", text))


def _line_key(line: str) -> str:
    """Compare header lines modulo page numbers and spacing."""
    return re.sub(r"\d+", "#", " ".join(line.split()).casefold())


@dataclass(frozen=True, slots=True)
class CleaningStats:
    """What cleaning removed or joined, so no word disappears unaccounted for."""

    n_words_source: int  # words in the extracted text, before cleaning
    n_lines_removed: int  # running headers/footers and bare page numbers
    n_words_removed: int
    n_hyphen_joins: int  # words mended across a line break (two tokens became one)


def drop_running_lines(pages: Sequence[list[str]]) -> list[list[str]]:
    """Remove headers/footers repeated at the edges of many pages, and bare page numbers."""
    n_pages = len(pages)
    edge_counts: Counter[str] = Counter()
    for lines in pages:
        edges = _edge_indexes(lines)
        edge_counts.update(
            {_line_key(lines[i]) for i in edges if len(lines[i].split()) <= _MAX_HEADER_WORDS}
        )
    threshold = max(3, math.ceil(0.3 * n_pages))
    running = {key for key, count in edge_counts.items() if count >= threshold}
    # Text without page breaks: running headers are wherever the old page breaks were.
    anywhere = n_pages == 1
    if anywhere:
        running = _repeated_short_lines(pages[0])
    cleaned = []
    for lines in pages:
        edges = _edge_indexes(lines)
        kept = []
        for i, line in enumerate(lines):
            stripped = line.strip()
            at_edge = anywhere or i in edges
            if stripped and at_edge and _line_key(stripped) in running:
                continue
            if stripped and at_edge and _PAGE_NUMBER.match(stripped):
                continue
            kept.append(line)
        cleaned.append(kept)
    return cleaned


def _edge_indexes(lines: list[str]) -> set[int]:
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return set(filled[:_EDGE_LINES] + filled[-_EDGE_LINES:])


def _repeated_short_lines(lines: list[str]) -> set[str]:
    """In text without page breaks, running headers show up as the same short line many times."""
    counts = Counter(
        _line_key(line)
        for line in lines
        if 0 < len(line.split()) <= 6
        and not _TERMINAL.search(line.strip())
        and not _BULLET.match(line.strip() + " ")
    )
    return {key for key, count in counts.items() if count >= 5}


def join_lines(lines: Sequence[str], headings: frozenset[str] = frozenset()) -> list[str]:
    """Group lines into paragraphs: blank lines, bullets, headings and short closing lines end a
    paragraph; wrapped lines are joined and words hyphenated across lines are mended."""
    paragraphs: list[str] = []
    current = ""
    width = max((len(line.rstrip()) for line in lines), default=0)
    for index, raw in enumerate(lines):
        next_raw = lines[index + 1] if index + 1 < len(lines) else ""
        line = raw.strip()
        if not line:
            current = _flush(paragraphs, current)
            continue
        if current and (_BULLET.match(line) or line in headings):
            current = _flush(paragraphs, current)
        current = _append(current, line)
        if line in headings or _ends_paragraph(raw, next_raw.strip(), width):
            current = _flush(paragraphs, current)
    _flush(paragraphs, current)
    return paragraphs


def _append(current: str, line: str) -> str:
    if not current:
        return line
    if _HYPHENATED.search(current) and line[:1].islower():
        return current[:-1] + line
    return f"{current} {line}"


def _flush(paragraphs: list[str], current: str) -> str:
    if current:
        paragraphs.append(current)
    return ""


def _ends_paragraph(raw: str, next_line: str, width: int) -> bool:
    line = raw.strip()
    if not next_line:
        return False
    if _TERMINAL.search(line) and len(raw.rstrip()) < 0.8 * width:
        return True
    # A short line without closing punctuation followed by a capital is a heading.
    starts_capital = next_line[:1].isupper() or next_line[:1].isdigit()
    is_short = len(line) < 0.5 * width and len(line.split()) <= 12
    return (
        is_short and starts_capital and not line.endswith((",", "-", "–", "and", "or", "of", "the"))
    )


def clean_pages(
    pages: Sequence[str], headings: frozenset[str] = frozenset()
) -> tuple[list[str], CleaningStats]:
    """Clean every page; return one string per page (paragraphs separated by blank lines)."""
    split = [normalise_chars(page).split("\n") for page in pages]
    kept = drop_running_lines(split)
    before = [len(line.split()) for lines in split for line in lines]
    after = [len(line.split()) for lines in kept for line in lines]
    joins = sum(
        1
        for lines in kept
        for line, following in itertools.pairwise(lines)
        if _HYPHENATED.search(line.rstrip()) and following.strip()[:1].islower()
    )
    stats = CleaningStats(
        n_words_source=sum(before),
        n_lines_removed=sum(len(lines) for lines in split) - sum(len(lines) for lines in kept),
        n_words_removed=sum(before) - sum(after),
        n_hyphen_joins=joins,
    )
    return ["\n\n".join(join_lines(lines, headings)) for lines in kept], stats
