"""The ensemble coder (default): the rules' cues plus what the embedding model adds.

For a multi-label dimension a category is assigned when its rules fire, or when the passage's
similarity to the category reaches the category's ensemble threshold (calibrated on human
coding to add recall without losing precision); one weak cue lowers that threshold by
``WEAK_CUE_DISCOUNT``. Binding force is left to the rules, whose deontic cues and
document-type caps are more reliable than similarity. See docs/methods.md.
"""

from __future__ import annotations

from collections.abc import Sequence

from accord.coding.base import ProgressCallback
from accord.coding.embedding import EmbeddingCoder, PassageVectors, Similarities, VectorCache
from accord.coding.patterns import prepare
from accord.coding.rules import RulesCoder
from accord.coding.substance import GATE
from accord.model.codebook import Codebook, Dimension
from accord.model.coding import Assignment, CodingUnit, UnitCoding

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
        present = [k for k, u in enumerate(units) if u.text.strip()]
        vectors = self.embedding.vectors([units[k].text for k in present], on_progress)
        tables = {d.id: self.embedding.similarities(d, vectors) for d in self.codebook.dimensions}
        results = [UnitCoding(u.id) for u in units]
        for row, k in enumerate(present):
            results[k] = self._code_row(units[k], vectors[row], tables, row)
        return results

    def _code_row(
        self,
        unit: CodingUnit,
        vectors: PassageVectors,
        tables: dict[str, Similarities],
        row: int,
    ) -> UnitCoding:
        prepared = prepare(unit.text)
        found = self.rules.scan(unit, prepared)
        skipped = self.rules.gate.judge(unit.text, found.get(GATE, []))
        if skipped:
            return self.rules.gate.coding(unit, skipped, self.method)
        assignments: list[Assignment] = []
        scores: dict[str, dict[str, float]] = {}
        for dimension in self.codebook.dimensions:
            rules = self.rules.candidates(dimension, unit, found)
            table = tables[dimension.id]
            similarity = table.score[row]
            rule_scores = [rules[c].score if c in rules else 0.0 for c in dimension.ids]
            scores[dimension.id] = {
                c: round(max(r, float(s)), 4)
                for c, r, s in zip(dimension.ids, rule_scores, similarity, strict=True)
            }
            if dimension.selection == "single":
                assignments.extend(
                    Assignment(a.unit_id, a.dimension, a.category, a.score, self.method, a.evidence)
                    for a in self.rules.decide(dimension, unit, rules, prepared)
                )
                continue
            for k, category in enumerate(dimension.ids):
                rule_score, value = rule_scores[k], float(similarity[k])
                if rule_score < 1.0 and value < ensemble_threshold(dimension, category, rule_score):
                    continue
                evidence = (rules[category].evidence if category in rules else ()) + (
                    self.embedding.evidence(dimension, vectors, int(table.best[row, k]), value)
                )
                assignments.append(
                    Assignment(
                        unit.id,
                        dimension.id,
                        category,
                        round(max(rule_score, value), 4),
                        self.method,
                        evidence,
                    )
                )
        return UnitCoding(unit.id, tuple(assignments), scores)


def ensemble_threshold(dimension: Dimension, category_id: str, rule_score: float) -> float:
    value = dimension.category(category_id).ensemble_threshold
    base = NEVER if value is None else value
    return base - WEAK_CUE_DISCOUNT if 0 < rule_score < 1 else base
