"""Language of a document from a sample of its passages (langdetect, seeded)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

SAMPLE_SIZE = 24
MIN_WORDS = 25
MIXED_SHARE = 0.2  # a second language in at least this share of samples makes a document mixed


@dataclass(frozen=True, slots=True)
class LanguageProfile:
    language: str | None
    shares: dict[str, float]
    is_mixed: bool


def detect_language(texts: Sequence[str]) -> LanguageProfile:
    """Detect the language of evenly spaced passages; flag documents with a second language.

    Example:
        >>> detect_language(["The committee shall adopt its rules of procedure by consensus and "
        ...                  "report every year to the assembly on the work it has done."]).language
        'en'
    """
    from langdetect import DetectorFactory, LangDetectException, detect

    DetectorFactory.seed = 0  # langdetect is randomised; a fixed seed makes it repeatable
    candidates = [t for t in texts if len(t.split()) >= MIN_WORDS] or [
        t for t in texts if t.strip()
    ]
    if not candidates:
        return LanguageProfile(None, {}, False)
    step = max(1, len(candidates) // SAMPLE_SIZE)
    votes: Counter[str] = Counter()
    for text in candidates[::step][:SAMPLE_SIZE]:
        try:
            votes[detect(text)] += 1
        except LangDetectException:
            continue
    if not votes:
        return LanguageProfile(None, {}, False)
    total = sum(votes.values())
    shares = {lang: round(n / total, 3) for lang, n in sorted(votes.items())}
    (top, _), *others = votes.most_common()
    is_mixed = any(n >= 2 and n / total >= MIXED_SHARE for _, n in others)
    return LanguageProfile(top, shares, is_mixed)
