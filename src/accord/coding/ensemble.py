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
from accord.coding.embedding import EmbeddingCoder, VectorCache
from accord.coding.rules import RulesCoder
from accord.model.codebook import Codebook, Dimension
from accord.model.coding import Assignment, Candidate, CodingUnit, UnitCoding

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
        present = [u for u in units if u.text.strip()]
        vectors = dict(
            zip(
                [u.id for u in present],
                self.embedding.vectors([u.text for u in present], on_progress),
                strict=True,
            )
        )
        results = []
        for unit in units:
            if unit.id not in vectors:
                results.append(UnitCoding(unit.id))
                continue
            assignments: list[Assignment] = []
            scores: dict[str, dict[str, float]] = {}
            for dimension in self.codebook.dimensions:
                rules = self.rules.candidates(dimension, unit)
                similar = self.embedding.candidates(dimension, unit, vectors[unit.id])
                scores[dimension.id] = {
                    c: round(max(rules[c].score if c in rules else 0.0, similar[c].score), 4)
                    for c in dimension.ids
                }
                assignments.extend(self.decide(dimension, unit, rules, similar))
            results.append(UnitCoding(unit.id, tuple(assignments), scores))
        return results

    def decide(
        self,
        dimension: Dimension,
        unit: CodingUnit,
        rules: dict[str, Candidate],
        similar: dict[str, Candidate],
    ) -> list[Assignment]:
        if dimension.selection == "single":
            return [
                Assignment(a.unit_id, a.dimension, a.category, a.score, self.method, a.evidence)
                for a in self.rules.decide(dimension, unit, rules)
            ]
        found = []
        for category in dimension.ids:
            rule_score = rules[category].score if category in rules else 0.0
            similarity = similar[category].score
            if rule_score >= 1.0 or similarity >= ensemble_threshold(
                dimension, category, rule_score
            ):
                evidence = (rules[category].evidence if category in rules else ()) + similar[
                    category
                ].evidence
                score = max(rule_score, similarity)
                found.append(
                    Assignment(
                        unit.id, dimension.id, category, round(score, 4), self.method, evidence
                    )
                )
        return found


def ensemble_threshold(dimension: Dimension, category_id: str, rule_score: float) -> float:
    value = dimension.category(category_id).ensemble_threshold
    base = NEVER if value is None else value
    return base - WEAK_CUE_DISCOUNT if 0 < rule_score < 1 else base
