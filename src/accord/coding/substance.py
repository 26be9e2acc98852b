"""The non-substantive gate: reference lists, contributor lists and tables of contents name
sectors and measures without being about them, so they receive no codes (only the
single-choice defaults, e.g. descriptive force)."""

from __future__ import annotations

from accord.coding.patterns import Hit, PatternSet, Prepared, prepare
from accord.model.codebook import Codebook
from accord.model.coding import Assignment, CodingUnit, Evidence, UnitCoding

MAX_EVIDENCE = 5
GATE = "__non_substantive__"  # the pseudo-dimension of the gate's cues in a shared scan


class SubstanceGate:
    def __init__(self, codebook: Codebook):
        self.codebook = codebook
        self.rule = codebook.non_substantive
        self.patterns = PatternSet(self.entries()) if self.rule else None

    def entries(self) -> list[tuple[str, str, str, str]]:
        """The gate's cues, to be scanned with the codebook's own (one pass per passage)."""
        patterns = self.rule.patterns if self.rule else []
        return [(GATE, "non_substantive", "strong", p) for p in patterns]

    def evidence(self, text: str, prepared: Prepared | None = None) -> tuple[Evidence, ...] | None:
        """The cues that make ``text`` non-substantive, or None when it is policy text."""
        if self.rule is None or self.patterns is None:
            return None
        return self.judge(text, self.patterns.find(text, prepared or prepare(text)))

    def judge(self, text: str, hits: list[Hit]) -> tuple[Evidence, ...] | None:
        """Decide from the gate's hits (found by a shared scan or by :meth:`evidence`)."""
        if self.rule is None:
            return None
        words = max(1, len(text.split()))
        if len(hits) < self.rule.min_matches or len(hits) / words < self.rule.min_density:
            return None
        summary = Evidence(0, 0, f"non-substantive: {len(hits)} reference cues in {words} words")
        spans = tuple(Evidence(h.start, h.end, h.pattern) for h in hits[:MAX_EVIDENCE])
        return (summary, *spans)

    def coding(self, unit: CodingUnit, evidence: tuple[Evidence, ...], method: str) -> UnitCoding:
        """Only the defaults of single-choice dimensions, citing why."""
        assignments = tuple(
            Assignment(unit.id, d.id, d.default, 1.0, method, evidence)
            for d in self.codebook.dimensions
            if d.selection == "single" and d.default
        )
        scores = {
            d.id: {d.default: 1.0}
            for d in self.codebook.dimensions
            if d.selection == "single" and d.default
        }
        return UnitCoding(unit.id, assignments, scores)
