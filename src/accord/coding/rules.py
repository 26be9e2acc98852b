"""The rules coder: codebook cue patterns, one pass per dimension, matched spans as evidence.

A category scores 1 for each different strong cue and 0.5 for each different weak cue (at most
1); it is assigned at 1. A single-choice dimension (binding force) takes a leading cue first
("Recalling ..." opens a preambular paragraph), else its strongest category with a cue, else its
default, then the document type's cap.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

from accord.coding.base import ProgressCallback, cap_for
from accord.coding.patterns import (
    STRONG,
    DimensionMatcher,
    Hit,
    PatternSet,
    Prepared,
    cue_entries,
    filter_cues,
    prepare,
)
from accord.coding.substance import GATE, SubstanceGate
from accord.errors import CodebookError
from accord.model.codebook import Codebook, Dimension
from accord.model.coding import Assignment, Candidate, CodingUnit, Evidence, UnitCoding

WEAK_CUE_SCORE = 0.5
DEFAULT_SCORE = 0.5  # a single-choice default chosen for want of any cue
MAX_EVIDENCE = 5


class RulesCoder:
    name = "rules.v1"
    method = "rules"

    def __init__(self, codebook: Codebook):
        self.codebook = codebook
        self.gate = SubstanceGate(codebook)
        # Every dimension's cues and exclusions, and the gate's, in one automaton: one pass
        # per passage.
        try:
            self.scanner = PatternSet(
                self.gate.entries() + [e for d in codebook.dimensions for e in cue_entries(d)]
            )
        except re.error as exc:
            raise CodebookError(
                f"a pattern is not a valid regular expression ({exc}).",
                hint="Check the 're:' patterns of the codebook.",
            ) from exc
        self.leading = {
            d.id: DimensionMatcher(d)
            for d in codebook.dimensions
            if any(c.leading for c in d.categories)
        }

    def code(
        self, units: Sequence[CodingUnit], on_progress: ProgressCallback | None = None
    ) -> list[UnitCoding]:
        codings = [self.code_one(u) for u in units]
        if on_progress:
            on_progress(len(units), len(units))
        return codings

    def code_one(self, unit: CodingUnit) -> UnitCoding:
        if not unit.text.strip():
            return UnitCoding(unit.id)
        prepared = prepare(unit.text)
        found = self.scan(unit, prepared)
        skipped = self.gate.judge(unit.text, found.get(GATE, []))
        if skipped:
            return self.gate.coding(unit, skipped, self.method)
        assignments: list[Assignment] = []
        scores: dict[str, dict[str, float]] = {}
        for dimension in self.codebook.dimensions:
            candidates = self.candidates(dimension, unit, found)
            scores[dimension.id] = {c: round(v.score, 4) for c, v in candidates.items()}
            assignments.extend(self.decide(dimension, unit, candidates, prepared))
        return UnitCoding(unit.id, tuple(assignments), scores)

    def scan(self, unit: CodingUnit, prepared: Prepared | None = None) -> dict[str, list[Hit]]:
        """All cue and exclusion hits of the passage, by dimension."""
        by_dimension: dict[str, list[Hit]] = defaultdict(list)
        for hit in self.scanner.find(unit.text, prepared or prepare(unit.text)):
            by_dimension[hit.dimension].append(hit)
        return by_dimension

    def candidates(
        self,
        dimension: Dimension,
        unit: CodingUnit,
        found: dict[str, list[Hit]] | None = None,
    ) -> dict[str, Candidate]:
        found = self.scan(unit) if found is None else found
        candidates = {}
        hits_here = found.get(dimension.id)
        if not hits_here:
            return candidates
        for category, hits in filter_cues(hits_here).items():
            strong = {h.pattern for h in hits if h.kind == STRONG}
            weak = {h.pattern for h in hits if h.kind != STRONG}
            score = min(1.0, len(strong) + WEAK_CUE_SCORE * len(weak))
            candidates[category] = Candidate(score, _evidence(hits))
        return candidates

    def decide(
        self,
        dimension: Dimension,
        unit: CodingUnit,
        candidates: dict[str, Candidate],
        prepared: Prepared | None = None,
    ) -> list[Assignment]:
        if dimension.selection == "multi":
            return [
                Assignment(unit.id, dimension.id, category, c.score, self.method, c.evidence)
                for category, c in candidates.items()
                if c.score >= 1.0
            ]
        chosen, candidate = self.choose_single(dimension, unit, candidates, prepared)
        return [
            Assignment(
                unit.id, dimension.id, chosen, candidate.score, self.method, candidate.evidence
            )
        ]

    def choose_single(
        self,
        dimension: Dimension,
        unit: CodingUnit,
        candidates: dict[str, Candidate],
        prepared: Prepared | None = None,
    ) -> tuple[str, Candidate]:
        matcher = self.leading.get(dimension.id)
        leading = matcher.leading_hits(unit.text, prepared) if matcher else []
        if leading:
            chosen, candidate = leading[0].category, Candidate(1.0, _evidence(leading))
        else:
            fired = [c for c in dimension.ids if candidates.get(c) and candidates[c].score >= 1.0]
            if fired:
                chosen, candidate = fired[0], candidates[fired[0]]
            else:
                chosen, candidate = dimension.default or dimension.ids[-1], Candidate(DEFAULT_SCORE)
        capped = cap_for(dimension, chosen, unit.document_type)
        if capped != chosen:
            trigger = f"capped: a {unit.document_type} is at most {capped}"
            candidate = Candidate(candidate.score, (*candidate.evidence, Evidence(0, 0, trigger)))
        return capped, candidate


def _evidence(hits: list[Hit]) -> tuple[Evidence, ...]:
    ordered = sorted(hits, key=lambda h: (h.start, h.end))
    return tuple(Evidence(h.start, h.end, h.pattern) for h in ordered[:MAX_EVIDENCE])
