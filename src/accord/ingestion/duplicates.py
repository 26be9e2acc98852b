"""Near-duplicate documents from shared 8-word shingles (pure).

Only shingles whose hash falls in a fixed quarter of the hash space are kept (a deterministic
sample), which estimates overlap without storing every shingle.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from collections.abc import Sequence
from itertools import combinations

import numpy as np

SHINGLE_WORDS = 8
SAMPLE_MODULUS = 4
MIN_SHINGLES = 20  # documents with fewer sampled shingles are too short to compare
COMMON_SHINGLE_DOCS = 50  # boilerplate shared by this many documents says nothing
_WORD = re.compile(r"\w+")
_BASE = 1_000_003  # multiplier of the shingle polynomial (an odd prime)


def shingle_sample(text: str) -> np.ndarray:
    """Sorted unique sampled shingle hashes of a text (uint32).

    Each word is hashed once (CRC-32); a shingle's hash is a polynomial of its words' hashes
    modulo 2**32, computed for all shingles at once.
    """
    words = np.fromiter(
        (zlib.crc32(w.encode("utf-8")) for w in _WORD.findall(text.casefold())), dtype=np.uint64
    )
    n = len(words) - SHINGLE_WORDS + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint32)
    hashes = np.zeros(n, dtype=np.uint64)
    for offset in range(SHINGLE_WORDS):
        hashes = (hashes * np.uint64(_BASE) + words[offset : offset + n]) & np.uint64(0xFFFFFFFF)
    hashes = hashes.astype(np.uint32)
    return np.unique(hashes[hashes % SAMPLE_MODULUS == 0])


def near_duplicates(
    documents: Sequence[tuple[str, np.ndarray]], threshold: float
) -> list[tuple[str, str, float, float]]:
    """Pairs (a, b, containment, jaccard) whose containment reaches ``threshold``.

    Containment is the share of the smaller document's shingles found in the other, so an
    edition quoted inside a longer report is caught as well as two editions of one text.
    """
    sizes = {doc_id: len(sample) for doc_id, sample in documents}
    holders: dict[int, list[str]] = defaultdict(list)
    for doc_id, sample in documents:
        for value in sample.tolist():
            holders[value].append(doc_id)
    shared: dict[tuple[str, str], int] = defaultdict(int)
    for ids in holders.values():
        if 1 < len(ids) < COMMON_SHINGLE_DOCS:
            for pair in combinations(sorted(ids), 2):
                shared[pair] += 1
    pairs = []
    for (a, b), n in sorted(shared.items()):
        smaller = min(sizes[a], sizes[b])
        if smaller < MIN_SHINGLES:
            continue
        containment = n / smaller
        if containment >= threshold:
            jaccard = n / (sizes[a] + sizes[b] - n)
            pairs.append((a, b, round(containment, 4), round(jaccard, 4)))
    return pairs
