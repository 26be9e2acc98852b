"""Gold-set helpers shared by the validation benchmarks (not part of the package)."""

from __future__ import annotations

from _common import ROOT

from accord.model.coding import CodingUnit
from accord.validation.agreement import multilabel_scores, single_choice_scores
from accord.validation.quality import bootstrap_interval, headline, headline_name

GOLD = ROOT / "gold" / "gold_shared_corpus.jsonl"
FIRST_DEV = ROOT / "gold" / "dev_shared_corpus.jsonl"
DOUBLE = ROOT / "gold" / "gold_shared_corpus_double.jsonl"
SPLITS = ROOT / "gold" / "splits.json"


def units_of(items) -> list[CodingUnit]:
    return [CodingUnit(i.id, i.text or "", i.document_type) for i in items]


def truth_of(items, dimension: str) -> list[list[str]]:
    return [next(iter(i.labels.values())).get(dimension, []) for i in items]


def evaluate(codebook, items, codings) -> dict:
    labels = {c.unit_id: c.labels() for c in codings}
    groups = [i.group for i in items]
    result = {}
    for dimension in codebook.dimensions:
        truth = truth_of(items, dimension.id)
        predicted = [labels[i.id].get(dimension.id, []) for i in items]
        low, high = bootstrap_interval(dimension, truth, predicted, groups)
        result[dimension.id] = {
            "metric": headline_name(dimension),
            "value": round(headline(dimension, truth, predicted), 3),
            "interval": [round(low, 3), round(high, 3)],
            "scores": _scores(dimension, truth, predicted),
        }
    return result


def _scores(dimension, truth, predicted) -> dict:
    if dimension.selection == "single":
        default = dimension.default or dimension.ids[-1]
        return single_choice_scores(
            [t[0] if t else default for t in truth],
            [p[0] if p else default for p in predicted],
            dimension.ids,
        )
    return multilabel_scores(truth, predicted, dimension.ids)


def human_agreement(codebook, corpus) -> dict:
    """Coder-coder agreement on the double-coded passages (the ceiling)."""
    from accord.validation.gold import load_gold, resolve_texts

    gold = resolve_texts(load_gold(DOUBLE, codebook), corpus=corpus)
    result = {}
    for dimension in codebook.dimensions:
        pairs = [
            [labels.get(dimension.id, []) for labels in item.labels.values()]
            for item in gold.items
            if len(item.labels) >= 2
        ]
        first, second = [p[0] for p in pairs], [p[1] for p in pairs]
        groups = [i.group for i in gold.items if len(i.labels) >= 2]
        low, high = bootstrap_interval(dimension, first, second, groups)
        result[dimension.id] = {
            "metric": headline_name(dimension),
            "value": round(headline(dimension, first, second), 3),
            "interval": [round(low, 3), round(high, 3)],
            "n_items": len(pairs),
            "scores": _scores(dimension, first, second),
        }
    return result
