"""The plain-language sentences of the report, generated from the numbers.

Generated once here, so that HTML, Markdown and JSON say the same thing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from accord.analysis.results import AnalysisResult
from accord.model.rounding import percent_text, score_text
from accord.report.measures import measure_of
from accord.report.tables import DIGITS, table, text

# Words for numbers in the paragraphs, highest threshold first. The cut-offs are reading aids,
# printed next to the numbers they describe, not statistical tests.
ALIGNMENT_WORDS = (
    (0.75, "closely aligned"),
    (0.5, "broadly aligned"),
    (0.25, "partly aligned"),
    (-math.inf, "far apart"),
)
SECURITY_WORDS = ((0.3, "high"), (0.1, "moderate"), (-math.inf, "low"))
CERTAINTY_WORDS = (
    (0.9, "almost certainly"),
    (0.6, "probably"),
    (0.3, "possibly"),
    (-math.inf, "unlikely to be"),
)


def listing(items: list[str], limit: int = 4) -> str:
    """'A', 'A and B', 'A, B and C', 'A, B, C and 3 others'."""
    if len(items) > limit:
        items = [*items[: limit - 1], f"{len(items) - limit + 1} others"]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def percent(value: float | None) -> str:
    return "n/a" if value is None else percent_text(value)


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def grade(value: float, scale: tuple[tuple[float, str], ...]) -> str:
    """The word of the first threshold the value reaches (scales end with -inf).

    Example:
        >>> grade(0.6, ALIGNMENT_WORDS)
        'broadly aligned'
    """
    return next(word for threshold, word in scale if value >= threshold)


def _varies(measure: dict[str, Any]) -> bool:
    """Whether an interval is worth printing (resampling ran and moved the value)."""
    return (
        measure["low"] is not None
        and measure["high"] is not None
        and (measure["high"] - measure["low"] > 10**-DIGITS)
    )


def _interval(measure: dict[str, Any], confidence: float, show: Callable[[float], str]) -> str:
    """ "95% interval 0.41–0.58", or "" when resampling did not move the value."""
    if not _varies(measure):
        return ""
    return f"{confidence:.0%} interval {show(measure['low'])}–{show(measure['high'])}"


def _alignment_sentence(alignment: dict[str, Any], confidence: float) -> str:
    value = alignment["value"]
    if value is None:
        return "Their profiles could not be compared (no approach or principle coding)."
    words = grade(value, ALIGNMENT_WORDS)
    interval = _interval(alignment, confidence, score_text)
    interval = f", {interval}" if interval else ""
    return f"Their approaches and principles are {words} (alignment {score_text(value)}{interval})."


def _approach_sentence(leaders: list[dict[str, Any]]) -> str:
    if not leaders:
        return ""
    first = leaders[0]
    text = f"{first['label']} measures lead the approach mix ({percent(first['mean_share'])}"
    text += " on average"
    if len(leaders) > 1 and leaders[1]["mean_share"]:
        second = leaders[1]
        text += f", ahead of {second['label'].lower()} at {percent(second['mean_share'])}"
    owners = [
        f"{c['institutions'][0]['name']} on {c['label'].lower()}"
        for c in leaders[:3]
        if c["institutions"]
    ]
    text += ")."
    if owners:
        text += f" The largest shares: {listing(owners, 3)}."
    return text


def _security_sentence(security: dict[str, Any], confidence: float) -> str:
    value = security["value"]
    if value is None:
        return ""
    level = grade(value, SECURITY_WORDS)
    interval = _interval(security, confidence, percent)
    interval = f" ({interval})" if interval else ""
    return (
        f"Security sensitivity is {level}: {percent(value)} of its passages touch security"
        f"{interval}."
    )


def _certainty_sentence(entry: dict[str, Any], n_ranked: int, k: int) -> str:
    low, high = entry["rank_interval"]
    span = f"rank interval {low}–{high}" if low is not None else "no resampling interval"
    p = entry["p_top"]["joint"]
    if n_ranked <= k or p is None:
        return f"How sure: {span}."
    words = grade(p, CERTAINTY_WORDS)
    return (
        f"How sure: {span}; it is {words} among the top {k} "
        f"({percent(p)} of bootstrap resamples and weight draws)."
    )


def describe_domain(
    entry: dict[str, Any], leaders: list[dict[str, Any]], n_ranked: int, k: int, confidence: float
) -> str:
    """A plain-language paragraph, generated from the numbers, about one ranked domain."""
    names = [i["name"] for i in entry["institutions"]]
    cooperation = measure_of(entry, "cooperation")["value"]
    who = ""
    if names:
        count = (
            "One institution addresses" if len(names) == 1 else f"{len(names)} institutions address"
        )
        who = f"{count} it: {listing(names)}."
    sentences = [
        f"{entry['label']} ranks {ordinal(entry['rank'])} of {n_ranked} ranked domains.",
        who,
        _alignment_sentence(measure_of(entry, "alignment"), confidence),
        _approach_sentence(leaders),
        _security_sentence(measure_of(entry, "security"), confidence),
        f"{percent(cooperation)} of its passages call for international cooperation."
        if cooperation is not None
        else "",
        _certainty_sentence(entry, n_ranked, k),
    ]
    return " ".join(s for s in sentences if s)


def headline(n_domains: int, ranked_labels: list[str]) -> str:
    """The first sentence of the summary."""
    if ranked_labels:
        top = listing(ranked_labels[:3], 3)
        return (
            f"Of {n_domains} domains in the codebook, {len(ranked_labels)} have enough evidence "
            f"to be ranked. The strongest opportunities for cooperation are in {top}."
        )
    return (
        f"None of the {n_domains} domains in the codebook has enough coded evidence to "
        "be ranked; the section on unranked domains says what each one lacks."
    )


def corpus_sentence(documents: int, institutions: int, years: list[int]) -> str:
    """'45 documents from 23 institutions, published 2019–2025.'"""
    span = ""
    if years:
        first, last = min(years), max(years)
        span = f", published in {first}" if first == last else f", published {first}–{last}"
    plural = "s" if institutions != 1 else ""
    return f"{documents} documents from {institutions} institution{plural}{span}."


def digest_sentence(digests: int, documents: int) -> str:
    """What a reader must know when the texts are paraphrased digests, not the documents."""
    if not digests:
        return ""
    which = (
        f"All {documents} documents are"
        if digests == documents
        else f"{digests} of the {documents} documents are"
    )
    return (
        f"{which} paraphrased digests of the originals, not their official texts: the "
        "findings describe the digests, and the quoted passages are paraphrases."
    )


def caveats(
    result: AnalysisResult,
    sections: list[dict[str, Any]],
    unranked: list[dict[str, Any]],
    corpus: dict[str, Any],
    codebook: dict[str, Any],
    validated: bool,
    card: dict[str, Any] | None = None,
) -> list[str]:
    """Limitations that follow from this corpus and run, worded for a reader of the report."""
    notes = []
    thin = table(result, "institutions")
    thin = thin[thin["status"].fillna("").astype(str).str.len() > 0]
    if len(thin):
        names = sorted(text(n) for n in thin["institution_name"])
        notes.append(
            f"{listing(names, 6)} {'has' if len(names) == 1 else 'have'} too little coded text "
            f"to address any domain (at least {result.settings.support.min_passages} passages "
            "in a domain are needed), so they count in no domain's breadth or alignment."
        )
    if unranked:
        notes.append(
            f"{len(unranked)} domain{'s are' if len(unranked) != 1 else ' is'} not ranked for "
            "lack of evidence; absence from the ranking does not mean absence of cooperation."
        )
    n = len(sections)
    wide = [
        s["label"]
        for s in sections
        if s["rank_interval"][0] is not None
        and s["rank_interval"][1] - s["rank_interval"][0] >= max(3, math.ceil(n / 3))
    ]
    if wide:
        notes.append(
            f"The rank of {listing(wide, 6)} is uncertain (wide rank interval); read "
            "neighbouring ranks as ties."
        )
    if result.settings.bootstrap_resamples == 0:
        notes.append("Bootstrap resampling was off, so no intervals are shown.")
    dimensions = {d["id"] for d in codebook["dimensions"]}
    missing = sorted({"approach", "principle", "security", "cooperation"} - dimensions)
    if missing:
        notes.append(
            f"The codebook has no {', '.join(missing)} dimension; the measures built on "
            f"{'it' if len(missing) == 1 else 'them'} are empty."
        )
    digest = digest_sentence(corpus.get("paraphrased_digests") or 0, corpus.get("documents") or 0)
    if digest:
        notes.append(digest)
    if corpus.get("skipped"):
        notes.append(
            f"{len(corpus['skipped'])} input file(s) could not be read and are not analysed "
            "(listed in the corpus section)."
        )
    if corpus.get("near_duplicates"):
        notes.append(
            f"{len(corpus['near_duplicates'])} pair(s) of documents are near-duplicates; shared "
            "text counts twice."
        )
    if any(c.startswith("rules") for c in result.stamp.coders):
        notes.append(
            "Passages were coded by keyword rules, which miss paraphrases and can fire on "
            "words used in another sense."
        )
    if not validated and card and card["coder"]:
        notes.append(
            "No agreement with human coding is stored for this corpus: the coding quality "
            "shown in the methods is the packaged codebook's on held-out documents of another "
            "corpus, and may differ here."
        )
    elif not validated:
        notes.append(
            "No agreement with human coding is stored for this codebook, so the coding's "
            "accuracy on this corpus is unmeasured."
        )
    return notes
