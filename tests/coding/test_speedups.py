"""The speed-ups of the rules coder must not change what it finds: literal keys of raw
patterns, and coding split over processes."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.coding.codebooks import load_codebook
from accord.coding.patterns import PatternSet, prepare
from accord.coding.regex_keys import regex_keys
from accord.coding.rules import RulesCoder
from accord.coding.worker import CodingJob, code_partition
from accord.model.coding import CodingUnit
from accord.parallel import InProcessExecutor, ProcessExecutor
from accord.store.coding_store import assignment_rows


@pytest.mark.parametrize(
    ("body", "keys"),
    [
        (
            r"\bAI\s+systems?\s+(?:must|shall)",
            ["ai system must", "ai system shall", "ai systems must", "ai systems shall"],
        ),
        (r"co-operat\w*", ["co operat"]),
        (r"(?<!\.)\.{4,}", ["...."]),
        (r"https?://\S+", ["http://", "https://"]),
        (r"(?:not\s+)?binding", ["binding", "not binding"]),
    ],
)
def test_regex_keys(body, keys):
    assert regex_keys(body) == keys


@pytest.mark.parametrize("body", [r"(?-i:[A-Z][a-z]+), [A-Z]\.", r"\w+ing", r"a\d", r"[a-z]{3}"])
def test_patterns_without_a_selective_start_have_no_keys(body):
    assert regex_keys(body) is None


WORDS = [
    "AI",
    "systems",
    "system",
    "must",
    "shall",
    "co-operate",
    "cooperation",
    "....",
    ".",
    "not",
    "binding",
    "http://x.org",
    "\n",
    "  ",
    "-",
    "State",
    "(2024)",
]
RAW = [
    r"\bAI\s+systems?\s+(?:must|shall)",
    r"co-operat\w*",
    r"(?<!\.)\.{4,}",
    r"https?://\S+",
    r"(?:not\s+)?binding",
    r"\((?:19|20)\d{2}\)",
]


@given(st.lists(st.sampled_from(WORDS), max_size=25))
def test_keyed_raw_patterns_find_what_the_regex_finds(words):
    """Looking raw patterns up by their keys finds every match a plain regex scan finds."""
    text = " ".join(words)
    found = PatternSet([("d", f"c{k}", "strong", f"re:{body}") for k, body in enumerate(RAW)])
    hits = {(h.category, h.start, h.end) for h in found.find(text, prepare(text))}
    for k, body in enumerate(RAW):
        regex = re.compile(f"(?<!\\w)(?:{body})(?!\\w)", re.IGNORECASE)
        for match in regex.finditer(text):
            assert (f"c{k}", match.start(), match.end()) in hits


def test_coding_split_over_processes_equals_one_process():
    codebook = load_codebook()
    texts = [
        "Member States shall cooperate on AI in health care and education.",
        "The Council recalls its resolution on autonomous weapons systems.",
        "Developers should publish transparency reports (2024).",
    ]
    units = [(f"u{k}", texts[k % len(texts)] + f" Item {k}.", None) for k in range(60)]
    serial = assignment_rows(
        RulesCoder(codebook).code([CodingUnit(*u) for u in units]), "digest", "rules.v1"
    )
    jobs = [
        CodingJob("rules.v1", codebook, codebook.digest(), "digest", tuple(units[k : k + 15]))
        for k in range(0, len(units), 15)
    ]
    for executor in (ProcessExecutor(2), InProcessExecutor()):
        with executor:
            outcomes = list(executor.map(code_partition, jobs, ordered=True))
        assert [o.index for o in outcomes] == [0, 1, 2, 3]
        assert [row for o in outcomes for row in o.value()] == serial
