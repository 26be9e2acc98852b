"""The trained coder (``trained.v1``): linear classifiers learned from human-coded passages.

Each dimension has its own classifier over TF-IDF word and character n-grams plus that
dimension's rule-cue scores (one-vs-rest with per-category thresholds for multi-label
dimensions; one multinomial choice, then the document-type cap, for binding force). Every
label keeps evidence a reader can check: the passage's n-grams that weigh most for it, the
rules' cue spans when they fired, and the nearest human-labelled training passage with that
label. A model is a folder: ``model.json`` (settings, vocabularies, stamps) and
``weights.safetensors`` (arrays only: no pickle, nothing executable).
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import json
import re
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from scipy import sparse

from accord.coding.base import ProgressCallback, cap_for
from accord.coding.features import FeatureSpace, TextBlock, with_cues
from accord.coding.rules import RulesCoder
from accord.errors import CodebookError
from accord.model.codebook import Codebook, Dimension
from accord.model.coding import Assignment, CodingUnit, Evidence, UnitCoding

if TYPE_CHECKING:
    from accord.coding.embedding import VectorCache

FORMAT = "accord-trained-model"
FORMAT_VERSION = 1
MODEL_FILE = "model.json"
WEIGHTS_FILE = "weights.safetensors"
MODEL_FILES = (MODEL_FILE, WEIGHTS_FILE)
TOP_TERMS = 3  # n-gram spans cited per label
MIN_CONTRIBUTION = 0.01


class ModelError(CodebookError):
    reason = "model-invalid"


def half(coef: np.ndarray) -> np.ndarray:
    """Coefficients at the precision they are saved in (float16: half the size on disk), so
    a model behaves the same before and after it is saved."""
    return coef.astype(np.float16).astype(np.float64)


def stack_inputs(probabilities: np.ndarray, extra: np.ndarray) -> np.ndarray:
    """What the second level sees: the first level's log-odds (clipped) and the cue features."""
    clipped = np.clip(probabilities, 1e-4, 1 - 1e-4)
    return np.hstack([np.log(clipped / (1 - clipped)) / 4.0, extra]).astype(np.float32)


@dataclass
class DimensionModel:
    id: str
    selection: str  # "multi" | "single"
    categories: list[str]
    coef: np.ndarray  # (n_categories, n_features): one row per category (or class)
    intercept: np.ndarray  # (n_categories,)
    thresholds: np.ndarray  # (n_categories,) probability thresholds (multi); unused for single
    stacked: DimensionModel | None = None  # second level over these scores and the cues

    def decide(self, text_features: sparse.csr_matrix, extra: np.ndarray, weight: float):
        """(features the n-gram evidence is read from, final probabilities)."""
        if self.stacked is None:
            features = with_cues(text_features, extra, weight)
            return features, self.probabilities(features)
        first = self.probabilities(text_features)
        inputs = sparse.csr_matrix(stack_inputs(first, extra))
        return text_features, self.stacked.probabilities(inputs)

    def probabilities(self, features: sparse.csr_matrix) -> np.ndarray:
        logits = np.asarray(features @ self.coef.T) + self.intercept
        if self.selection == "single":
            logits -= logits.max(axis=1, keepdims=True)
            exp = np.exp(logits)
            return exp / exp.sum(axis=1, keepdims=True)
        return 1.0 / (1.0 + np.exp(-logits))


@dataclass
class Neighbours:
    """Human-labelled training passages, projected to a small space to find the nearest."""

    ids: list[str]  # gold item ids ("s0123"), citable with references
    references: list[str]  # "document_id@start-end"
    labels: dict[str, list[list[str]]]  # dimension -> labels per training passage
    projection: sparse.csr_matrix  # (n_components, n_text_features)
    vectors: np.ndarray  # (n_passages, n_components), unit rows

    def project(self, text_features: sparse.csr_matrix) -> np.ndarray:
        projected = np.asarray((text_features @ self.projection.T).todense(), dtype=np.float32)
        norms = np.linalg.norm(projected, axis=1, keepdims=True)
        return projected / np.where(norms == 0, 1, norms)


@dataclass
class TrainedModel:
    meta: dict[str, Any]  # codebook, training data, settings: see ``describe``
    space: FeatureSpace
    dimensions: dict[str, DimensionModel]
    cue_weight: float
    neighbours: Neighbours | None = None
    use_cues: bool = True  # each dimension's rule-cue scores are features
    document_types: list[str] = field(default_factory=list)  # one-hot for single-choice dims

    def save(self, folder: str | Path) -> str:
        """Write the model folder; returns its hash (what a codebook's ``model.sha256`` names)."""
        from safetensors.numpy import save_file

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {}
        for block in self.space.text_blocks:
            arrays[f"idf.{block.name}"] = block.idf.astype(np.float32)
        for dim in self.dimensions.values():
            arrays[f"coef.{dim.id}"] = dim.coef.astype(np.float16)
            arrays[f"intercept.{dim.id}"] = dim.intercept.astype(np.float32)
            arrays[f"thresholds.{dim.id}"] = dim.thresholds.astype(np.float32)
            if dim.stacked is not None:
                arrays[f"stack_coef.{dim.id}"] = dim.stacked.coef.astype(np.float16)
                arrays[f"stack_intercept.{dim.id}"] = dim.stacked.intercept.astype(np.float32)
        document = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            **self.meta,
            "cue_weight": self.cue_weight,
            "use_cues": self.use_cues,
            "document_types": self.document_types,
            "features": {
                "text_blocks": [
                    {"name": b.name, "settings": b.settings, "vocabulary": b.vocabulary}
                    for b in self.space.text_blocks
                ],
                "dense": self.space.dense,
                "dense_dim": self.space.dense_dim,
            },
            "dimensions": {
                d.id: {"selection": d.selection, "categories": d.categories}
                for d in self.dimensions.values()
            },
        }
        if self.neighbours is not None:
            n = self.neighbours
            arrays["neighbours.vectors"] = n.vectors.astype(np.float16)
            arrays["neighbours.projection.data"] = n.projection.data.astype(np.float32)
            arrays["neighbours.projection.indices"] = n.projection.indices.astype(np.int32)
            arrays["neighbours.projection.indptr"] = n.projection.indptr.astype(np.int64)
            document["neighbours"] = {
                "ids": n.ids,
                "references": n.references,
                "labels": n.labels,
                "projection_shape": list(n.projection.shape),
            }
        (folder / MODEL_FILE).write_text(
            json.dumps(document, ensure_ascii=False, sort_keys=True, indent=1) + "\n",
            encoding="utf-8",
        )
        save_file(arrays, folder / WEIGHTS_FILE)
        return model_digest(folder)

    @classmethod
    def load(cls, folder: str | Path) -> TrainedModel:
        from safetensors.numpy import load_file

        folder = Path(folder)
        try:
            document = json.loads((folder / MODEL_FILE).read_text(encoding="utf-8"))
            arrays = load_file(folder / WEIGHTS_FILE)
        except (OSError, ValueError) as exc:
            raise ModelError(
                f"Cannot read the trained model in {folder}: {exc}.",
                hint="Train one with `accord train GOLD --out DIR`.",
            ) from exc
        if document.get("format") != FORMAT or document.get("format_version") != FORMAT_VERSION:
            raise ModelError(f"{folder} is not an Accord trained model of format {FORMAT_VERSION}.")
        features = document["features"]
        blocks = [
            TextBlock(b["name"], b["settings"], b["vocabulary"], arrays[f"idf.{b['name']}"])
            for b in features["text_blocks"]
        ]
        space = FeatureSpace(blocks, features.get("dense"), int(features.get("dense_dim", 0)))
        dimensions = {
            dim_id: _dimension_model(dim_id, spec, arrays)
            for dim_id, spec in document["dimensions"].items()
        }
        neighbours = None
        if "neighbours" in document:
            spec = document["neighbours"]
            projection = sparse.csr_matrix(
                (
                    arrays["neighbours.projection.data"],
                    arrays["neighbours.projection.indices"],
                    arrays["neighbours.projection.indptr"],
                ),
                shape=tuple(spec["projection_shape"]),
            )
            neighbours = Neighbours(
                spec["ids"],
                spec["references"],
                spec["labels"],
                projection,
                arrays["neighbours.vectors"].astype(np.float32),
            )
        meta = {
            k: v
            for k, v in document.items()
            if k
            not in {
                "format",
                "format_version",
                "features",
                "dimensions",
                "neighbours",
                "cue_weight",
                "use_cues",
                "document_types",
            }
        }
        return cls(
            meta,
            space,
            dimensions,
            float(document["cue_weight"]),
            neighbours,
            bool(document.get("use_cues", True)),
            list(document.get("document_types", [])),
        )


def _dimension_model(dim_id: str, spec: dict, arrays: dict[str, np.ndarray]) -> DimensionModel:
    def array(name: str) -> np.ndarray:
        return arrays[f"{name}.{dim_id}"].astype(np.float64)

    stacked = None
    if f"stack_coef.{dim_id}" in arrays:
        stacked = DimensionModel(
            dim_id,
            spec["selection"],
            spec["categories"],
            array("stack_coef"),
            array("stack_intercept"),
            array("thresholds"),
        )
    return DimensionModel(
        dim_id,
        spec["selection"],
        spec["categories"],
        array("coef"),
        array("intercept"),
        array("thresholds"),
        stacked,
    )


def model_digest(folder: str | Path) -> str:
    """SHA-256 over the model's files, in a fixed order."""
    digest = hashlib.sha256()
    for name in MODEL_FILES:
        digest.update(name.encode())
        digest.update((Path(folder) / name).read_bytes())
    return digest.hexdigest()


def model_folder(codebook: Codebook) -> Path:
    """The folder of the codebook's model, checked against the hash the codebook records.

    Raises:
        ModelError: no model, a missing folder, or files that changed since the codebook
            named them.
    """
    ref = codebook.model
    if ref is None:
        raise ModelError(
            f"Codebook '{codebook.name}' has no trained model.",
            hint="Train one with `accord train GOLD --out DIR` and code with DIR/codebook.yaml, "
            "or use --coder rules.",
        )
    if codebook.model_dir is None:
        raise ModelError(
            f"Codebook '{codebook.name}' names its model by a relative path ({ref.path}) "
            "but was not read from a file, so the path has no starting point.",
            hint="Load the codebook with accord.load_codebook(PATH).",
        )
    folder = Path(codebook.model_dir)
    if not _has_model_files(folder):
        folder = _installed_model(ref.sha256) or folder
    if not _has_model_files(folder):
        raise ModelError(
            f"The trained model of codebook '{codebook.name}' is missing on {socket.gethostname()}:"
            f" {folder}.",
            hint="On a cluster every worker needs the model folder at the path the client "
            "uses (docs/scaling.md).",
        )
    found = model_digest(folder)
    if found != ref.sha256:
        raise ModelError(
            f"The trained model in {folder} has changed since codebook '{codebook.name}' named "
            f"it (hash {found[:12]}, expected {ref.sha256[:12]}).",
            hint="Point the codebook at the model you mean: `accord train` writes both.",
        )
    return folder


def _has_model_files(folder: Path) -> bool:
    return all((folder / name).is_file() for name in MODEL_FILES)


def _installed_model(sha256: str) -> Path | None:
    """The folder of the model shipped with this machine's Accord, if it is the one named by
    ``sha256``: a cluster worker installed elsewhere than the client finds it there."""
    from accord.coding.codebooks import load_codebook

    shipped = load_codebook()
    if shipped.model is None or shipped.model.sha256 != sha256 or shipped.model_dir is None:
        return None
    return Path(shipped.model_dir)


_MODELS: dict[str, TrainedModel] = {}  # loaded once per process, by hash


def load_model(codebook: Codebook) -> TrainedModel:
    folder = model_folder(codebook)
    key = codebook.model.sha256  # type: ignore[union-attr]
    if key not in _MODELS:
        _MODELS[key] = TrainedModel.load(folder)
    return _MODELS[key]


def cue_matrix(dimension: Dimension, codings: Sequence[UnitCoding]) -> np.ndarray:
    """The rules' view of one dimension as features: each category's cue score, and for a
    single-choice dimension also a one-hot of the rules' own choice (which knows leading cues
    like 'Recalling' and the document-type cap)."""
    ids = dimension.ids
    scores = np.array(
        [[c.scores.get(dimension.id, {}).get(k, 0.0) for k in ids] for c in codings],
        dtype=np.float32,
    ).reshape(len(codings), len(ids))
    if dimension.selection == "multi":
        return scores
    chosen = np.zeros_like(scores)
    for row, coding in enumerate(codings):
        for a in coding.assignments:
            if a.dimension == dimension.id:
                chosen[row, ids.index(a.category)] = 1.0
    return np.hstack([scores, chosen])


def type_matrix(
    dimension: Dimension, document_types: Sequence[str | None], known: Sequence[str]
) -> np.ndarray:
    """One-hot document type for single-choice dimensions (a treaty binds, a report does not);
    no columns for multi-label dimensions or when the model was trained without them."""
    if dimension.selection == "multi" or not known:
        return np.zeros((len(document_types), 0), dtype=np.float32)
    index = {t: k for k, t in enumerate(known)}
    matrix = np.zeros((len(document_types), len(known)), dtype=np.float32)
    for row, kind in enumerate(document_types):
        if (kind or "").lower() in index:
            matrix[row, index[(kind or "").lower()]] = 1.0
    return matrix


def extra_features(
    model_use_cues: bool,
    known_types: Sequence[str],
    dimension: Dimension,
    codings: Sequence[UnitCoding],
    document_types: Sequence[str | None],
) -> np.ndarray:
    """Everything a dimension's classifier sees besides the shared text features."""
    parts = [type_matrix(dimension, document_types, known_types)]
    if model_use_cues:
        parts.insert(0, cue_matrix(dimension, codings))
    return np.hstack(parts)


class TrainedCoder:
    name = "trained.v1"
    method = "trained"

    def __init__(
        self,
        codebook: Codebook,
        cache: VectorCache | None = None,
        model: TrainedModel | None = None,
    ):
        self.codebook = codebook
        self.model = model or load_model(codebook)
        self.rules = RulesCoder(codebook)
        self.encode = _encoder(self.model.space.dense, cache)
        missing = [d.id for d in codebook.dimensions if d.id not in self.model.dimensions]
        if missing:
            raise ModelError(
                f"The trained model has no classifier for dimension(s) {', '.join(missing)}.",
                hint="Retrain with gold labels for every dimension of the codebook.",
            )
        self._label_rows = self._index_labels()
        # (block, n-gram) of every text column, for evidence (space.term() walks the blocks).
        self._terms = [(b.name, t) for b in self.model.space.text_blocks for t in b.vocabulary]

    def _index_labels(self) -> dict[tuple[str, str], np.ndarray]:
        n = self.model.neighbours
        if n is None:
            return {}
        rows: dict[tuple[str, str], list[int]] = {}
        for dim, per_item in n.labels.items():
            for k, labels in enumerate(per_item):
                for label in labels:
                    rows.setdefault((dim, label), []).append(k)
        return {key: np.array(v) for key, v in rows.items()}

    def code(
        self, units: Sequence[CodingUnit], on_progress: ProgressCallback | None = None
    ) -> list[UnitCoding]:
        results = [UnitCoding(u.id) for u in units]
        present = [k for k, u in enumerate(units) if u.text.strip()]
        if not present:
            return results
        kept = [units[k] for k in present]
        rules = self.rules.code(kept)
        gated = [self.rules.gate.evidence(u.text) for u in kept]
        text_features = self.model.space.transform([u.text for u in kept], self.encode)
        neighbours = self._projected(text_features)
        decided = {
            d.id: self._decided(d, kept, text_features, rules) for d in self.codebook.dimensions
        }
        limit = self.model.space.n_text_features
        for row, unit in enumerate(kept):
            if gated[row]:
                coding = self.rules.gate.coding(unit, gated[row], self.method)
            else:
                terms = _RowTerms.of(text_features, row, limit)
                coding = self._unit(unit, row, decided, terms, rules[row], neighbours)
            results[present[row]] = coding
        if on_progress:
            on_progress(len(units), len(units))
        return results

    def _projected(self, text_features: sparse.csr_matrix) -> np.ndarray | None:
        n = self.model.neighbours
        if n is None:
            return None
        return n.project(text_features) @ n.vectors.T

    def _decided(self, dimension, units, text_features, rules) -> _Decided:
        model = self.model.dimensions[dimension.id]
        extra = extra_features(
            self.model.use_cues,
            self.model.document_types,
            dimension,
            rules,
            [u.document_type for u in units],
        )
        _, probabilities = model.decide(text_features, extra, self.model.cue_weight)
        return _Decided(
            model, probabilities.tolist(), self._chosen(dimension, model, units, probabilities)
        )

    def _chosen(self, dimension, model, units, probabilities) -> list[list[int]]:
        """Per unit, the indexes of the categories assigned: above their thresholds, or the
        most probable single choice under the document type's cap."""
        if model.selection == "multi":
            chosen: list[list[int]] = [[] for _ in units]
            rows, columns = np.nonzero(probabilities >= model.thresholds)
            for row, k in zip(rows.tolist(), columns.tolist(), strict=True):
                chosen[row].append(k)
            return chosen
        best = probabilities.argmax(axis=1).tolist()
        return [
            [model.categories.index(cap_for(dimension, model.categories[k], u.document_type))]
            for k, u in zip(best, units, strict=True)
        ]

    def _unit(self, unit, row, decided, terms, rules_coding, neighbours) -> UnitCoding:
        assignments: list[Assignment] = []
        scores: dict[str, dict[str, float]] = {}
        cues: dict[tuple[str, str], tuple[Evidence, ...]] = {}
        passage = _Passage(unit.text)
        for a in rules_coding.assignments:
            cues[(a.dimension, a.category)] = cues.get((a.dimension, a.category), ()) + a.evidence
        for dimension in self.codebook.dimensions:
            model, values, chosen = decided[dimension.id]
            values = values[row]
            scores[dimension.id] = {
                c: round(v, 4) for c, v in zip(model.categories, values, strict=True)
            }
            for k in chosen[row]:
                category = model.categories[k]
                evidence = self._evidence(passage, category, terms, model.coef[k])
                evidence += cues.get((dimension.id, category), ())
                if neighbours is not None:
                    evidence += self._nearest(dimension.id, category, neighbours[row])
                assignments.append(
                    Assignment(
                        unit.id, dimension.id, category, round(values[k], 4), self.method, evidence
                    )
                )
        return UnitCoding(unit.id, tuple(assignments), scores)

    def _evidence(self, passage, category, terms, coef) -> tuple[Evidence, ...]:
        """The passage's n-grams that weigh most for this label, as spans."""
        contribution = terms.data * coef[terms.columns]
        order = np.argsort(-contribution)[: TOP_TERMS * 4]
        spans: dict[tuple[int, int], float] = {}
        text = passage.text
        for column, weight in zip(
            terms.columns[order].tolist(), contribution[order].tolist(), strict=True
        ):
            if weight < MIN_CONTRIBUTION:
                break
            span = _span_of(passage, self._terms[column])
            if span and span not in spans:
                spans[span] = weight
            if len(spans) == TOP_TERMS:
                break
        return tuple(
            Evidence(s, e, f"weighs for {category}: '{text[s:e]}' (+{w:.2f})")
            for (s, e), w in sorted(spans.items())
        )

    def _nearest(self, dim_id: str, category: str, similarities: np.ndarray):
        rows = self._label_rows.get((dim_id, category))
        n = self.model.neighbours
        if rows is None or n is None or not len(rows):
            return ()
        best = int(rows[np.argmax(similarities[rows])])
        return (
            Evidence(
                0,
                0,
                f"nearest labelled passage {n.ids[best]} ({n.references[best]}, "
                f"similarity {max(0.0, float(similarities[best])):.2f})",
            ),
        )


class _Decided(NamedTuple):
    """One dimension's decision for a batch: probabilities (as lists) and chosen indexes."""

    model: DimensionModel
    values: list[list[float]]
    chosen: list[list[int]]


@dataclass(frozen=True, slots=True)
class _RowTerms:
    """One passage's text features: columns (n-grams) and weights, in column order."""

    columns: np.ndarray
    data: np.ndarray

    @classmethod
    def of(cls, features: sparse.csr_matrix, row: int, limit: int) -> _RowTerms:
        start, end = features.indptr[row], features.indptr[row + 1]
        columns = features.indices[start:end]
        text = columns < limit  # dense columns, if any, come after the n-grams
        return cls(columns[text], features.data[start:end][text])


_WORD_CHARS = re.compile(r"\w+(?:['-]\w+)*")


@functools.lru_cache(maxsize=1 << 16)
def _word_pattern(gram: str) -> re.Pattern[str]:
    """A word n-gram as a pattern, compiled once (re's own cache holds only 512)."""
    pattern = r"(?<!\w)" + r"\W+".join(re.escape(w) for w in gram.split()) + r"(?!\w)"
    return re.compile(pattern, re.IGNORECASE)


class _Passage:
    """A passage's text with what evidence lookups need of it, computed once when first asked."""

    __slots__ = ("_lowered", "_word_spans", "_word_starts", "text")

    def __init__(self, text: str):
        self.text = text
        self._lowered: str | None = None
        self._word_spans: list[tuple[int, int]] | None = None
        self._word_starts: list[int] = []

    @property
    def lowered(self) -> str:
        if self._lowered is None:
            self._lowered = self.text.lower()
        return self._lowered

    def word_at(self, position: int) -> tuple[int, int] | None:
        """The span of the word (``_WORD_CHARS``) that covers ``position``, if one does."""
        if self._word_spans is None:
            self._word_spans = [w.span() for w in _WORD_CHARS.finditer(self.text)]
            self._word_starts = [start for start, _ in self._word_spans]
        k = bisect.bisect_right(self._word_starts, position) - 1
        if k >= 0 and position < self._word_spans[k][1]:
            return self._word_spans[k]
        return None


def _span_of(passage: _Passage, term: tuple[str, str]) -> tuple[int, int] | None:
    """Where an n-gram occurs in the passage: a word n-gram's words, or the whole word a
    character n-gram is part of."""
    block, gram = term
    if block == "words":
        match = _word_pattern(gram).search(passage.text)
        return match.span() if match else None
    piece = gram.strip()
    if not piece:
        return None
    position = passage.lowered.find(piece)
    if position < 0:
        return None
    return passage.word_at(position) or (position, position + len(piece))


def _encoder(dense: str | None, cache: VectorCache | None):
    if dense is None:
        return None
    from accord.coding.dense import encoder_for

    return encoder_for(dense, cache)
