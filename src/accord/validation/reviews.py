"""Reviews as human coding: a gold set for `accord validate --reviews`, and a gold file for
`accord train` and `accord calibrate` (`accord export --format gold`).

Reviewers saw the machine's labels while reviewing, so agreement with the reviewed coder is an
upper bound of what independent coding would show; the report of ``validate_reviews`` says so.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from accord.errors import ValidationDataError
from accord.model.codebook import Codebook
from accord.store import reviews
from accord.store.coding_store import codebook_yaml, latest_coding
from accord.store.corpus_store import CorpusStore, passage_hash
from accord.validation.gold import GoldItem, GoldSet
from accord.validation.runner import ValidationReport, compare

SAMPLE_NAME = "reviews"
ANCHORING_NOTE = (
    "Reviewers saw the machine labels of coder {coder}; its agreement with the reviews is an "
    "upper bound of agreement with independent coding."
)


def coded_codebook(store: CorpusStore) -> Codebook:
    """The codebook of the store's latest coding: the one the reviewers saw."""
    from accord.coding.codebooks import parse_codebook

    coding = latest_coding(store)
    text = codebook_yaml(store, coding["codebook_digest"]) if coding else None
    if text is None:
        raise ValidationDataError("The store has no coding.", hint="Run `accord code` first.")
    return parse_codebook(text, "stored codebook", check_patterns=False)


def review_gold_set(store: CorpusStore, codebook: Codebook) -> GoldSet:
    """Each reviewed passage as a gold item; each reviewer a coder; only the dimensions the
    reviewer reviewed. Reviews of dimensions the codebook lacks are an error, not dropped."""
    by_passage: dict[str, GoldItem] = {}
    known = codebook.ids
    for review in reviews.latest_reviews(store):
        if review.dimension not in known:
            raise ValidationDataError(
                f"A review of passage {review.passage_id} uses dimension '{review.dimension}', "
                f"which codebook '{codebook.name}' does not have."
            )
        item = by_passage.get(review.passage_id)
        if item is None:
            passage = store.passage(review.passage_id)
            if passage is None:
                continue  # latest_reviews joins on current passages; cannot happen
            row = store.db.execute(
                "SELECT document_type FROM documents WHERE id=?", (passage.document_id,)
            ).fetchone()
            item = GoldItem(
                review.passage_id,
                {"passage_id": review.passage_id, "text_sha256": passage_hash(passage.text)},
                text=passage.text,
                document_type=row[0] if row else None,
                group=passage.document_id,
            )
            by_passage[review.passage_id] = item
        item.labels.setdefault(review.reviewer, {})[review.dimension] = list(review.categories)
    if not by_passage:
        raise ValidationDataError(
            "The store holds no reviews.", hint="Review passages with `accord serve --review`."
        )
    return GoldSet(SAMPLE_NAME, [by_passage[k] for k in sorted(by_passage)], [])


def stored_codings(
    store: CorpusStore, codebook_digest: str, passage_ids: list[str]
) -> dict[str, dict[str, dict[str, list[str]]]]:
    """coder -> passage -> dimension -> categories, for every coder that coded the passages
    with this codebook (passages it coded with no label on a dimension count as 'none')."""
    coded: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, dict[str, dict[str, list[str]]]] = defaultdict(dict)
    for start in range(0, len(passage_ids), 500):
        chunk = passage_ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for coder, passage_id in store.db.execute(
            f"SELECT coder, passage_id FROM coded_passages WHERE codebook_digest=?"
            f" AND passage_id IN ({marks})",
            (codebook_digest, *chunk),
        ):
            coded[coder].add(passage_id)
            labels[coder].setdefault(passage_id, {})
        for coder, passage_id, dimension, category in store.db.execute(
            f"SELECT coder, passage_id, dimension, category FROM assignments"
            f" WHERE codebook_digest=? AND passage_id IN ({marks})"
            " ORDER BY coder, passage_id, dimension, category",
            (codebook_digest, *chunk),
        ):
            labels[coder].setdefault(passage_id, {}).setdefault(dimension, []).append(category)
    return {coder: labels[coder] for coder in sorted(coded)}


def validate_reviews(
    store: CorpusStore, codebook: Codebook, coders: list[str] | None = None
) -> list[ValidationReport]:
    """Score the stored codes of every coder (or of ``coders``) against the reviews."""
    gold = review_gold_set(store, codebook)
    ids = [item.id for item in gold.items]
    available = stored_codings(store, codebook.digest(), ids)
    wanted = coders or list(available)
    missing = [c for c in wanted if c not in available]
    if missing or not wanted:
        raise ValidationDataError(
            f"No stored codes of {', '.join(missing) or 'any coder'} for the reviewed passages "
            f"with codebook {codebook.digest()[:12]}.",
            hint=f"Coders with codes: {', '.join(available) or 'none'}; run `accord code`.",
        )
    results = []
    for coder in wanted:
        codings = {pid: available[coder].get(pid, {}) for pid in ids if pid in available[coder]}
        covered = GoldSet(gold.name, [i for i in gold.items if i.id in codings], [])
        report = ValidationReport(gold.name, coder, codebook.digest(), len(covered.items))
        for dimension in covered.dimensions():
            report.dimensions[dimension] = compare(covered, codebook, dimension, codings)
        results.append(report)
    return results


def review_gold_records(store: CorpusStore, codebook: Codebook) -> list[dict[str, Any]]:
    """One JSONL record per reviewed passage and reviewer, in the gold format of
    ``validation.gold`` (passage id and text hash; the store supplies the text)."""
    gold = review_gold_set(store, codebook)
    records = []
    for item in gold.items:
        for reviewer, labels in sorted(item.labels.items()):
            records.append(
                {
                    "id": item.id,
                    **item.reference,
                    "document_id": item.group,
                    "coder": reviewer,
                    "labels": {d: sorted(c) for d, c in sorted(labels.items())},
                }
            )
    return records


def write_review_gold(store: CorpusStore, codebook: Codebook, path: Path) -> Path:
    records = review_gold_records(store, codebook)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
    return path
