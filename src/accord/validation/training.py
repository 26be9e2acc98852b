"""accord train: learn ``trained.v1`` classifiers from gold files, report grouped-CV scores,
and write the model with a codebook that names it."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord.coding.codebooks import dump_codebook
from accord.coding.training import CrossValidated, TrainingSet, TrainSettings, fit_model
from accord.errors import ValidationDataError
from accord.model.codebook import Codebook, ModelRef
from accord.store.corpus_store import CorpusStore
from accord.validation.agreement import multilabel_scores, single_choice_scores
from accord.validation.gold import GoldItem, load_gold, resolve_texts

CODEBOOK_FILE = "codebook.yaml"


@dataclass
class TrainReport:
    n_items: int
    n_documents: int
    data_sha256: str
    model_dir: str
    model_sha256: str
    codebook_path: str
    cv: dict[str, dict[str, Any]] = field(default_factory=dict)  # dimension -> scores
    skipped: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: what `accord train --json` prints."""
        return self.__dict__.copy()

    def __repr__(self) -> str:
        return (
            f"TrainReport({self.n_items} passages of {self.n_documents} documents, model "
            f"{self.model_sha256[:12]} in {self.model_dir})"
        )

    __str__ = __repr__


def read_splits(path: Path) -> dict[str, str]:
    """document id -> split name, from a splits file like gold/splits.json."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValidationDataError(f"Cannot read splits file {path}: {exc}.") from exc
    names = [k for k, v in record.items() if isinstance(v, list) and k != "groups"]
    return {doc: name for name in names for doc in record[name] if isinstance(doc, str)}


def gold_items(
    gold_paths: Sequence[str | Path],
    codebook: Codebook,
    *,
    store: CorpusStore | None = None,
    corpus: Path | None = None,
    splits: dict[str, str] | None = None,
    use: Sequence[str] = (),
) -> tuple[list[GoldItem], int]:
    """Resolved items of every gold file (restricted to the named splits' documents) and the
    number of items that could not be resolved."""
    items: list[GoldItem] = []
    seen: set[str] = set()
    skipped = 0
    for path in gold_paths:
        gold = resolve_texts(load_gold(path, codebook, store), store=store, corpus=corpus)
        skipped += len(gold.skipped)
        for item in gold.items:
            if splits is not None and splits.get(item.group) not in set(use):
                continue
            if item.id in seen:
                raise ValidationDataError(
                    f"Item id {item.id} occurs in more than one gold file.",
                    hint="Give the items of each file their own ids.",
                )
            seen.add(item.id)
            items.append(item)
    return items, skipped


def training_set(items: Sequence[GoldItem], codebook: Codebook) -> TrainingSet:
    """The first coding of every item (the adjudicated one where a file gives it first)."""
    data = TrainingSet(
        ids=[i.id for i in items],
        texts=[i.text or "" for i in items],
        document_types=[i.document_type for i in items],
        groups=[i.group or i.id for i in items],
        references=[_reference(i) for i in items],
    )
    for dimension in codebook.dimensions:
        data.labels[dimension.id] = [_first(i, dimension.id) for i in items]
    return data


def _first(item: GoldItem, dimension: str) -> list[str] | None:
    for labels in item.labels.values():
        if dimension in labels:
            return sorted(labels[dimension])
    return None


def _reference(item: GoldItem) -> str:
    ref = item.reference
    if "document_id" in ref and "char_start" in ref:
        return f"{ref['document_id']}@{ref['char_start']}-{ref['char_end']}"
    return str(ref.get("passage_id") or item.group or item.id)


def cv_scores(codebook: Codebook, cv: CrossValidated) -> dict[str, dict[str, Any]]:
    scores = {}
    for dimension in codebook.dimensions:
        truth, predicted = cv.truth[dimension.id], cv.predicted[dimension.id]
        if dimension.selection == "single":
            default = dimension.default or dimension.ids[-1]
            scores[dimension.id] = single_choice_scores(
                [t[0] if t else default for t in truth],
                [p[0] if p else default for p in predicted],
                dimension.ids,
            )
        else:
            scores[dimension.id] = multilabel_scores(truth, predicted, dimension.ids)
    return scores


def train(
    gold_paths: Sequence[str | Path],
    codebook: Codebook,
    out: str | Path,
    *,
    store: CorpusStore | None = None,
    corpus: Path | None = None,
    splits_path: Path | None = None,
    use: Sequence[str] = ("train",),
    settings: TrainSettings | None = None,
    codebook_out: Path | None = None,
) -> TrainReport:
    """Train on the gold items; write the model to ``out`` and a codebook naming it to
    ``codebook_out`` (default ``out/codebook.yaml``)."""
    settings = settings or TrainSettings()
    splits = read_splits(splits_path) if splits_path else None
    items, skipped = gold_items(
        gold_paths, codebook, store=store, corpus=corpus, splits=splits, use=use
    )
    data = training_set(items, codebook)
    encode = None
    if settings.dense:
        from accord.coding.dense import encoder_for

        encode = encoder_for(settings.dense)
    model, cv = fit_model(data, codebook, settings, encode)
    model.meta["training"]["sources"] = [Path(p).name for p in gold_paths]
    model.meta["training"]["splits"] = list(use) if splits else None
    out = Path(out)
    digest = model.save(out)
    named = write_codebook(codebook, out, digest, codebook_out or out / CODEBOOK_FILE)
    return TrainReport(
        len(data.ids),
        len(set(data.groups)),
        data.digest(),
        str(out),
        digest,
        str(named),
        cv_scores(codebook, cv),
        skipped,
    )


def write_codebook(codebook: Codebook, model_dir: Path, digest: str, path: Path) -> Path:
    """The codebook at ``path``, naming the model folder relative to the file's folder."""
    relative = Path(os.path.relpath(model_dir.resolve(), path.parent.resolve()))
    ref = ModelRef(path=relative.as_posix(), sha256=digest)
    named = codebook.model_copy(update={"model": ref})
    path.write_text(dump_codebook(named), encoding="utf-8")
    return path
