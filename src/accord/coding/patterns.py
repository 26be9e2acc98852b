"""Codebook cue patterns compiled into one regular expression per dimension and role.

All the patterns of a dimension become a single trie-shaped alternation, so a passage is
scanned once per dimension however many patterns there are, and shared prefixes
("health care", "health data", "healthcare") are tried once. An empty named group at the end
of each branch tells which pattern matched.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from accord.errors import CodebookError
from accord.model.codebook import Dimension

SEPARATOR = r"[\s\-–]+"  # a space in a pattern: spaces, hyphens or line breaks
OPTIONAL_SEPARATOR = r"[\s\-–]?"  # a hyphen in a pattern: "co-operation", "cooperation"
WORD_END = r"(?!\w)"
_RAW = "re:"
# Numbering, bullets and quotes that may precede a leading cue ("3. Decides", "(a) Notes").
_LEADING_PREFIX = re.compile(r"(?:[\s\"“'‘•*–—-]|\(?(?:\d{1,3}|[a-z]|[ivx]{1,5})[.)](?=\s))*", re.I)

STRONG, WEAK, EXCLUDE, LEADING = "strong", "weak", "exclude", "leading"


@dataclass(frozen=True, slots=True)
class Hit:
    category: str
    kind: str  # strong | weak | exclude | leading
    pattern: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Leaf:
    category: str
    kind: str
    pattern: str


_GROUP = re.compile(r"\(([^()]*)\)")


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


def pattern_atoms(pattern: str) -> list[str]:
    """A pattern as regex atoms: one per character, separators and wildcards as classes.

    Example:
        >>> pattern_atoms("co-op*")
        ['c', 'o', '[\\\\s\\\\-–]?', 'o', 'p', '\\\\w*']
    """
    atoms: list[str] = []
    text = " ".join(pattern.strip().split())
    for char in text:
        if char == " ":
            atoms.append(SEPARATOR)
        elif char == "-":
            atoms.append(OPTIONAL_SEPARATOR)
        elif char == "*":
            atoms.append(r"\w*")
        else:
            atoms.append(re.escape(char.lower()))
    return atoms


@dataclass
class _Trie:
    children: dict[str, _Trie] = field(default_factory=dict)
    leaves: list[str] = field(default_factory=list)  # group names ending here

    def insert(self, atoms: list[str], group: str) -> None:
        node = self
        for atom in atoms:
            node = node.children.setdefault(atom, _Trie())
        node.leaves.append(group)

    def to_regex(self) -> str:
        # Literal characters first, wildcards later, the end of a pattern last: the longest,
        # most specific cue wins at a position.
        def order(atom: str) -> tuple[int, str]:
            return (2 if atom == r"\w*" else 1 if atom.startswith("[") else 0, atom)

        branches = [
            atom + child.to_regex()
            for atom, child in sorted(self.children.items(), key=lambda kv: order(kv[0]))
        ]
        if self.leaves:
            branches.append(WORD_END + f"(?P<{self.leaves[0]}>)")
        if len(branches) == 1:
            return branches[0]
        return "(?:" + "|".join(branches) + ")"


def lowered(text: str) -> str | None:
    """Lower-case text for the fast case-sensitive scan, or None if lower-casing would move
    offsets (a few characters, such as 'İ', change length)."""
    low = text.lower()
    return low if len(low) == len(text) else None


class PatternSet:
    """Patterns of one or more roles in one dimension, compiled to one trie regex (scanned on
    lower-cased text) plus one regex for the rare raw ``re:`` patterns."""

    def __init__(self, entries: Iterable[tuple[str, str, str]]):
        trie = _Trie()
        raw_branches: list[str] = []
        self._leaves: dict[str, list[_Leaf]] = defaultdict(list)
        by_atoms: dict[tuple[str, ...], str] = {}
        for category, kind, pattern in entries:
            leaf = _Leaf(category, kind, pattern)
            if pattern.startswith(_RAW):
                group = f"p{len(self._leaves)}"
                raw_branches.append(f"(?:{pattern[len(_RAW) :]}){WORD_END}(?P<{group}>)")
                self._leaves[group].append(leaf)
                continue
            for variant in expand(pattern):
                atoms = tuple(pattern_atoms(variant))
                if not atoms:
                    continue
                group = by_atoms.get(atoms)
                if group is None:
                    group = by_atoms[atoms] = f"p{len(self._leaves)}"
                    trie.insert(list(atoms), group)
                if leaf not in self._leaves[group]:
                    self._leaves[group].append(leaf)
        body = trie.to_regex() if trie.children else None
        # The lookbehind keeps matches at word starts; case-folding is done on the text once.
        self.trie = re.compile(rf"(?<!\w)(?:{body})") if body else None
        self.trie_folding = re.compile(rf"(?<!\w)(?:{body})", re.I) if body else None
        self.raw = (
            re.compile(rf"(?<!\w)(?:{'|'.join(raw_branches)})", re.I) if raw_branches else None
        )

    def find(
        self, text: str, low: str | None = None, start: int = 0, end: int | None = None
    ) -> list[Hit]:
        """Hits in ``text[start:end]``; pass ``low`` = lowered(text) to reuse it."""
        end = len(text) if end is None else end
        scans = []
        if self.trie is not None:
            scans.append(
                self.trie.finditer(low, start, end)
                if low is not None
                else self.trie_folding.finditer(text, start, end)
            )
        if self.raw is not None:
            scans.append(self.raw.finditer(text, start, end))
        return [
            Hit(leaf.category, leaf.kind, leaf.pattern, match.start(), match.end())
            for scan in scans
            for match in scan
            for leaf in self._leaves[match.lastgroup or ""]
        ]

    def match_start(self, text: str) -> list[Hit]:
        """Hits at the very start of ``text`` (after numbering, bullets and quotes)."""
        position = _LEADING_PREFIX.match(text).end()
        for regex in (self.trie_folding, self.raw):
            match = regex.match(text, position) if regex is not None else None
            if match:
                return [
                    Hit(leaf.category, leaf.kind, leaf.pattern, match.start(), match.end())
                    for leaf in self._leaves[match.lastgroup or ""]
                ]
        return []


class DimensionMatcher:
    """All cue patterns of one dimension. Cues and exclusions share one scan: an exclusion
    that matches consumes its span ("Security Council" hides "security"); cues of other
    categories inside that span are then found again by a short scan of the span."""

    def __init__(self, dimension: Dimension):
        self.dimension = dimension
        cues = [(c.id, STRONG, p) for c in dimension.categories for p in c.patterns] + [
            (c.id, WEAK, p) for c in dimension.categories for p in c.weak_patterns
        ]
        exclusions = [(c.id, EXCLUDE, p) for c in dimension.categories for p in c.exclude]
        try:
            self.scan = PatternSet(cues + exclusions)
            self.cues = PatternSet(cues)
            self.leading = PatternSet(
                (c.id, LEADING, p) for c in dimension.categories for p in c.leading
            )
        except re.error as exc:
            raise CodebookError(
                f"dimension '{dimension.id}': a pattern is not a valid regular expression ({exc}).",
                hint="Check the 're:' patterns of this dimension.",
            ) from exc

    def hits(self, text: str, low: str | None = None) -> dict[str, list[Hit]]:
        """Cue hits per category, minus those inside an exclusion of the same category."""
        low = lowered(text) if low is None else low
        found = self.scan.find(text, low)
        excluded: dict[str, list[tuple[int, int]]] = defaultdict(list)
        cues = [h for h in found if h.kind != EXCLUDE]
        for hit in found:
            if hit.kind == EXCLUDE:
                excluded[hit.category].append((hit.start, hit.end))
                cues.extend(self.cues.find(text, low, hit.start, hit.end))
        by_category: dict[str, list[Hit]] = defaultdict(list)
        seen: set[tuple[str, int, int]] = set()
        for hit in sorted(cues, key=lambda h: (h.start, h.end)):
            key = (hit.category, hit.start, hit.end)
            if key in seen or any(
                s <= hit.start and hit.end <= e for s, e in excluded.get(hit.category, ())
            ):
                continue
            seen.add(key)
            by_category[hit.category].append(hit)
        return by_category

    def leading_hits(self, text: str) -> list[Hit]:
        return self.leading.match_start(text)
