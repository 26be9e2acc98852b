"""accord validate: code the gold items with a coder and compare with the human coders."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from accord.coding.pipeline import choose_coder
from accord.coding.registry import make_coder
from accord.errors import ValidationDataError
from accord.model.codebook import Codebook
from accord.model.coding import CodingUnit
from accord.model.provenance import Skipped
from accord.store.corpus_store import CorpusStore, utc_now
from accord.validation.agreement import multilabel_scores, single_choice_scores
from accord.validation.gold import GoldSet, load_gold, paired_labels, resolve_texts


@dataclass
class ValidationReport:
    gold: str
    coder: str
    codebook_digest: str
    n_items: int
    dimensions: dict[str, dict[str, Any]] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)

    def __repr__(self) -> str:
        return (
            f"ValidationReport({self.gold}: {self.n_items} items, coder {self.coder}, "
            f"dimensions {', '.join(self.dimensions) or 'none'}, {len(self.skipped)} skipped)"
        )

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: what `accord validate --json` prints."""
        data = asdict(self)
        data["skipped"] = [asdict(s) for s in self.skipped]
        return data


def validate_gold(
    gold_path: str | Path,
    codebook: Codebook,
    *,
    coder: str | None = None,
    store: CorpusStore | None = None,
    corpus: Path | None = None,
) -> ValidationReport:
    """Score a coder against the first human coder, and the humans against each other."""
    name, _ = choose_coder(coder, codebook)
    gold = resolve_texts(load_gold(gold_path, codebook, store), store=store, corpus=corpus)
    if not gold.items and not gold.skipped:
        raise ValidationDataError(
            f"{gold_path} holds no human-labelled passage.",
            hint="Fill the dimension columns with category ids (separated by ';') first.",
        )
    if not gold.items:
        first = gold.skipped[0]
        raise ValidationDataError(
            f"None of the {len(gold.skipped)} labelled passage(s) of {gold_path} could be "
            f"found; the first: {first.source}: {first.message}",
            hint="Pass --corpus (the folder with manifest.csv) or --store (the store holding "
            "the passages) for gold that points at passages or document spans.",
        )
    units = [CodingUnit(i.id, i.text or "", i.document_type) for i in gold.items]
    cache = None
    if name != "rules.v1":
        from accord.coding.embedding import shared_cache

        cache = shared_cache()
    codings = {c.unit_id: c.labels() for c in make_coder(name, codebook, cache).code(units)}
    report = ValidationReport(
        gold.name, name, codebook.digest(), len(gold.items), skipped=gold.skipped
    )
    for dimension_id in gold.dimensions():
        report.dimensions[dimension_id] = compare(gold, codebook, dimension_id, codings)
    if store is not None:
        save_validation(store, gold, report)
    return report


def compare(
    gold: GoldSet, codebook: Codebook, dimension_id: str, codings: dict[str, dict[str, list[str]]]
) -> dict[str, Any]:
    dimension = codebook.dimension(dimension_id)
    ids, first, pairs = paired_labels(gold, dimension_id)
    predicted = [codings.get(i, {}).get(dimension_id, []) for i in ids]
    if dimension.selection == "single":
        default = dimension.default or dimension.ids[-1]

        def one(labels: list[str]) -> str:
            return labels[0] if labels else default

        accord = single_choice_scores(
            [one(t) for t in first], [one(p) for p in predicted], dimension.ids
        )
        humans = (
            single_choice_scores(
                [one(a) for a, _ in pairs], [one(b) for _, b in pairs], dimension.ids
            )
            if pairs
            else None
        )
    else:
        accord = multilabel_scores(first, predicted, dimension.ids)
        humans = (
            multilabel_scores([a for a, _ in pairs], [b for _, b in pairs], dimension.ids)
            if pairs
            else None
        )
    return {"accord": accord, "humans": humans, "n_double_coded": len(pairs)}


def save_validation(store: CorpusStore, gold: GoldSet, report: ValidationReport) -> None:
    with store.transaction() as db:
        db.execute("DELETE FROM human_labels WHERE sample=?", (gold.name,))
        db.executemany(
            "INSERT INTO human_labels(sample, item_id, coder, dimension, categories, passage_id,"
            " text_hash) VALUES (?,?,?,?,?,?,?)",
            [
                (
                    gold.name,
                    item.id,
                    coder,
                    dimension,
                    json.dumps(categories),
                    item.reference.get("passage_id"),
                    item.reference.get("text_sha256"),
                )
                for item in gold.items
                for coder, labels in item.labels.items()
                for dimension, categories in labels.items()
            ],
        )
        db.execute(
            "INSERT OR REPLACE INTO validation_results(id, sample, codebook_digest, coder,"
            " created_at, results) VALUES (?,?,?,?,?,?)",
            (
                f"{gold.name}:{report.coder}:{report.codebook_digest[:12]}",
                gold.name,
                report.codebook_digest,
                report.coder,
                utc_now(),
                json.dumps(report.as_dict()),
            ),
        )
