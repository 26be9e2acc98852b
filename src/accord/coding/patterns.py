"""Codebook cue patterns, found in one pass over a passage for every dimension at once.

Plain patterns (phrases, ``word*`` endings, ``(a|b)`` alternatives) are spelled out into
literal keys and searched with an Aho-Corasick automaton (pyahocorasick) over the passage
lower-cased with runs of separators (spaces, hyphens, line breaks) collapsed to one space. All
occurrences are reported, overlapping ones included, so a cue of one dimension never hides a
cue of another; word boundaries and ``*`` endings are checked at each occurrence, and offsets
are mapped back to the original text. Raw ``re:`` patterns use Python regular expressions.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import ahocorasick

from accord.coding.regex_keys import regex_keys
from accord.errors import CodebookError
from accord.model.codebook import Dimension

_RAW = "re:"
_SEPARATORS = re.compile(r"[\s\-‐‑–]+")
# Numbering, bullets and quotes that may precede a leading cue ("3. Decides", "(a) Notes").
_LEADING_PREFIX = re.compile(r"(?:[\s\"“'‘•*–—-]|\(?(?:\d{1,3}|[a-z]|[ivx]{1,5})[.)](?=\s))*", re.I)
_GROUP = re.compile(r"\(([^()]*)\)")

STRONG, WEAK, EXCLUDE, LEADING = "strong", "weak", "exclude", "leading"
LITERAL, WILDCARD, VERIFY, RAW = "literal", "wildcard", "verify", "raw"


class Hit(NamedTuple):  # a tuple: built by the hundred thousand in the hot loop
    category: str
    kind: str  # strong | weak | exclude | leading
    pattern: str
    start: int
    end: int
    dimension: str = ""


@dataclass(frozen=True, slots=True)
class _Leaf:
    dimension: str
    category: str
    kind: str
    pattern: str


@dataclass(frozen=True, slots=True)
class Prepared:
    """A passage ready for matching: normalised text and the way back to original offsets."""

    text: str
    norm: str  # lower-cased, separator runs collapsed to one space
    marks: tuple[int, ...]  # norm offsets after which the original text was longer ...
    shifts: tuple[int, ...]  # ... by this many characters in total
    # ``norm`` behind one space, punctuation turned to spaces: a key written " word" can then
    # only be found where a word starts (``spaced[i + 1] == norm[i]``).
    spaced: str

    def origin(self, index: int) -> int:
        """The original offset of ``norm[index]``."""
        k = bisect.bisect_right(self.marks, index)
        return index + (self.shifts[k - 1] if k else 0)


_PUNCTUATION = re.compile(r"[^\w\s]")
_SPACE_RUNS = re.compile(" {2,}")
_SEPARATOR_CHARS = [chr(c) for c in range(0x3001) if _SEPARATORS.fullmatch(chr(c))]
_SEPARATOR_TABLE = str.maketrans(dict.fromkeys(_SEPARATOR_CHARS, " "))
_SEPARATOR_BYTES = bytes.maketrans(
    bytes(ord(c) for c in _SEPARATOR_CHARS if c.isascii()),
    b" " * sum(c.isascii() for c in _SEPARATOR_CHARS),
)
_ASCII_PUNCTUATION = bytes(c for c in range(128) if _PUNCTUATION.fullmatch(chr(c)))
_PUNCTUATION_BYTES = bytes.maketrans(_ASCII_PUNCTUATION, b" " * len(_ASCII_PUNCTUATION))
_WORD_KEY = re.compile(r"[^\W_][\w ]*")  # keys made of words only (the common case)


def prepare(text: str) -> Prepared:
    low = text.lower()
    if len(low) != len(text):  # a few characters ('İ') lower-case to two; keep offsets
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    # str.translate and a check for double spaces beat a regex over every character here.
    single = _translate(low, _SEPARATOR_BYTES, _SEPARATOR_TABLE)
    marks, shifts, removed = [], [], 0
    if "  " in single:
        for match in _SPACE_RUNS.finditer(single):
            removed += match.end() - match.start() - 1
            marks.append(match.end() - removed)  # first norm offset after the collapsed run
            shifts.append(removed)
        norm = _SPACE_RUNS.sub(" ", single)
    else:
        norm = single
    spaced = " " + _translate(norm, _PUNCTUATION_BYTES, None)
    return Prepared(text, norm, tuple(marks), tuple(shifts), spaced)


def _translate(text: str, ascii_table: bytes, table: dict[int, str] | None) -> str:
    """Characters of a class turned to spaces: bytes.translate for ASCII text (most
    passages), else the Unicode table, or for punctuation (too many to list) the regex."""
    if text.isascii():
        return text.encode("ascii").translate(ascii_table).decode("ascii")
    return text.translate(table) if table is not None else _PUNCTUATION.sub(" ", text)


def expand(pattern: str) -> list[str]:
    """Spell out ``(a|b|)`` alternatives: "organi(s|z)ation" -> organisation, organization.

    Example:
        >>> expand("(learning|test) environment(s|)")
        ['learning environments', 'learning environment', 'test environments', 'test environment']
    """
    match = _GROUP.search(pattern)
    if match is None:
        return [pattern]
    head, tail = pattern[: match.start()], pattern[match.end() :]
    return [v for option in match.group(1).split("|") for v in expand(head + option + tail)]


def literal_forms(variant: str) -> list[str]:
    """A variant as normalised keys: a hyphen may be written, spaced or omitted.

    Example:
        >>> literal_forms("Co-operation")
        ['cooperation', 'co operation']
    """
    text = " ".join(variant.lower().split())
    if "-" not in text:
        return [text] if text else []
    joined = text.replace("-", "")
    spaced = " ".join(text.replace("-", " ").split())
    return list(dict.fromkeys([joined, spaced]))


def pattern_atoms(pattern: str) -> list[str]:
    """The normalised keys of a plain pattern (empty when it has no words)."""
    return [form for variant in expand(pattern) for form in literal_forms(variant)]


def _verifier(forms: list[str]) -> re.Pattern[str]:
    """One regex for the keys with ``*`` inside them that share a start and a pattern
    ("cooperat* with the", "cooperat* with"), checked where that start occurs. Longer forms
    come first so the longest one that fits is the evidence."""

    def one(form: str) -> str:
        parts = [re.escape(p).replace(r"\ ", " ") for p in form.split("*")]
        return r"\w*".join(parts) + ("" if form.endswith("*") else r"(?!\w)")

    ordered = sorted(dict.fromkeys(forms), key=lambda f: (-len(f), f))
    return re.compile("|".join(f"(?:{one(f)})" for f in ordered))


class PatternSet:
    """Patterns (of any dimensions and kinds) found in one pass over a prepared passage."""

    def __init__(self, entries: Iterable[tuple[str, str, str, str] | tuple[str, str, str]]):
        self.automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
        keys: dict[str, list[tuple[_Leaf, str, re.Pattern[str] | None]]] = defaultdict(list)
        verified: dict[tuple[str, _Leaf], list[str]] = defaultdict(list)
        # Raw patterns without a selective literal start, scanned with their own regex.
        self.scanned: list[tuple[_Leaf, re.Pattern[str]]] = []
        for entry in entries:
            leaf = _Leaf(*entry) if len(entry) == 4 else _Leaf("", *entry)
            pattern = leaf.pattern.strip()
            if pattern.startswith(_RAW):
                body = pattern[len(_RAW) :]
                literal_keys = regex_keys(body)
                if literal_keys:  # found through its literal keys, then checked in place
                    check = re.compile(f"(?:{body})(?!\\w)", re.IGNORECASE)
                    for key in literal_keys:
                        keys[key].append((leaf, RAW, check))
                    continue
                self.scanned.append((leaf, re.compile(f"(?:{body})(?!\\w)", re.IGNORECASE)))
                continue
            for form in pattern_atoms(pattern):
                self._add(keys, verified, leaf, form)
        for (key, leaf), forms in verified.items():
            keys[key].append((leaf, VERIFY, _verifier(forms)))
        self.size = len(keys)
        self.longest = max(map(len, keys), default=0)
        # Word-only keys are searched as " key" in the spaced text, so they are found only at
        # word starts (most occurrences inside words are never reported); the few keys with
        # punctuation are searched in the normalised text and checked for a word start.
        self.words = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
        for key, targets in keys.items():
            value = (len(key), *_by_mode(targets))
            if _WORD_KEY.fullmatch(key):
                self.words.add_word(" " + key, value)
            else:
                self.automaton.add_word(key, value)
        for automaton in (self.words, self.automaton):
            if len(automaton):
                automaton.make_automaton()

    @staticmethod
    def _add(keys, verified, leaf: _Leaf, form: str) -> None:
        star = form.find("*")
        if star == -1:
            keys[form].append((leaf, LITERAL, None))
        elif star == len(form) - 1:
            keys[form[:-1]].append((leaf, WILDCARD, None))
        elif form[:star].strip():
            verified[(form[:star], leaf)].append(form)

    def find(
        self, text: str, prepared: Prepared | None = None, start: int = 0, end: int | None = None
    ) -> list[Hit]:
        """Every occurrence in ``text[start:end]`` (original offsets)."""
        prepared = prepared or prepare(text)
        end = len(text) if end is None else end
        hits = self._literal_hits(prepared)
        for leaf, regex in self.scanned:
            hits.extend(_hit(leaf, match) for match in _word_start_matches(regex, text))
        if start == 0 and end == len(text):
            return hits
        return [h for h in hits if start <= h.start and h.end <= end]

    def _literal_hits(self, prepared: Prepared, limit: int | None = None) -> list[Hit]:
        """Occurrences of the automatons' keys that sit on word boundaries (the hot loop)."""
        if not self.size:
            return []
        norm = prepared.norm
        end = min(limit or len(norm), len(norm))
        hits: list[Hit] = []
        if len(self.words):
            # In the spaced text a key " word" ending at j covers norm[j - length : j].
            for last, value in self.words.iter(prepared.spaced, 0, end + 1):
                self._confirm(prepared, last - value[0], last, value, hits)
        if len(self.automaton):
            for last, value in self.automaton.iter(norm, 0, end):
                first = last - value[0] + 1
                if first > 0:
                    before = norm[first - 1]
                    if before.isalnum() or before == "_":
                        continue
                self._confirm(prepared, first, last + 1, value, hits)
        return hits

    @staticmethod
    def _confirm(prepared: Prepared, first: int, stop: int, value: tuple, hits: list[Hit]) -> None:
        """The hits of one key occurrence ``norm[first:stop]``: literals need a word end,
        ``*`` endings run to the end of the word, inner ``*`` and raw patterns are checked by
        their regexes; offsets are mapped back to the original text."""
        _, literal, wildcard, verified, raw = value
        norm = prepared.norm
        origin = prepared.origin if prepared.marks else _same
        begin = origin(first)
        if literal and (stop >= len(norm) or not _word_char(norm[stop])):
            finish = origin(stop - 1) + 1
            hits.extend(
                Hit(leaf.category, leaf.kind, leaf.pattern, begin, finish, leaf.dimension)
                for leaf in literal
            )
        if wildcard:
            word_end = stop
            while word_end < len(norm) and _word_char(norm[word_end]):
                word_end += 1
            finish = origin(word_end - 1) + 1
            hits.extend(
                Hit(leaf.category, leaf.kind, leaf.pattern, begin, finish, leaf.dimension)
                for leaf in wildcard
            )
        for leaf, verifier in verified:
            match = verifier.match(norm, first)
            if match is not None:
                finish = origin(match.end() - 1) + 1
                hits.append(
                    Hit(leaf.category, leaf.kind, leaf.pattern, begin, finish, leaf.dimension)
                )
        for leaf, check in raw:
            match = check.match(prepared.text, begin)
            if match is not None:
                hits.append(
                    Hit(leaf.category, leaf.kind, leaf.pattern, begin, match.end(), leaf.dimension)
                )

    def match_start(self, text: str, prepared: Prepared | None = None) -> list[Hit]:
        """The longest hit that opens ``text`` (after numbering, bullets and quotes)."""
        position = _LEADING_PREFIX.match(text).end()
        # A leading cue opens the passage: keys ending further on cannot start there.
        window = position + self.longest + 1
        found = [
            h for h in self._literal_hits(prepared or prepare(text), window) if h.start == position
        ]
        if position == 0 or not _word_char(text[position - 1]):
            for leaf, regex in self.scanned:
                match = regex.match(text, position)
                if match:
                    found.append(_hit(leaf, match))
        return sorted(found, key=lambda h: -(h.end - h.start))[:1]


def _by_mode(targets: list[tuple[_Leaf, str, re.Pattern[str] | None]]) -> tuple[tuple, ...]:
    """A key's targets as (literal leaves, wildcard leaves, (leaf, regex) to verify, (leaf,
    regex) raw), so that checks shared by a key run once per occurrence."""
    return (
        tuple(leaf for leaf, mode, _ in targets if mode == LITERAL),
        tuple(leaf for leaf, mode, _ in targets if mode == WILDCARD),
        tuple((leaf, regex) for leaf, mode, regex in targets if mode == VERIFY),
        tuple((leaf, regex) for leaf, mode, regex in targets if mode == RAW),
    )


def _hit(leaf: _Leaf, match: re.Match[str]) -> Hit:
    return Hit(leaf.category, leaf.kind, leaf.pattern, match.start(), match.end(), leaf.dimension)


def _word_start_matches(regex: re.Pattern[str], text: str) -> Iterable[re.Match[str]]:
    """Non-overlapping matches that start a word. Checked here rather than by a leading
    ``(?<!\\w)`` in the regex, which would stop the engine from skipping ahead to where the
    pattern's first character occurs."""
    position = 0
    while (match := regex.search(text, position)) is not None:
        start = match.start()
        if start and _word_char(text[start - 1]):
            position = start + 1
            continue
        yield match
        position = max(match.end(), start + 1)


def _word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _same(index: int) -> int:
    return index


def cue_entries(dimension: Dimension) -> list[tuple[str, str, str, str]]:
    """(dimension, category, kind, pattern) for every cue and exclusion of a dimension."""
    return [
        (dimension.id, c.id, kind, p)
        for c in dimension.categories
        for kind, patterns in ((STRONG, c.patterns), (WEAK, c.weak_patterns), (EXCLUDE, c.exclude))
        for p in patterns
    ]


class DimensionMatcher:
    """The cue, exclusion and leading patterns of one dimension."""

    def __init__(self, dimension: Dimension):
        self.dimension = dimension
        try:
            self.scan = PatternSet(cue_entries(dimension))
            self.leading = PatternSet(
                (dimension.id, c.id, LEADING, p) for c in dimension.categories for p in c.leading
            )
        except re.error as exc:
            raise CodebookError(
                f"dimension '{dimension.id}': a pattern is not a valid regular expression ({exc}).",
                hint="Check the 're:' patterns of this dimension.",
            ) from exc

    def hits(self, text: str, prepared: Prepared | None = None) -> dict[str, list[Hit]]:
        """Cue hits per category, minus those inside an exclusion of the same category."""
        return filter_cues(self.scan.find(text, prepared))

    def leading_hits(self, text: str, prepared: Prepared | None = None) -> list[Hit]:
        return self.leading.match_start(text, prepared)


def filter_cues(found: list[Hit]) -> dict[str, list[Hit]]:
    """Cues per category: those inside an exclusion of their own category are dropped, and a
    cue inside a longer cue of the same category counts once (the longer one)."""
    excluded: dict[str, list[tuple[int, int]]] = defaultdict(list)
    cues: dict[str, list[Hit]] = defaultdict(list)
    for hit in found:
        if hit.kind == EXCLUDE:
            excluded[hit.category].append((hit.start, hit.end))
        elif hit.kind != LEADING:
            cues[hit.category].append(hit)
    kept: dict[str, list[Hit]] = {}
    for category, hits in cues.items():
        spans = excluded.get(category, ())
        ordered = sorted(hits, key=lambda h: (h.start, -(h.end - h.start), h.pattern))
        chosen: list[Hit] = []
        reach = -1  # furthest end of the cues kept so far
        for hit in ordered:
            if any(s <= hit.start and hit.end <= e for s, e in spans) or hit.end <= reach:
                continue
            chosen.append(hit)
            reach = max(reach, hit.end)
        if chosen:
            kept[category] = chosen
    return kept
