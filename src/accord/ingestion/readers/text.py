"""Plain text and Markdown (decoded by decoding.py), Markdown markers removed."""

from __future__ import annotations

import re

import yaml

from accord.ingestion.limits import DEFAULT_LIMITS, ReadLimits
from accord.ingestion.readers import Extracted
from accord.ingestion.readers.decoding import decode


def split_pages(text: str) -> list[str]:
    """Form feeds mark page breaks in text exported from paged documents."""
    return text.split("\f") if "\f" in text else [text]


def read_text(data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> Extracted:
    decoded = decode(data)
    return Extracted("txt", split_pages(decoded.text), encoding=decoded.encoding)


_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_QUOTE = re.compile(r"^\s{0,3}>\s?")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1|(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|])")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)


def strip_front_matter(text: str) -> str:
    r"""The text without its YAML front matter: a block between '---' lines at the very start
    of a Markdown file (as Jekyll, Hugo and Pandoc write it) is metadata about the file, such
    as the demo corpus's "paraphrased digest" notes, not its content, so it is neither coded
    nor searched. A block that is not a YAML mapping is a rule and text, and is kept.

    Example:
        >>> strip_front_matter("---\nnote: a digest\n---\n# Title\n")
        '# Title\n'
    """
    match = _FRONT_MATTER.match(text)
    if match is None:
        return text
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return text
    return text[match.end() :] if isinstance(data, dict) else text


def strip_markdown(text: str) -> tuple[str, frozenset[str]]:
    """Remove Markdown syntax, keep the words; return the text and its heading lines."""
    lines, headings = [], set()
    for line in text.splitlines():
        if _RULE.match(line):
            lines.append("")
            continue
        heading = _HEADING.match(line)
        if heading:
            line = heading.group(1)
        line = _QUOTE.sub("", line)
        line = _LINK.sub(r"\1", line)
        line = _EMPHASIS.sub(lambda m: m.group(2) or m.group(3), line)
        line = _ESCAPE.sub(r"\1", line)
        if heading:
            headings.add(line.strip())
            # A heading is its own paragraph even without blank lines around it.
            lines.extend(["", line, ""])
        else:
            lines.append(line)
    return "\n".join(lines), frozenset(headings)


def read_markdown(data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> Extracted:
    decoded = decode(data)
    text, headings = strip_markdown(strip_front_matter(decoded.text))
    return Extracted("md", split_pages(text), None, headings, decoded.encoding)
