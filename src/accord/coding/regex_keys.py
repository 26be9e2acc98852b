"""Literal keys of a raw ``re:`` pattern: texts every match must start with, as they read in
a passage lower-cased with separator runs collapsed to one space.

A raw pattern is then looked up through its keys in the same Aho-Corasick pass as the plain
patterns and checked with its regex only where a key occurs. Keys run as far into the pattern
as it stays a small finite set of texts ("ai system", "model should", ...), because a key such
as "ai" alone occurs in almost every passage and would make the check run everywhere.
"""

from __future__ import annotations

import re
import re._constants as const
import re._parser as parser

MIN_KEY = 2  # a shorter key is not selective (unless it is one symbol such as "€" or ",")
MAX_KEYS = 48  # more alternatives than this and the keys stop growing
MAX_REPEAT = 8  # "x{n}" is spelled out up to this many times
_SEPARATOR_CHARS = set(" \t\n\r\f\v-‐‑–")
_REPEATS = (const.MAX_REPEAT, const.MIN_REPEAT, const.POSSESSIVE_REPEAT)
_ZERO_WIDTH = (const.AT, const.ASSERT, const.ASSERT_NOT)

Heads = list[tuple[str, bool]]  # (key so far, whether it can still grow)


def regex_keys(body: str) -> list[str] | None:
    """The keys of a raw pattern, or None when it has no selective ones (it is then scanned
    with its regex).

    Example:
        >>> regex_keys(r"\\bAI\\s+systems?\\s+(?:must|shall)")
        ['ai system must', 'ai system shall', 'ai systems must', 'ai systems shall']
    """
    try:
        items = list(parser.parse(body, re.IGNORECASE))
    except re.error:
        return None
    keys = sorted({key for key, _ in _sequence(items, [("", True)])})
    if not keys or any(not _selective(key) for key in keys):
        return None
    # A key that extends a shorter key would report the same occurrence twice.
    return [k for k in keys if not any(k != o and k.startswith(o) for o in keys)]


def _selective(key: str) -> bool:
    if key.startswith(" "):
        return False
    return len(key) >= MIN_KEY or (len(key) == 1 and not key.isalnum())


def _sequence(items: list, heads: Heads) -> Heads:
    for op, value in items:
        if not any(open_ for _, open_ in heads):
            break
        step = _item(op, value)
        grown = _grow(heads, step) if step is not None else None
        if grown is None or len(grown) > MAX_KEYS:
            return [(key, False) for key, _ in heads]
        heads = grown
    return heads


def _grow(heads: Heads, step: Heads) -> Heads:
    grown: Heads = []
    for key, open_ in heads:
        if not open_:
            grown.append((key, False))
            continue
        for text, still_open in step:
            # Separator runs read as one space: "\s+\s*" must not ask for two.
            if key.endswith(" ") and text.startswith(" "):
                text = text[1:]
            grown.append((key + text, still_open))
    return list(dict.fromkeys(grown))


def _item(op, value) -> Heads | None:
    """The texts one parsed item can match, or None when they are not a small finite set."""
    if op in _ZERO_WIDTH:
        return [("", True)]
    if op is const.LITERAL:
        char = chr(value).lower()
        return [(" " if char in _SEPARATOR_CHARS else char, True)]
    if op is const.IN:
        return _char_class(value)
    if op is const.SUBPATTERN:
        return _sequence(list(value[3]), [("", True)])
    if op is const.BRANCH:
        return [head for branch in value[1] for head in _sequence(list(branch), [("", True)])]
    if op in _REPEATS:
        return _repeat(*value)
    return None


def _char_class(members: list) -> Heads | None:
    if _is_separator_class(members):
        return [(" ", True)]
    if all(op is const.LITERAL for op, _ in members):
        return list(dict.fromkeys((chr(v).lower(), True) for _, v in members))
    return None


def _is_separator_class(members: list) -> bool:
    has_space = any(op is const.CATEGORY and v is const.CATEGORY_SPACE for op, v in members)
    others_are_separators = all(
        (op is const.CATEGORY and v is const.CATEGORY_SPACE)
        or (op is const.LITERAL and chr(v) in _SEPARATOR_CHARS)
        for op, v in members
    )
    return has_space and others_are_separators


def _repeat(low: int, high: int, sub) -> Heads | None:
    items = list(sub)
    if len(items) == 1 and items[0][0] is const.IN and _is_separator_class(items[0][1]):
        return [(" ", True)] if low >= 1 else [("", True), (" ", True)]
    once = _sequence(items, [("", True)])
    if low == 0 and high == 1:
        return [("", True), *once]
    if low >= 1 and len(once) == 1:  # "\.{4,}": four dots are certain
        text, open_ = once[0]
        return [(text * min(low, MAX_REPEAT), open_ and high == low <= MAX_REPEAT)]
    if low >= 1:  # the first repetition is certain; what follows it is not
        return [(key, False) for key, _ in once]
    return None
