"""The ensemble coder (default): the rules' cues plus what the embedding model adds.

For a multi-label dimension a category is assigned when its rules fire, or when the passage's
similarity to the category reaches the category's ensemble threshold (calibrated on human
coding to add recall without losing precision); one weak cue lowers that threshold by
``WEAK_CUE_DISCOUNT``. Binding force is left to the rules, whose deontic cues and
document-type caps are more reliable than similarity. See docs/methods.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from accord.coding.base import ProgressCallback
from accord.coding.embedding import EmbeddingCoder, PassageVectors, VectorCache
from accord.coding.patterns import Prepared, prepare
from accord.coding.rules import RulesCoder
from accord.coding.substance import GATE
from accord.model.codebook import Codebook, Dimension
from accord.model.coding import Assignment, Candidate, CodingUnit, Evidence, UnitCoding

WEAK_CUE_DISCOUNT = 0.05
NEVER = 2.0


class EnsembleCoder:
    name = "ensemble.v1"
    method = "ensemble"

    def __init__(self, codebook: Codebook, cache: VectorCache | None = None):
        self.codebook = codebook
        self.rules = RulesCoder(codebook)
        self.embedding = EmbeddingCoder(codebook, cache)

    def code(
        self, units: Sequence[CodingUnit], on_progress: ProgressCallback | None = None
    ) -> list[UnitCoding]:
        present = [units[k] for k, u in enumerate(units) if u.text.strip()]
        vectors = self.embedding.vectors([u.text for u in present], on_progress)
        coded = iter(self._code_present(present, vectors))
        return [next(coded) if u.text.strip() else UnitCoding(u.id) for u in units]

    def _code_present(
        self, units: Sequence[CodingUnit], vectors: Sequence[PassageVectors]
    ) -> list[UnitCoding]:
        cues = [self._cues(u) for u in units]
        stacked = np.vstack([v.vector for v in vectors]) if vectors else None
        decided = {
            d.id: self._combine(d, units, vectors, cues, stacked) for d in self.codebook.dimensions
        }
        results = []
        for row, unit in enumerate(units):
            if cues[row].skipped:
                results.append(self.rules.gate.coding(unit, cues[row].skipped, self.method))
                continue
            assignments = [a for d in self.codebook.dimensions for a in decided[d.id][0][row]]
            scores = {d.id: decided[d.id][1][row] for d in self.codebook.dimensions}
            results.append(UnitCoding(unit.id, tuple(assignments), scores))
        return results

    def _cues(self, unit: CodingUnit) -> _Cues:
        """The rules' view of one passage: the gate's verdict and each dimension's cues."""
        prepared = prepare(unit.text)
        found = self.rules.scan(unit, prepared)
        skipped = self.rules.gate.judge(unit.text, found.get(GATE, []))
        if skipped:
            return _Cues(prepared, skipped, {})
        return _Cues(
            prepared,
            None,
            {d.id: self.rules.candidates(d, unit, found) for d in self.codebook.dimensions},
        )

    def _combine(
        self,
        dimension: Dimension,
        units: Sequence[CodingUnit],
        vectors: Sequence[PassageVectors],
        cues: list[_Cues],
        stacked: np.ndarray | None,
    ) -> tuple[list[list[Assignment]], list[dict[str, float]]]:
        """Assignments and scores of one dimension for every passage, thresholds applied to
        the whole similarity table at once."""
        table = self.embedding.similarities(dimension, vectors, stacked)
        ids = dimension.ids
        column = {c: k for k, c in enumerate(ids)}
        rule = np.zeros_like(table.score)
        for row, cue in enumerate(cues):
            for category, candidate in cue.candidates.get(dimension.id, {}).items():
                rule[row, column[category]] = candidate.score
        combined = np.round(np.maximum(rule, table.score), 4)
        scores = [dict(zip(ids, values, strict=True)) for values in combined.tolist()]
        if dimension.selection == "single":
            return [
                self._single(dimension, unit, cue) if not cue.skipped else []
                for unit, cue in zip(units, cues, strict=True)
            ], scores
        assigned = (rule >= 1.0) | (table.score >= thresholds(dimension, rule))
        chosen: list[list[Assignment]] = [[] for _ in units]
        for row, k in zip(*np.nonzero(assigned), strict=True):
            if cues[row].skipped:
                continue
            category = ids[k]
            candidate = cues[row].candidates[dimension.id].get(category)
            value = float(table.score[row, k])
            evidence = (candidate.evidence if candidate else ()) + self.embedding.evidence(
                dimension, vectors[row], int(table.best[row, k]), value
            )
            chosen[row].append(
                Assignment(
                    units[row].id,
                    dimension.id,
                    category,
                    float(combined[row, k]),
                    self.method,
                    evidence,
                )
            )
        return chosen, scores

    def _single(self, dimension: Dimension, unit: CodingUnit, cue: _Cues) -> list[Assignment]:
        """Single-choice dimensions (binding force) follow the rules alone."""
        decided = self.rules.decide(
            dimension, unit, cue.candidates.get(dimension.id, {}), cue.prepared
        )
        return [
            Assignment(a.unit_id, a.dimension, a.category, a.score, self.method, a.evidence)
            for a in decided
        ]


@dataclass(frozen=True, slots=True)
class _Cues:
    prepared: Prepared
    skipped: tuple[Evidence, ...] | None
    candidates: dict[str, dict[str, Candidate]]


def thresholds(dimension: Dimension, rule: np.ndarray) -> np.ndarray:
    """Each cell's ensemble threshold: the category's, lowered by WEAK_CUE_DISCOUNT where the
    rules found only a weak cue (0 < rule score < 1); NEVER for uncalibrated categories."""
    base = np.array(
        [
            NEVER if c.ensemble_threshold is None else c.ensemble_threshold
            for c in dimension.categories
        ]
    )
    weak = (rule > 0) & (rule < 1)
    return base[np.newaxis, :] - np.where(weak, WEAK_CUE_DISCOUNT, 0.0)
