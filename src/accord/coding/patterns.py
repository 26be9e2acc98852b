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

import ahocorasick

from accord.errors import CodebookError
from accord.model.codebook import Dimension

_RAW = "re:"
_SEPARATORS = re.compile(r"[\s\-‐‑–]+")
# Numbering, bullets and quotes that may precede a leading cue ("3. Decides", "(a) Notes").
_LEADING_PREFIX = re.compile(r"(?:[\s\"“'‘•*–—-]|\(?(?:\d{1,3}|[a-z]|[ivx]{1,5})[.)](?=\s))*", re.I)
_GROUP = re.compile(r"\(([^()]*)\)")

STRONG, WEAK, EXCLUDE, LEADING = "strong", "weak", "exclude", "leading"
LITERAL, WILDCARD, VERIFY, RAW = "literal", "wildcard", "verify", "raw"
LEADING_WINDOW = 400  # characters searched for a leading cue
MIN_PREFIX = 2  # shortest literal start that lets a raw pattern be looked up, not scanned


@dataclass(frozen=True, slots=True)
class Hit:
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

    def origin(self, index: int) -> int:
        """The original offset of ``norm[index]``."""
        k = bisect.bisect_right(self.marks, index)
        return index + (self.shifts[k - 1] if k else 0)

    @property
    def spaced(self) -> str:
        """``norm`` behind one space, punctuation turned to spaces: a key written " word" can
        then only be found where a word starts (``spaced[i + 1] == norm[i]``)."""
        return " " + _PUNCTUATION.sub(" ", self.norm)


_LONG_SEPARATORS = re.compile(r"[\s\-‐‑–]{2,}")
_PUNCTUATION = re.compile(r"[^\w\s]")
_WORD_KEY = re.compile(r"[^\W_][\w ]*")  # keys made of words only (the common case)


def prepare(text: str) -> Prepared:
    low = text.lower()
    if len(low) != len(text):  # a few characters ('İ') lower-case to two; keep offsets
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    marks, shifts, removed = [], [], 0
    for match in _LONG_SEPARATORS.finditer(low):
        removed += match.end() - match.start() - 1
        marks.append(match.end() - removed)  # first norm offset after the collapsed run
        shifts.append(removed)
    return Prepared(text, _SEPARATORS.sub(" ", low), tuple(marks), tuple(shifts))


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


def raw_prefixes(body: str) -> list[str] | None:
    """The literal texts a raw pattern must start with ("cooperat", "collaborat", ...), when
    each is at least MIN_PREFIX characters long; None when the pattern has no such start
    (it is then scanned with its regular expression)."""
    import re._constants as const
    import re._parser as parser

    try:
        items = list(parser.parse(body, re.IGNORECASE))
    except re.error:
        return None
    while items and items[0][0] is const.AT:
        items = items[1:]
    starts = _starts(items)
    # A start must be selective: two characters, or one that is not a letter or digit ("€").
    if not starts or any(len(s) < MIN_PREFIX and not (s and not s[0].isalnum()) for s in starts):
        return None
    return starts


def _starts(items: list) -> list[str]:
    """Literal starts of a parsed pattern: its leading literal characters, then each branch of
    the group that follows them, if any."""
    import re._constants as const

    head = _literal_start(items)
    rest = (
        items[len(head) :]
        if len(head) == len(items) or items[len(head)][0] is not const.LITERAL
        else []
    )
    if not rest:
        return [head]
    op, value = rest[0]
    if op is const.SUBPATTERN:
        inner = list(value[3])
        branches = inner[0][1][1] if len(inner) == 1 and inner[0][0] is const.BRANCH else [inner]
    elif op is const.BRANCH:
        branches = value[1]
    else:
        return [head]
    return [head + _literal_start(list(branch)) for branch in branches]


def _literal_start(items: list) -> str:
    import re._constants as const

    text = ""
    for op, value in items:
        if op is not const.LITERAL:
            break
        text += chr(value)
    return text


def _verifier(form: str) -> re.Pattern[str]:
    """A regex for a key with ``*`` inside it ("cooperat* with the"), checked where the part
    before the first ``*`` occurs."""
    parts = [re.escape(p).replace(r"\ ", " ") for p in form.split("*")]
    return re.compile(r"\w*".join(parts) + (r"" if form.endswith("*") else r"(?!\w)"))


class PatternSet:
    """Patterns (of any dimensions and kinds) found in one pass over a prepared passage."""

    def __init__(self, entries: Iterable[tuple[str, str, str, str] | tuple[str, str, str]]):
        self.automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
        keys: dict[str, list[tuple[_Leaf, str, re.Pattern[str] | None]]] = defaultdict(list)
        raw: dict[str, list[str]] = defaultdict(list)
        self._raw_leaves: dict[str, _Leaf] = {}
        for entry in entries:
            leaf = _Leaf(*entry) if len(entry) == 4 else _Leaf("", *entry)
            pattern = leaf.pattern.strip()
            if pattern.startswith(_RAW):
                body = pattern[len(_RAW) :]
                prefixes = raw_prefixes(body)
                if prefixes:  # found through its literal starts, then checked in place
                    check = re.compile(f"(?:{body})(?!\\w)", re.IGNORECASE)
                    for prefix in prefixes:
                        for form in literal_forms(prefix):
                            keys[form].append((leaf, RAW, check))
                    continue
                group = f"p{len(self._raw_leaves)}"
                self._raw_leaves[group] = leaf
                raw[leaf.dimension].append(f"(?:{body})(?!\\w)(?P<{group}>)")
                continue
            for form in pattern_atoms(pattern):
                self._add(keys, leaf, form)
        self.size = len(keys)
        # Word-only keys are searched as " key" in the spaced text, so they are found only at
        # word starts (most occurrences inside words are never reported); the few keys with
        # punctuation are searched in the normalised text and checked for a word start.
        self.words = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
        for key, targets in keys.items():
            if _WORD_KEY.fullmatch(key):
                self.words.add_word(" " + key, (len(key), tuple(targets)))
            else:
                self.automaton.add_word(key, (len(key), tuple(targets)))
        for automaton in (self.words, self.automaton):
            if len(automaton):
                automaton.make_automaton()
        self.raw = {
            dimension: re.compile(rf"(?<!\w)(?:{'|'.join(branches)})", re.IGNORECASE)
            for dimension, branches in raw.items()
        }

    @staticmethod
    def _add(keys, leaf: _Leaf, form: str) -> None:
        star = form.find("*")
        if star == -1:
            keys[form].append((leaf, LITERAL, None))
        elif star == len(form) - 1:
            keys[form[:-1]].append((leaf, WILDCARD, None))
        elif form[:star].strip():
            keys[form[:star]].append((leaf, VERIFY, _verifier(form)))

    def find(
        self, text: str, prepared: Prepared | None = None, start: int = 0, end: int | None = None
    ) -> list[Hit]:
        """Every occurrence in ``text[start:end]`` (original offsets)."""
        prepared = prepared or prepare(text)
        end = len(text) if end is None else end
        hits = self._literal_hits(prepared)
        for regex in self.raw.values():
            hits.extend(self._raw_hit(match) for match in regex.finditer(text))
        return [h for h in hits if start <= h.start and h.end <= end]

    def _raw_hit(self, match: re.Match[str]) -> Hit:
        leaf = self._raw_leaves[match.lastgroup or ""]
        return Hit(
            leaf.category, leaf.kind, leaf.pattern, match.start(), match.end(), leaf.dimension
        )

    def _literal_hits(self, prepared: Prepared, limit: int | None = None) -> list[Hit]:
        """Occurrences of the automatons' keys that sit on word boundaries (the hot loop)."""
        if not self.size:
            return []
        norm = prepared.norm
        end = min(limit or len(norm), len(norm))
        found: list[tuple[int, int, tuple]] = []  # (first, last, targets) in norm offsets
        if len(self.words):
            # In the spaced text a key " word" ending at j covers norm[j - length : j].
            found.extend(
                (last - length, last - 1, targets)
                for last, (length, targets) in self.words.iter(prepared.spaced, 0, end + 1)
            )
        if len(self.automaton):
            for last, (length, targets) in self.automaton.iter(norm, 0, end):
                first = last - length + 1
                if first > 0:
                    before = norm[first - 1]
                    if before.isalnum() or before == "_":
                        continue
                found.append((first, last, targets))
        return self._confirm(prepared, found)

    def _confirm(self, prepared: Prepared, found) -> list[Hit]:
        """Check word ends, extend ``*`` endings, verify patterns with inner ``*`` or raw
        regexes, and map to original offsets."""
        norm, origin, text = prepared.norm, prepared.origin, prepared.text
        size = len(norm)
        hits = []
        append = hits.append
        for first, last, targets in found:
            for leaf, mode, verifier in targets:
                stop = last + 1
                if mode == LITERAL:
                    if stop < size:
                        after = norm[stop]
                        if after.isalnum() or after == "_":
                            continue
                elif mode == WILDCARD:
                    while stop < size and (norm[stop].isalnum() or norm[stop] == "_"):
                        stop += 1
                elif mode == RAW:
                    begin = origin(first)
                    match = verifier.match(text, begin)
                    if match is not None:
                        append(
                            Hit(
                                leaf.category,
                                leaf.kind,
                                leaf.pattern,
                                begin,
                                match.end(),
                                leaf.dimension,
                            )
                        )
                    continue
                else:
                    match = verifier.match(norm, first)
                    if match is None:
                        continue
                    stop = match.end()
                append(
                    Hit(
                        leaf.category,
                        leaf.kind,
                        leaf.pattern,
                        origin(first),
                        origin(stop - 1) + 1,
                        leaf.dimension,
                    )
                )
        return hits

    def match_start(self, text: str, prepared: Prepared | None = None) -> list[Hit]:
        """The longest hit that opens ``text`` (after numbering, bullets and quotes)."""
        position = _LEADING_PREFIX.match(text).end()
        window = position + LEADING_WINDOW  # a leading cue opens the passage: look no further
        found = [
            h for h in self._literal_hits(prepared or prepare(text), window) if h.start == position
        ]
        for regex in self.raw.values():
            match = regex.match(text, position)
            if match:
                found.append(self._raw_hit(match))
        return sorted(found, key=lambda h: -(h.end - h.start))[:1]


class DimensionMatcher:
    """The cue, exclusion and leading patterns of one dimension."""

    def __init__(self, dimension: Dimension):
        self.dimension = dimension
        entries = [
            (dimension.id, c.id, kind, p)
            for c in dimension.categories
            for kind, patterns in (
                (STRONG, c.patterns),
                (WEAK, c.weak_patterns),
                (EXCLUDE, c.exclude),
            )
            for p in patterns
        ]
        try:
            self.scan = PatternSet(entries)
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
