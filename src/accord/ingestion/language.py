"""Language of a document from a sample of its passages (py3langid: fast, deterministic)."""

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


def warm_up() -> None:
    """Load the language model once (before worker processes fork, so they share it)."""
    import py3langid

    py3langid.classify("warm up")


def detect_language(texts: Sequence[str]) -> LanguageProfile:
    """Detect the language of evenly spaced passages; flag documents with a second language.

    Example:
        >>> detect_language(["The committee shall adopt its rules of procedure by consensus and "
        ...                  "report every year to the assembly on the work it has done."]).language
        'en'
    """
    import py3langid

    candidates = [t for t in texts if len(t.split()) >= MIN_WORDS] or [
        t for t in texts if t.strip()
    ]
    if not candidates:
        return LanguageProfile(None, {}, False)
    step = max(1, len(candidates) // SAMPLE_SIZE)
    votes = Counter(py3langid.classify(text)[0] for text in candidates[::step][:SAMPLE_SIZE])
    total = sum(votes.values())
    shares = {lang: round(n / total, 3) for lang, n in sorted(votes.items())}
    (top, _), *others = votes.most_common()
    is_mixed = any(n >= 2 and n / total >= MIXED_SHARE for _, n in others)
    return LanguageProfile(top, shares, is_mixed)
